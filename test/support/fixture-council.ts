// A small council with figures worked out by hand, for service and web tests. Two authorities so
// tests can show that officers only see their own.
import { fixedClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { makeAccountReference } from '../../src/domain/account-reference.ts';
import type { Actor } from '../../src/modules/auth/context.ts';
import type { Role } from '../../src/modules/auth/roles.ts';
import { createRepositories, createServices } from '../../src/services.ts';

export const TODAY = '2026-11-22';
export const PASSWORD = 'correct horse battery staple';

export async function buildFixtureCouncil(db: Db) {
  const clock = fixedClock(TODAY);
  const services = createServices(db, createRepositories(db), clock, { sessionIdleMinutes: 60 });
  const [wigan] = await db.query<{ id: number }>(
    `insert into billing_authorities (ons_code, name, nation) values ('E08000010', 'Wigan', 'england') returning id`);
  const [cardiff] = await db.query<{ id: number }>(
    `insert into billing_authorities (ons_code, name, nation) values ('W06000015', 'Cardiff', 'wales') returning id`);

  const customer = async (authorityId: number, forenames: string, surname: string, extra: Record<string, unknown> = {}) => {
    const [row] = await db.query<{ id: number }>(
      `insert into customers (authority_id, kind, forenames, surname, display_name, date_of_birth, email, warning, is_councillor)
       values ($1, 'person', $2, $3, $4, $5, $6, $7, $8) returning id`,
      [authorityId, forenames, surname, `${forenames} ${surname}`, extra.dob ?? null, extra.email ?? null, extra.warning ?? null, extra.councillor ?? false]);
    return row.id;
  };
  const property = async (authorityId: number, line1: string, postcode: string, band = 'A') => {
    const [row] = await db.query<{ id: number }>(
      `insert into properties (authority_id, kind, address_line1, town, postcode, band) values ($1, 'dwelling', $2, 'Wigan', $3, $4) returning id`,
      [authorityId, line1, postcode, band]);
    return row.id;
  };
  const account = async (authorityId: number, number: number, customerId: number, propertyId: number | null, stream: 'council_tax' | 'sundry' = 'council_tax') => {
    const reference = makeAccountReference(stream, number);
    const [row] = await db.query<{ id: number }>(
      `insert into accounts (authority_id, reference, stream, customer_id, property_id, opened_on) values ($1, $2, $3, $4, $5, '2025-04-01') returning id`,
      [authorityId, reference, stream, customerId, propertyId]);
    return { id: row.id, reference };
  };
  const post = (accountId: number, kind: string, amount: number, year: number, date: string, reason: string | null = null) =>
    db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason) values ($1, $2, $3, $4, $5, 'fixture', $6)`,
      [accountId, kind, amount, year, date, reason]);

  // Margaret and Derek Hughes: jointly liable at 14 Acacia Avenue, in arrears from last year.
  const margaret = await customer(wigan.id, 'Margaret', 'Hughes', { dob: '1961-03-14', email: 'm.hughes@example.org' });
  const derek = await customer(wigan.id, 'Derek', 'Hughes', { dob: '1959-08-02', warning: 'Violent or abusive: visit in pairs only' });
  const acacia = await property(wigan.id, '14 Acacia Avenue', 'WN1 2AB', 'A');
  const hughesCt = await account(wigan.id, 1001, margaret, acacia);
  const [liability] = await db.query<{ id: number }>(`insert into liabilities (account_id, property_id, from_date) values ($1, $2, '2025-04-01') returning id`, [hughesCt.id, acacia]);
  await db.query('insert into liability_parties (liability_id, customer_id) values ($1, $2), ($1, $3)', [liability.id, margaret, derek]);
  await db.query(`insert into customer_addresses (customer_id, address_line1, town, postcode, from_date, property_id) values ($1, '14 Acacia Avenue', 'Wigan', 'WN1 2AB', '2025-04-01', $2), ($3, '14 Acacia Avenue', 'Wigan', 'WN1 2AB', '2025-04-01', $2)`, [margaret, acacia, derek]);
  // 2025/26: charged £1,380.00, paid £1,200.00, summons costs £80.00 → £260.00 owed.
  await post(hughesCt.id, 'charge', 138000, 2025, '2025-04-01', 'Annual bill 2025/26');
  await post(hughesCt.id, 'payment', -120000, 2025, '2025-12-01');
  await post(hughesCt.id, 'cost', 8000, 2025, '2026-03-10', 'Summons costs');
  // 2026/27: charged £1,435.33, single person discount never applies (two adults); paid £574.00 → £861.33.
  await post(hughesCt.id, 'charge', 143533, 2026, '2026-04-01', 'Annual bill 2026/27');
  await post(hughesCt.id, 'payment', -57400, 2026, '2026-07-01');
  // Margaret also owes a sundry invoice: the single view of debt shows both streams.
  const sundry = await account(wigan.id, 2002, margaret, null, 'sundry');
  await post(sundry.id, 'charge', 12500, 2026, '2026-06-01', 'Bulky waste collection');

  // Peter Okafor: paid up, with a credit.
  const peter = await customer(wigan.id, 'Peter', 'Okafor', { dob: '1988-11-30' });
  const mill = await property(wigan.id, '3 Mill Lane', 'WN3 5QT', 'B');
  const okaforCt = await account(wigan.id, 1002, peter, mill);
  const [l2] = await db.query<{ id: number }>(`insert into liabilities (account_id, property_id, from_date) values ($1, $2, '2026-04-01') returning id`, [okaforCt.id, mill]);
  await db.query('insert into liability_parties (liability_id, customer_id) values ($1, $2)', [l2.id, peter]);
  await post(okaforCt.id, 'charge', 167456, 2026, '2026-04-01');
  await post(okaforCt.id, 'payment', -167500, 2026, '2026-04-20');

  // Someone in another authority with the same surname: Wigan officers must never see them.
  const ceri = await customer(cardiff.id, 'Ceri', 'Hughes');
  const cardiffProperty = await db.query<{ id: number }>(`insert into properties (authority_id, kind, address_line1, town, postcode, band) values ($1, 'dwelling', '9 Acacia Avenue', 'Cardiff', 'CF10 1AA', 'C') returning id`, [cardiff.id]);
  const cardiffCt = await account(cardiff.id, 5001, ceri, cardiffProperty[0].id);

  const users: Record<Role, { id: number; actor: Actor }> = {} as never;
  const roles: Role[] = ['recovery_administrator', 'recovery_officer', 'senior_recovery_officer', 'recovery_manager', 'auditor', 'system_administrator'];
  for (const role of roles) {
    const username = role.replace(/_/g, '.');
    const authorityIds = role === 'system_administrator' ? [] : [wigan.id];
    const id = await services.auth.addUser(null, { username, displayName: `Test ${role}`, password: PASSWORD, role, authorityIds });
    users[role] = { id, actor: { userId: id, username, role, authorityIds } };
  }

  return {
    db, clock, services, users,
    authorities: { wigan: wigan.id, cardiff: cardiff.id },
    customers: { margaret, derek, peter, ceri },
    accounts: { hughesCt, sundry, okaforCt, cardiffCt },
  };
}
export type FixtureCouncil = Awaited<ReturnType<typeof buildFixtureCouncil>>;
