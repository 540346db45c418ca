// Account references: one stream digit, an 8-digit account number, and a Luhn check digit, e.g.
// 1000012342. The check digit catches the single-digit slips and swapped neighbours that make most
// mistyped references on bank transfers and bureau payments.
export const STREAMS = [
  'council_tax',
  'business_rates',
  'hb_overpayment',
  'sundry',
  'adult_social_care',
  'housing_rent',
  'garage_rent',
  'former_tenant_arrears',
] as const;
export type Stream = (typeof STREAMS)[number];

export const STREAM_LABELS: Record<Stream, string> = {
  council_tax: 'Council Tax',
  business_rates: 'Business Rates',
  hb_overpayment: 'Housing Benefit overpayment',
  sundry: 'Sundry debt',
  adult_social_care: 'Adult social care',
  housing_rent: 'Housing rent',
  garage_rent: 'Garage rent',
  former_tenant_arrears: 'Former tenant arrears',
};

const STREAM_DIGIT: Record<Stream, number> = {
  council_tax: 1,
  business_rates: 2,
  hb_overpayment: 3,
  sundry: 4,
  adult_social_care: 5,
  housing_rent: 6,
  garage_rent: 7,
  former_tenant_arrears: 8,
};

export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  // Double every second digit counting from the right of the payload (the check digit goes after it).
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function makeAccountReference(stream: Stream, accountNumber: number): string {
  if (!Number.isInteger(accountNumber) || accountNumber < 1 || accountNumber > 99_999_999) {
    throw new RangeError(`account number must be 1..99999999, got ${accountNumber}`);
  }
  const payload = `${STREAM_DIGIT[stream]}${String(accountNumber).padStart(8, '0')}`;
  return payload + luhnCheckDigit(payload);
}

export type ReferenceCheck =
  | { valid: true; reference: string; stream: Stream }
  | { valid: false; reason: string };

/** Validates a reference as typed or printed on a payment (spaces and dashes ignored). */
export function checkAccountReference(raw: string): ReferenceCheck {
  const reference = raw.replace(/[\s-]/g, '');
  if (!/^\d{10}$/.test(reference)) return { valid: false, reason: 'must be 10 digits' };
  const stream = (Object.keys(STREAM_DIGIT) as Stream[]).find(
    (s) => STREAM_DIGIT[s] === Number(reference[0]),
  );
  if (!stream) return { valid: false, reason: `unknown stream digit ${reference[0]}` };
  if (luhnCheckDigit(reference.slice(0, 9)) !== Number(reference[9])) {
    return { valid: false, reason: 'check digit does not match' };
  }
  return { valid: true, reference, stream };
}
