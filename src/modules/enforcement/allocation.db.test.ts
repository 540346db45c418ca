// Allocation rules choosing the firm (one referral and in bulk), recalls (by hand, by reference, and
// when a Breathing Space or vulnerability hold is placed), the recall file, and the per-firm totals.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.ts';
import { createEnforcementRepository } from './enforcement.repository.ts';

let db: Db;
let f: FixtureCouncil;
const firms: Record<'a' | 'b' | 'c' | 'd', number> = { a: 0, b: 0, c: 0, d: 0 };
let n = 0;

/** An account with a liability order for 2025 owing `pence`, its debtor living at `postcode`. */
async function debtor(postcode: string, pence: number, stream: 'council_tax' | 'business_rates' = 'council_tax') {
  n += 1;
  const [c] = await db.query<{ id: number }>(`insert into customers (authority_id, kind, surname, display_name) values ($1, 'person', 'Debtor', 'Debtor ' || $2::text) returning id`, [f.authorities.wigan, n]);
  await db.query(`insert into customer_addresses (customer_id, address_line1, town, postcode, from_date) values ($1, $2 || ' Mill Lane', 'Wigan', $3, '2024-04-01')`, [c.id, n, postcode]);
  const reference = `${stream === 'council_tax' ? 1 : 2}0000${String(8000 + n)}`;
  const [a] = await db.query<{ id: number }>(`insert into accounts (authority_id, reference, stream, customer_id, opened_on) values ($1, $2, $3, $4, '2024-04-01') returning id`, [f.authorities.wigan, reference, stream, c.id]);
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'charge', $2, 2025, '2025-04-01', 'test')`, [a.id, pence]);
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason) values ($1, $2, 2025, 'liability_order', '2026-03-01', 'granted')`, [f.authorities.wigan, a.id]);
  return { id: Number(a.id), reference };
}

before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  const senior = f.users.senior_recovery_officer.actor;
  firms.a = await f.services.enforcement.addFirm(senior, { name: 'Alpha Agents', code: 'ALP' });
  firms.b = await f.services.enforcement.addFirm(senior, { name: 'Beta Bailiffs', code: 'BET' });
  firms.c = await f.services.enforcement.addFirm(senior, { name: 'Commercial Recovery', code: 'COM' });
  firms.d = await f.services.enforcement.addFirm(senior, { name: 'Default Enforcement', code: 'DEF' });
});
after(() => db.close());

test('rules are validated and only a senior officer may set them', async () => {
  const { recovery_officer: officer, senior_recovery_officer: senior } = f.users;
  await assert.rejects(f.services.enforcement.addRule(officer.actor, { stream: 'council_tax', firms: [{ firmId: firms.a, share: 1 }] }), ForbiddenError);
  const bad = (input: unknown, field: string) => assert.rejects(f.services.enforcement.addRule(senior.actor, input), (e: unknown) => e instanceof ValidationError && e.fields.some((p) => p.field === field));
  await bad({ postcodePrefixes: 'WN1 1AA', firms: [{ firmId: firms.a, share: 1 }] }, 'postcodePrefixes');
  await bad({ firms: [{ firmId: firms.a, share: 1 }] }, 'stream');
  await bad({ stream: 'council_tax', minBalancePence: 5000, maxBalancePence: 5000, firms: [{ firmId: firms.a, share: 1 }] }, 'maxBalancePence');
  await bad({ fallback: true, stream: 'council_tax', firms: [{ firmId: firms.d, share: 1 }] }, 'fallback');
  await bad({ stream: 'council_tax', firms: [] }, 'firms');
  await bad({ stream: 'council_tax', firms: [{ firmId: 999999, share: 1 }] }, 'firms');
});

