// UK bank details as a payer gives them: sort code "12-34-56" or "123456", account number 8 digits
// (6 or 7 digit numbers are padded with leading zeros, as Bacs expects). Format checks only: full
// modulus checking needs the Vocalink (valacdos) table, which is licensed data Levy does not ship.
export type BankDetailsCheck =
  | { valid: true; sortCode: string; accountNumber: string }
  | { valid: false; problems: { field: 'sortCode' | 'accountNumber'; message: string }[] };

export function checkBankDetails(sortCodeText: string, accountNumberText: string): BankDetailsCheck {
  const problems: { field: 'sortCode' | 'accountNumber'; message: string }[] = [];
  const sortCode = sortCodeText.replace(/[\s-]/g, '');
  const accountNumber = accountNumberText.replace(/\s/g, '');
  if (!/^\d{6}$/.test(sortCode)) problems.push({ field: 'sortCode', message: 'Enter a sort code of 6 digits, like 30-94-57' });
  else if (sortCode === '000000') problems.push({ field: 'sortCode', message: 'Enter a real sort code' });
  if (!/^\d{6,8}$/.test(accountNumber)) problems.push({ field: 'accountNumber', message: 'Enter an account number of 6 to 8 digits' });
  else if (/^0+$/.test(accountNumber)) problems.push({ field: 'accountNumber', message: 'Enter a real account number' });
  if (problems.length) return { valid: false, problems };
  return { valid: true, sortCode, accountNumber: accountNumber.padStart(8, '0') };
}
