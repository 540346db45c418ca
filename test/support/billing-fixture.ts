// Billing on top of the fixture council: the year's charges for Wigan (Band D £2,153.00 in 2026/27,
// so band A is £1,435.33 as in the statutory vectors), a letterhead, and helpers that put a
// property, an account and a liability straight into the database for the billing code to bill.
import type { Db } from '../../src/db/database.ts';
import { makeAccountReference } from '../../src/domain/account-reference.ts';
import type { FixtureCouncil } from './fixture-council.ts';

export const WIGAN_BAND_D = { 2025: 207_000, 2026: 215_300, 2027: 226_000 } as const;

export async function setUpBilling(f: FixtureCouncil) {
  const manager = f.users.recovery_manager.actor;
  await f.db.query(
    `update billing_authorities set letter_address = '{"Town Hall","Library Street","Wigan","WN1 1YN"}', phone = '01942 404364',
            website = 'www.wigan.gov.uk/counciltax' where id = $1`, [f.authorities.wigan]);
  for (const [year, bandD] of Object.entries(WIGAN_BAND_D)) {
    const y = Number(year);
    await f.services.billing.setChargeYear(manager, f.authorities.wigan, {
      financialYear: `${y}/${String((y + 1) % 100).padStart(2, '0')}`,
      bandDPence: bandD,
      resolvedOn: `${y}-02-26`,
      source: `Council resolution ${y}`,
      precepts: [
        { preceptor: 'Wigan Council (including adult social care)', bandDPence: bandD - 30_000 - 9_000 },
        { preceptor: 'Greater Manchester Mayoral Police and Crime Commissioner', bandDPence: 30_000 },
        { preceptor: 'Greater Manchester Mayoral General (including Fire Services)', bandDPence: 9_000 },
      ],
    });
  }
}

let nextNumber = 5_000;

/** A property, account and liability written directly, for tests that bill them. */
export async function makeLiableAccount(db: Db, input: {
  authorityId: number;
  kind?: 'dwelling' | 'hereditament';
  band?: string;
  rateableValuePounds?: number;
  description?: string;
  from: string;
  to?: string | null;
  name?: string;
  email?: string | null;
  paymentMethod?: 'cash' | 'direct_debit';
  instalmentDay?: number;
  twelve?: boolean;
}) {
  const kind = input.kind ?? 'dwelling';
  const stream = kind === 'dwelling' ? 'council_tax' : 'business_rates';
  const [p] = await db.query<{ id: number }>(
    `insert into properties (authority_id, kind, address_line1, town, postcode, band, rateable_value_pounds, description)
     values ($1, $2, $3, 'Wigan', 'WN1 9ZZ', $4, $5, $6) returning id`,
    [input.authorityId, kind, `${nextNumber} Test Street`, kind === 'dwelling' ? input.band ?? 'A' : null, kind === 'dwelling' ? null : input.rateableValuePounds, input.description ?? null]);
  const [c] = await db.query<{ id: number }>(
    `insert into customers (authority_id, kind, forenames, surname, business_name, display_name, email, notify_by_email)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
    [input.authorityId, kind === 'dwelling' ? 'person' : 'business', kind === 'dwelling' ? 'Test' : null, kind === 'dwelling' ? `Payer ${nextNumber}` : null,
      kind === 'dwelling' ? null : input.name ?? `Business ${nextNumber}`, input.name ?? `Test Payer ${nextNumber}`, input.email ?? null, Boolean(input.email)]);
  const reference = makeAccountReference(stream, 90_000 + nextNumber++);
  const [a] = await db.query<{ id: number }>(
    `insert into accounts (authority_id, reference, stream, customer_id, property_id, payment_method, opened_on) values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [input.authorityId, reference, stream, c.id, p.id, input.paymentMethod ?? 'cash', input.from]);
  const [l] = await db.query<{ id: number }>(
    'insert into liabilities (account_id, property_id, from_date, to_date) values ($1, $2, $3, $4) returning id', [a.id, p.id, input.from, input.to ?? null]);
  await db.query('insert into liability_parties (liability_id, customer_id) values ($1, $2)', [l.id, c.id]);
  await db.query(
    'insert into account_billing (account_id, instalment_day, twelve_instalments, legacy_adopted_at) values ($1, $2, $3, now())',
    [a.id, input.instalmentDay ?? 1, input.twelve ?? false]);
  return { accountId: a.id, propertyId: p.id, customerId: c.id, liabilityId: l.id, reference };
}

export async function makeAuthority(db: Db, name: string, onsCode: string) {
  const [row] = await db.query<{ id: number }>(`insert into billing_authorities (ons_code, name, nation) values ($1, $2, 'england') returning id`, [onsCode, name]);
  return row.id;
}