test('without a firm the first matching rule chooses; a shared rule cycles by weight across single and bulk referrals; the fallback takes the rest', async () => {
  const { recovery_officer: officer, senior_recovery_officer: senior } = f.users;
  // Added out of order on purpose: position decides.
  await f.services.enforcement.addRule(senior.actor, { position: 20, postcodePrefixes: 'WN1, bl', minBalancePence: 100_000, firms: [{ firmId: firms.a, share: 2 }, { firmId: firms.b, share: 1 }] });
  await f.services.enforcement.addRule(senior.actor, { position: 10, stream: 'business_rates', firms: [{ firmId: firms.c, share: 1 }] });

  const small = await debtor('WN1 2AB', 50_000);
  await assert.rejects(f.services.enforcement.refer(officer.actor, small.id, { financialYear: 2025 }),
    (e: unknown) => e instanceof ValidationError && e.fields[0].field === 'firmId', 'no rule matches and there is no fallback');
  const fallbackId = await f.services.enforcement.addRule(senior.actor, { fallback: 'yes', firms: [{ firmId: firms.d, share: 1 }] });
  await assert.rejects(f.services.enforcement.addRule(senior.actor, { fallback: true, firms: [{ firmId: firms.a, share: 1 }] }), ConflictError);
  const toFallback = await f.services.enforcement.refer(officer.actor, small.id, { firmId: '', financialYear: 2025 });
  assert.deepEqual([toFallback.firmId, toFallback.allocationRuleId], [firms.d, fallbackId]);

  const shop = await debtor('WN1 3CD', 400_000, 'business_rates');
  assert.equal((await f.services.enforcement.refer(officer.actor, shop.id, { financialYear: 2025 })).firmId, firms.c, 'business rates: rule at position 10 first');
  const first = await debtor('WN1 4EF', 180_000);
  assert.equal((await f.services.enforcement.refer(officer.actor, first.id, { financialYear: 2025 })).firmId, firms.a, 'cycle slot 0');
  const chosen = await debtor('WN1 5GH', 150_000);
  assert.equal((await f.services.enforcement.refer(officer.actor, chosen.id, { firmId: firms.d, financialYear: 2025 })).allocationRuleId, null, 'an officer’s choice of firm stands');

  // Bulk: four more in the shared rule continue its cycle (A, A, B repeating from slot 1): A, B, A, A.
  const more = [await debtor('BL1 1AA', 200_000), await debtor('WN1 6JK', 100_000), await debtor('BL9 9ZZ', 300_000), await debtor('WN1 7LM', 120_000)];
  const elsewhere = await debtor('M1 1AA', 200_000);
  const result = await f.services.enforcement.referMany(officer.actor, { cases: [
    ...more.map((m) => ({ accountReference: m.reference, financialYear: 2025 })),
    { accountReference: elsewhere.reference, financialYear: '2025' },
    { accountReference: '199999999', financialYear: 2025 },
    { accountReference: first.reference, financialYear: 2025 },
    { accountReference: more[0].reference, financialYear: 2025 },
  ] });
  assert.deepEqual(result.referred.map((r) => [r.accountReference, r.firmId]),
    [[more[0].reference, firms.a], [more[1].reference, firms.b], [more[2].reference, firms.a], [more[3].reference, firms.a], [elsewhere.reference, firms.d]]);
  assert.deepEqual(result.notReferred.map((r) => r.accountReference), ['199999999', first.reference, more[0].reference]);
  assert.match(result.notReferred[1].reason, /already referred/);
  const [rule] = await db.query<{ allocated: number }>('select allocated from ea_allocation_rules where position = 20');
  assert.equal(Number(rule.allocated), 5);
  const [ev] = await db.query<{ summary: string }>(`select summary from events where account_id = $1 and type = 'enforcement'`, [more[1].id]);
  assert.match(ev.summary, /^Referred to Beta Bailiffs for £2,000\.00|^Referred to Beta Bailiffs for £1,000\.00/);

  await f.services.enforcement.removeRule(senior.actor, fallbackId);
  const another = await debtor('M2 2BB', 100_000);
  await assert.rejects(f.services.enforcement.refer(officer.actor, another.id, { financialYear: 2025 }), ValidationError, 'the fallback is gone');
});

test('recalls: by hand, by reference and on a Breathing Space; the recall file tells the firm once; totals agree', async () => {
  const { recovery_officer: officer, recovery_administrator: admin } = f.users;
  const sent = await debtor('WN3 1AA', 90_000);
  const notSent = await debtor('WN3 2AA', 90_000);
  const spaced = await debtor('WN3 3AA', 90_000);
  const byRef = await debtor('WN3 4AA', 90_000);
  const refs: Record<string, number> = {};
  for (const a of [sent, spaced, byRef]) refs[a.reference] = (await f.services.enforcement.refer(officer.actor, a.id, { firmId: firms.b, financialYear: 2025 })).id;
  assert.ok((await f.services.enforcement.exportForFirm(officer.actor, firms.b)).cases >= 3);
  refs[notSent.reference] = (await f.services.enforcement.refer(officer.actor, notSent.id, { firmId: firms.b, financialYear: 2025 })).id;
  const before = (await f.services.enforcement.performance(officer.actor)).find((p) => p.firm_id === firms.b)!;

  await assert.rejects(f.services.enforcement.recall(officer.actor, refs[sent.reference], { reason: 'because' }), ValidationError);
  assert.deepEqual(await f.services.enforcement.recall(admin.actor, refs[sent.reference], { reason: 'paid_direct', note: 'Paid at the cash office' }), { id: refs[sent.reference], recalled: true, firmToBeTold: true });
  await assert.rejects(f.services.enforcement.recall(officer.actor, refs[sent.reference], { reason: 'error' }), ConflictError, 'already recalled');
  assert.equal((await f.services.enforcement.recall(officer.actor, refs[notSent.reference], { reason: 'error' })).firmToBeTold, false, 'never sent: nothing to tell the firm');

  await f.services.holds.createHold(officer.actor, { accountId: spaced.id }, { type: 'breathing_space_standard', reason: 'Insolvency Service notice', reference: 'BS-1' });
  const [auto] = await db.query<{ status: string; reason: string; hold_id: number | null }>('select r.status, x.reason, x.hold_id from ea_referrals r join ea_recalls x on x.referral_id = r.id where r.id = $1', [refs[spaced.reference]]);
  assert.equal(auto.status, 'recalled');
  assert.equal(auto.reason, 'hold');
  assert.ok(auto.hold_id);

  const bulk = await f.services.enforcement.recallMany(officer.actor, { reason: 'complaint', cases: [{ accountReference: byRef.reference }, { accountReference: sent.reference, financialYear: 2025 }] });
  assert.deepEqual(bulk.recalled.map((r) => r.referralId), [refs[byRef.reference]]);
  assert.deepEqual(bulk.notFound.map((r) => r.accountReference), [sent.reference]);

  const after = (await f.services.enforcement.performance(officer.actor)).find((p) => p.firm_id === firms.b)!;
  assert.equal(after.open, before.open - 3, 'three sent cases no longer live at the firm');
  assert.equal(after.recalled, before.recalled + 4);

  const file = await f.services.enforcement.recallFileForFirm(officer.actor, firms.b);
  const [header, ...lines] = file.csv.trim().split('\r\n');
  assert.equal(header, 'referral_id,account_reference,debtor_name,financial_year,recalled_on,reason,reason_text');
  assert.deepEqual(lines.map((l) => l.split(',').slice(0, 2)), [[String(refs[sent.reference]), sent.reference], [String(refs[spaced.reference]), spaced.reference], [String(refs[byRef.reference]), byRef.reference]]);
  assert.match(lines[0], /,2025\/26,2026-\d\d-\d\d,paid_direct,Paid direct to the council$/);
  assert.equal((await f.services.enforcement.recallFileForFirm(officer.actor, firms.b)).recalls, 0, 'told once');

  // A returns line for a recalled case is reported, not posted.
  const imported = await f.services.enforcement.importReturns(officer.actor, 'late.csv', `referral_id,status,date,paid,fee_stage,fee\n${refs[sent.reference]},paid,2026-11-20,900.00,,`);
  assert.equal(imported.applied, 0);
  assert.match(imported.problems[0].message, /recalled/);

  // The year can be referred again once recalled.
  assert.equal((await f.services.enforcement.refer(officer.actor, notSent.id, { firmId: firms.a, financialYear: 2025 })).status, 'ready');

  const kept = (await f.services.enforcement.performance(officer.actor)).map(({ firm_name: _n, ...rest }) => rest).sort((x, y) => x.firm_id - y.firm_id);
  assert.deepEqual(kept, await createEnforcementRepository(db).performanceFromReferrals(officer.actor.authorityIds));
});
