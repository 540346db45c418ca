// Billing through the real services on a real database: every statutory vector reproduced through
// the billing code (not only the calculators), and time-travel scenarios with the fixed clock.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { makeAuthority, makeLiableAccount, setUpBilling } from '../../../test/support/billing-fixture.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor } from '../auth/context.ts';
import { divideRoundHalfUp } from '../../domain/money.ts';
import { defaultReductionRates } from './reductions.ts';

const vectorsDir = process.env.LEVY_VECTORS_DIR ?? path.resolve(process.cwd(), '../shared/vectors');
const readVectors = (file: string) =>
  (JSON.parse(fs.readFileSync(path.join(vectorsDir, file), 'utf8')) as { cases: { name: string; input: Record<string, unknown>; expected: Record<string, unknown> }[] }).cases;

let db: Db;
let f: FixtureCouncil;
let officer: Actor;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  await setUpBilling(f);
  officer = f.users.recovery_officer.actor;
});
after(() => db.close());

const ledgerFor = (accountId: number) =>
  db.query<{ kind: string; amount_pence: number; financial_year: number; billing_component: string | null; reason: string | null }>(
    'select kind, amount_pence, financial_year, billing_component, reason from ledger_entries where account_id = $1 order by id', [accountId]);
const currentPlan = async (accountId: number, year: number) => {
  const plans = await db.query<{ id: number; total_pence: number; credits_before_pence: number }>(
    'select id, total_pence, credits_before_pence from instalment_plans where account_id = $1 and financial_year = $2 and superseded_at is null', [accountId, year]);
  assert.equal(plans.length, 1, 'exactly one current plan');
  const instalments = await db.query<{ seq: number; due_date: string; amount_pence: number }>('select seq, due_date, amount_pence from instalments where plan_id = $1 order by seq', [plans[0].id]);
  return { ...plans[0], instalments };
};

const hasPdftotext = (() => { try { execFileSync('pdftotext', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } })();
function pdfText(pdf: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'levy-bill-')), 'bill.pdf');
  fs.writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** An authority of its own for a vector whose Band D differs, with an actor who can see it. */
const vectorAuthorities = new Map<string, { authorityId: number; actor: Actor }>();
async function authorityWith(year: number, bandDPence: number, discountPercent = '25') {
  const key = `${year}|${bandDPence}|${discountPercent}`;
  const existing = vectorAuthorities.get(key);
  if (existing) return existing;
  const authorityId = await makeAuthority(db, `Vector council ${vectorAuthorities.size + 1}`, `E0699${String(vectorAuthorities.size).padStart(4, '0')}`);
  const actor: Actor = { ...f.users.recovery_manager.actor, authorityIds: [f.authorities.wigan, authorityId] };
  const rates = defaultReductionRates(year).map((r) => (r.code === 'single_person' ? { ...r, percent: discountPercent } : r));
  await f.services.billing.setChargeYear(actor, authorityId, {
    financialYear: `${year}/${String((year + 1) % 100).padStart(2, '0')}`, bandDPence, source: 'vector', precepts: [{ preceptor: 'Vector council', bandDPence }], rates,
  });
  const entry = { authorityId, actor };
  vectorAuthorities.set(key, entry);
  return entry;
}

/** The band and Band D whose band amount is exactly `annual` (England ratios). */
function bandFor(annual: number): { band: string; bandD: number } {
  const ratios: [string, number][] = [['D', 9], ['A', 6], ['B', 7], ['C', 8], ['E', 11], ['F', 13], ['G', 15], ['H', 18]];
  for (const [band, n] of ratios) {
    const guess = divideRoundHalfUp(annual * 9, n);
    for (const bandD of [guess - 1, guess, guess + 1]) if (divideRoundHalfUp(bandD * n, 9) === annual) return { band, bandD };
  }
  throw new Error(`no band gives ${annual}`);
}

const startYear = (fy: string) => Number(fy.slice(0, 4));

describe('statutory vectors, through the billing code', () => {
  test('council-tax-band-amounts: a full year at each band is billed at the band amount', async () => {
    for (const c of readVectors('council-tax-band-amounts.json')) {
      const { authorityId, actor } = await authorityWith(2026, c.input.band_d_pence as number);
      const a = await makeLiableAccount(db, { authorityId, band: c.input.band as string, from: '2020-01-01' });
      f.clock.set('2026-03-10');
      const [bill] = await f.services.billing.reissueBill(actor, a.accountId, { financialYear: '2026/27', reason: 'vector' });
      assert.equal(bill.chargePence, c.expected.annual_pence, c.name);
      assert.deepEqual((await ledgerFor(a.accountId)).map((l) => [l.kind, l.amount_pence, l.billing_component]), [['charge', c.expected.annual_pence, 'gross']], c.name);
    }
  });

  test('council-tax-period-charge: part of a year with a discount', async () => {
    for (const c of readVectors('council-tax-period-charge.json')) {
      const fy = c.input.financial_year as string;
      const { band, bandD } = bandFor(c.input.annual_pence as number);
      const percent = String(c.input.discount_percent);
      const { authorityId, actor } = await authorityWith(startYear(fy), bandD, percent === '0' ? '25' : percent);
      const a = await makeLiableAccount(db, { authorityId, band, from: c.input.from as string, to: c.input.to as string });
      if (percent !== '0') await db.query(`insert into account_reductions (account_id, code, from_date) values ($1, 'single_person', $2)`, [a.accountId, c.input.from]);
      f.clock.set(c.input.from as string);
      await f.services.billing.reissueBill(actor, a.accountId, { financialYear: fy, reason: 'vector' });
      const calc = await f.services.billing.previewCharge(actor, a.accountId, fy);
      assert.equal(calc.lines.length, 1, c.name);
      const line = calc.lines[0];
      assert.deepEqual(
        { days: line.days, days_in_year: line.daysInYear, gross_pence: calc.totals.gross, discount_pence: calc.totals.discount, net_pence: calc.totals.net },
        c.expected, c.name);
      const posted = await ledgerFor(a.accountId);
      assert.equal(posted.reduce((s, l) => s + l.amount_pence, 0), c.expected.net_pence, `${c.name}: the ledger holds the net charge`);
    }
  });

  test('council-tax-instalments: the plan on the bill', async () => {
    for (const c of readVectors('council-tax-instalments.json')) {
      const fy = c.input.financial_year as string;
      const total = c.input.total_pence as number;
      // Band D billed for the whole year is exactly the total.
      const { authorityId, actor } = await authorityWith(startYear(fy), total);
      const a = await makeLiableAccount(db, { authorityId, band: 'D', from: '2020-01-01', twelve: c.input.twelve_requested as boolean });
      f.clock.set(c.input.issued_on as string);
      const [bill] = await f.services.billing.reissueBill(actor, a.accountId, { financialYear: fy, reason: 'vector' });
      assert.equal(bill.chargePence, total);
      const plan = await currentPlan(a.accountId, startYear(fy));
      const amounts = plan.instalments.map((i) => i.amount_pence);
      assert.deepEqual(
        { count: amounts.length, first_pence: amounts[0], other_pence: amounts.length > 1 ? amounts[1] : null },
        c.expected, c.name);
      assert.equal(plan.total_pence, total);
      for (const i of plan.instalments) assert.ok(i.due_date > (c.input.issued_on as string), `${c.name}: due after issue`);
    }
  });

  test('business-rates-2026-27: multiplier, gross charge and mandatory relief', async () => {
    for (const c of readVectors('business-rates-2026-27.json')) {
      const a = await makeLiableAccount(db, { authorityId: f.authorities.wigan, kind: 'hereditament', rateableValuePounds: c.input.rateable_value_pounds as number, from: '2020-01-01' });
      await db.query(
        `insert into property_valuations (property_id, effective_from, rateable_value_pounds, retail_hospitality_leisure, source) values ($1, '2023-04-01', $2, $3, 'test')`,
        [a.propertyId, c.input.rateable_value_pounds, c.input.retail_hospitality_leisure]);
      if (c.input.small_business_relief_eligible) await db.query(`insert into account_reductions (account_id, code, from_date) values ($1, 'small_business_relief', '2020-01-01')`, [a.accountId]);
      if (c.input.charity) await db.query(`insert into account_reductions (account_id, code, from_date) values ($1, 'charity_relief', '2020-01-01')`, [a.accountId]);
      f.clock.set('2026-03-10');
      const [bill] = await f.services.billing.reissueBill(officer, a.accountId, { financialYear: c.input.financial_year as string, reason: 'vector' });
      const calc = await f.services.billing.previewCharge(officer, a.accountId, c.input.financial_year as string);
      const mandatory = calc.lines[0].adjustments.filter((x) => x.code === 'small_business_relief' || x.code === 'charity_relief');
      assert.deepEqual({
        multiplier_pence: calc.lines[0].multiplierPence,
        gross_pence: calc.totals.gross,
        relief_percent: mandatory[0]?.percent ?? '0',
        relief_pence: mandatory.reduce((s, x) => s + x.pence, 0),
        net_pence: bill.chargePence,
      }, c.expected, c.name);
      const posted = await ledgerFor(a.accountId);
      assert.equal(posted.reduce((s, l) => s + l.amount_pence, 0), c.expected.net_pence, c.name);
    }
  });
});

describe('time travel', () => {
  test('moves in mid-June (8 instalments), gets single person discount, moves out at New Year (a single instalment)', async () => {
    const [prop] = await db.query<{ id: number }>(
      `insert into properties (authority_id, kind, address_line1, town, postcode, band) values ($1, 'dwelling', '27 Orchard Way', 'Wigan', 'WN5 0LP', 'A') returning id`,
      [f.authorities.wigan]);

    f.clock.set('2026-06-20');
    const moved = await f.services.billing.moveIn(officer, {
      propertyId: prop.id, moveInDate: '2026-06-15', people: [{ title: 'Ms', forenames: 'Aisha', surname: 'Khan' }, { forenames: 'Omar', surname: 'Khan' }],
      paymentMethod: 'cash', instalmentDay: 1, email: 'aisha.khan@example.org', notifyByEmail: true,
    });
    assert.equal(moved.bills.length, 1);
    // The vector case: £1,435.33 for 15 June to 31 March is £1,140.40.
    assert.equal(moved.bills[0].chargePence, 114_040);
    const june = await currentPlan(moved.accountId, 2026);
    assert.equal(june.instalments.length, 8, 'issued in June: one less than the 9 whole months left');
    assert.deepEqual(june.instalments.map((i) => i.due_date), ['2026-08-01', '2026-09-01', '2026-10-01', '2026-11-01', '2026-12-01', '2027-01-01', '2027-02-01', '2027-03-01']);
    assert.equal(june.instalments.reduce((s, i) => s + i.amount_pence, 0), 114_040);
    // The email copy is queued in the outbox beside the printed letter.
    const outbox = await db.query<{ channel: string; recipient: string }>('select channel, recipient from outbox_messages where account_id = $1 order by id', [moved.accountId]);
    assert.deepEqual(outbox.map((m) => m.channel), ['letter', 'email']);
    assert.equal(outbox[1].recipient, 'aisha.khan@example.org');

    // They pay the first instalment; Omar leaves and Aisha lives alone from 1 September.
    await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'payment', $2, 2026, '2026-08-01', 'test')`, [moved.accountId, -june.instalments[0].amount_pence]);
    f.clock.set('2026-09-10');
    const [aisha] = moved.customerIds;
    await f.services.billing.changeLiableParties(officer, moved.accountId, { fromDate: '2026-09-01', customerIds: [aisha] });
    const spd = await f.services.billing.awardReduction(officer, moved.accountId, { code: 'single_person', fromDate: '2026-09-01' });
    // The change of liable people split the year: 15 June–31 August (78 days, £306.73) and
    // 1 September–31 March (212 days, £833.67), 25% off the second = £208.42.
    assert.equal(spd.bills[0].chargePence, 114_040 - 20_842);
    const september = await currentPlan(moved.accountId, 2026);
    assert.equal(september.credits_before_pence, june.instalments[0].amount_pence);
    assert.equal(september.total_pence, 114_040 - 20_842 - june.instalments[0].amount_pence, 'the new plan covers what is left');
    assert.equal(september.instalments[0].due_date, '2026-10-01');

    f.clock.set('2027-01-15');
    const out = await f.services.billing.moveOut(officer, moved.accountId, { moveOutDate: '2026-12-31', forwardingAddress: { line1: '4 New Road', town: 'Leigh', postcode: 'wn7 1aa' } });
    const calc = await f.services.billing.previewCharge(officer, moved.accountId, '2026/27');
    assert.deepEqual(calc.lines.map((l) => [l.from, l.to, l.days]), [['2026-06-15', '2026-08-31', 78], ['2026-09-01', '2026-12-31', 122]]);
    assert.equal(out.bills[0].chargePence, calc.totals.net);
    const january = await currentPlan(moved.accountId, 2026);
    assert.equal(january.instalments.length, 1, 'issued after 31 December: a single instalment');
    assert.equal(january.instalments[0].amount_pence, calc.totals.net - june.instalments[0].amount_pence);

    // The ledger is appended to, never edited: what billing posted adds up to the final charge.
    const ledger = await ledgerFor(moved.accountId);
    assert.equal(ledger.filter((l) => l.billing_component).reduce((s, l) => s + l.amount_pence, 0), calc.totals.net);
    assert.ok(ledger.some((l) => l.kind === 'charge' && l.amount_pence < 0), 'the move out posts a negative charge difference');
    const bills = await db.query<{ kind: string; charge_pence: number; previous_charge_pence: number }>('select kind, charge_pence, previous_charge_pence from bills where account_id = $1 order by id', [moved.accountId]);
    assert.equal(bills.length, 4, 'move in, change of liable people, discount, move out');
    assert.deepEqual(bills.map((b) => b.previous_charge_pence), [0, 114_040, 114_040, 114_040 - 20_842]);
    const plans = await db.query<{ n: number }>('select count(*)::int as n from instalment_plans where account_id = $1', [moved.accountId]);
    assert.equal(plans[0].n, 4);
    const events = await db.query<{ type: string }>('select type from events where account_id = $1 order by id', [moved.accountId]);
    for (const type of ['moved_in', 'liable_parties_changed', 'award_made', 'moved_out', 'charge_recalculated', 'document']) {
      assert.ok(events.some((e) => e.type === type), `an event of type ${type}`);
    }
    const forwarding = await db.query<{ postcode: string }>(`select postcode from customer_addresses where customer_id = $1 and kind = 'forwarding'`, [aisha]);
    assert.deepEqual(forwarding, [{ postcode: 'WN7 1AA' }]);
  });

  test('a business whose rateable value drops below £15,000 mid-year gets small business rate relief from that day', async () => {
    const a = await makeLiableAccount(db, { authorityId: f.authorities.wigan, kind: 'hereditament', rateableValuePounds: 18_000, description: 'Office and premises', from: '2019-05-01', name: 'Pennington Accountants LLP' });
    await db.query(`insert into account_reductions (account_id, code, from_date) values ($1, 'small_business_relief', '2019-05-01')`, [a.accountId]);
    f.clock.set('2026-03-10');
    const [annual] = await f.services.billing.reissueBill(officer, a.accountId, { financialYear: '2026/27', reason: 'annual bill' });
    assert.equal(annual.chargePence, 777_600, 'RV £18,000 × 43.2p, no relief above £15,000');
    assert.equal((await currentPlan(a.accountId, 2026)).instalments.length, 10);

    f.clock.set('2026-11-05');
    const change = await f.services.billing.changeValuation(officer, a.propertyId, { effectiveFrom: '2026-10-01', rateableValuePounds: 13_500, reason: 'VOA list alteration 2026-0042' });
    // 1 Apr–30 Sep: 183 days of £7,776.00 = £3,898.65; 1 Oct–31 Mar: 182 days of £5,832.00 = £2,908.01 less 50% relief £1,454.01.
    assert.equal(change.bills[0].chargePence, 389_865 + 290_801 - 145_401);
    const ledger = await ledgerFor(a.accountId);
    assert.deepEqual(ledger.slice(1).map((l) => [l.kind, l.billing_component, l.amount_pence]), [
      ['charge', 'gross', 389_865 + 290_801 - 777_600],
      ['adjustment', 'relief', -145_401],
    ]);
    const [property] = await db.query<{ rateable_value_pounds: number }>('select rateable_value_pounds from properties where id = $1', [a.propertyId]);
    assert.equal(property.rateable_value_pounds, 13_500, 'the current value follows the history');
    const history = await db.query<{ effective_from: string; rateable_value_pounds: number; source: string }>(
      'select effective_from, rateable_value_pounds, source from property_valuations where property_id = $1 order by effective_from', [a.propertyId]);
    assert.deepEqual(history.map((h) => [h.rateable_value_pounds, h.source]), [[18_000, 'baseline'], [13_500, 'officer']]);
    const plan = await currentPlan(a.accountId, 2026);
    assert.ok(plan.instalments.every((i) => i.amount_pence >= 5_000), 'business rates instalments are at least £50');
  });

  test('a business that moves out leaving the property empty: 3 months free, then full rates, on the bill and ledger', async () => {
    const a = await makeLiableAccount(db, { authorityId: f.authorities.wigan, kind: 'hereditament', rateableValuePounds: 20_000, description: 'Office and premises', from: '2019-05-01', name: 'Empty Offices Ltd' });
    await db.query(`insert into account_reductions (account_id, code, from_date) values ($1, 'small_business_relief', '2019-05-01')`, [a.accountId]);
    f.clock.set('2026-03-10');
    const [annual] = await f.services.billing.reissueBill(officer, a.accountId, { financialYear: '2026/27', reason: 'annual bill' });
    assert.equal(annual.chargePence, 864_000, 'RV £20,000 × 43.2p, no SBRR at £20,000');

    f.clock.set('2026-07-01');
    await assert.rejects(
      f.services.billing.awardReduction(officer, a.accountId, { code: 'empty_property', fromDate: '2026-06-15' }),
      (e: unknown) => e instanceof ValidationError && e.fields?.some((x) => x.field === 'emptySince' && /property became empty/.test(x.message)) === true,
    );
    const award = await f.services.billing.awardReduction(officer, a.accountId, { code: 'empty_property', fromDate: '2026-06-15', emptySince: '2026-06-15', note: 'inspected 20 June' });
    // 1 Apr–14 Jun occupied, 75 days: 177,534.2; 15 Jun–14 Sep free, 92 days: 217,775.3; 15 Sep–31 Mar, 198 days: 468,690.4.
    assert.equal(award.bills[0].chargePence, 177_534 + 468_690);
    const ledger = await ledgerFor(a.accountId);
    // Three apportioned lines add to a penny under the whole year's 864,000 (each rounded once).
    assert.deepEqual(ledger.slice(1).map((l) => [l.kind, l.billing_component, l.amount_pence]), [['charge', 'gross', -1], ['adjustment', 'relief', -217_775]]);
    const [doc] = await db.query<{ content: unknown }>('select content from documents where id = $1', [award.bills[0].documentId]);
    const text = JSON.stringify(doc.content);
    assert.match(text, /Empty property relief \(first 3 months empty\)/);
    assert.match(text, /small business, charity and retail, hospitality and leisure relief do not apply/);
  });

  test('a bill issued in January is payable in one instalment; reissuing with no change posts nothing', async () => {
    const a = await makeLiableAccount(db, { authorityId: f.authorities.wigan, band: 'C', from: '2026-12-01' });
    f.clock.set('2027-01-05');
    const [bill] = await f.services.billing.reissueBill(officer, a.accountId, { financialYear: '2026/27', reason: 'moved in' });
    const plan = await currentPlan(a.accountId, 2026);
    assert.equal(plan.instalments.length, 1);
    assert.equal(plan.instalments[0].amount_pence, bill.chargePence);
    assert.ok(plan.instalments[0].due_date >= '2027-01-19', 'at least 14 days after issue');
    const before = (await ledgerFor(a.accountId)).length;
    await f.services.billing.reissueBill(officer, a.accountId, { financialYear: '2026/27', reason: 'copy requested' });
    assert.equal((await ledgerFor(a.accountId)).length, before, 'no difference, no entry');
  });
});

test('an account billed before Levy: a rebill keeps its charge and plans what is left after payments', async () => {
  // Fixture: 2026/27 charged £1,435.33 (band A) with £574.00 paid.
  f.clock.set('2026-11-22');
  const [bill] = await f.services.billing.reissueBill(officer, f.accounts.hughesCt.id, { financialYear: '2026/27', reason: 'copy requested' });
  assert.equal(bill.chargePence, 143_533);
  assert.equal(bill.previousChargePence, 143_533);
  const plan = await currentPlan(f.accounts.hughesCt.id, 2026);
  assert.equal(plan.credits_before_pence, 57_400);
  assert.equal(plan.total_pence, 143_533 - 57_400);
  // Issued 22 November: 4 whole months left (December–March) less one = 3, from 1 January.
  assert.deepEqual(plan.instalments.map((i) => i.due_date), ['2027-01-01', '2027-02-01', '2027-03-01']);
});

test('the demand notice carries the statutory content', async (t) => {
  f.clock.set('2026-11-22');
  const a = await makeLiableAccount(db, { authorityId: f.authorities.wigan, band: 'B', from: '2026-04-01' });
  await db.query(`insert into account_reductions (account_id, code, from_date) values ($1, 'single_person', '2026-04-01')`, [a.accountId]);
  const [bill] = await f.services.billing.reissueBill(officer, a.accountId, { financialYear: '2026/27', reason: 'annual bill' });
  assert.ok(bill.documentId);
  const { pdf } = await f.services.documents.renderPdf(officer, bill.documentId!);
  if (!hasPdftotext) return t.skip('pdftotext not installed');
  const text = pdfText(pdf).replace(/\s+/g, ' ');
  if (process.env.LEVY_SHOW_BILL) console.log(pdfText(pdf));
  for (const expected of ['Council Tax bill 2026/27', 'Valuation band B', 'Band B: £1,674.56 a year', 'Single person discount 25%', '-£418.64',
    'Police and Crime Commissioner', 'Where your council tax goes', 'When to pay', 'How to pay',
    'www.gov.uk/challenge-council', 'Valuation Tribunal', 'Council Tax Reduction', 'Citizens Advice', a.reference]) {
    assert.ok(text.includes(expected), `the bill should say "${expected}"`);
  }
});

test('permissions and authorities', async () => {
  const a = await makeLiableAccount(db, { authorityId: f.authorities.wigan, band: 'A', from: '2026-04-01' });
  await assert.rejects(f.services.billing.awardReduction(f.users.auditor.actor, a.accountId, { code: 'single_person', fromDate: '2026-04-01' }), ForbiddenError);
  await assert.rejects(f.services.billing.reissueBill(officer, f.accounts.cardiffCt.id, { financialYear: '2026/27' }), NotFoundError);
  await assert.rejects(f.services.billing.awardReduction(officer, a.accountId, { code: 'small_business_relief', fromDate: '2026-04-01' }), ValidationError);
  await assert.rejects(f.services.billing.setChargeYear(officer, f.authorities.wigan, {}), ForbiddenError);
  // Precepts must add up to Band D; a billed year's Band D cannot change.
  await assert.rejects(f.services.billing.setChargeYear(f.users.recovery_manager.actor, f.authorities.wigan, {
    financialYear: '2028/29', bandDPence: 230_000, source: 'x', precepts: [{ preceptor: 'Council', bandDPence: 1 }],
  }), ValidationError);
  await assert.rejects(f.services.billing.setChargeYear(f.users.recovery_manager.actor, f.authorities.wigan, {
    financialYear: '2026/27', bandDPence: 999_999, source: 'x', precepts: [{ preceptor: 'Council', bandDPence: 999_999 }],
  }), ConflictError);
  // Moving in where someone is already liable from a later date is refused.
  await assert.rejects(f.services.billing.moveIn(officer, { propertyId: a.propertyId, moveInDate: '2026-03-01', people: [{ forenames: 'A', surname: 'B' }], paymentMethod: 'cash', instalmentDay: 1 }), ConflictError);
  // Direct Debit payers choose from the council's collection days.
  await assert.rejects(f.services.billing.moveIn(officer, { propertyId: a.propertyId, moveInDate: '2026-12-01', people: [{ forenames: 'A', surname: 'B' }], paymentMethod: 'direct_debit', instalmentDay: 9 }), ValidationError);
});

test('a move in ends the previous occupier’s liability the day before, and rebills them', async () => {
  const a = await makeLiableAccount(db, { authorityId: f.authorities.wigan, band: 'D', from: '2025-01-01' });
  f.clock.set('2026-03-10');
  await f.services.billing.reissueBill(officer, a.accountId, { financialYear: '2026/27', reason: 'annual bill' });
  f.clock.set('2026-08-05');
  const moved = await f.services.billing.moveIn(officer, { propertyId: a.propertyId, moveInDate: '2026-08-01', people: [{ forenames: 'Priya', surname: 'Shah' }], livesAlone: true, paymentMethod: 'direct_debit', instalmentDay: 15 });
  const [old] = await db.query<{ to_date: string }>('select to_date from liabilities where account_id = $1', [a.accountId]);
  assert.equal(old.to_date, '2026-07-31');
  assert.equal(moved.previousOccupierBills.length, 1);
  assert.equal(moved.previousOccupierBills[0].chargePence, divideRoundHalfUp(215_300 * 122, 365));
  const plan = await currentPlan(moved.accountId, 2026);
  assert.ok(plan.instalments.every((i) => i.due_date.endsWith('-15')), 'Direct Debit on the 15th');
  const calc = await f.services.billing.previewCharge(officer, moved.accountId, '2026/27');
  assert.equal(calc.lines[0].adjustments[0].code, 'single_person');
});

test('empty property: re-occupied for under 13 weeks, the free months do not start again (SI 2008/386 reg 5)', async () => {
  f.clock.set('2026-08-05');
  const a = await makeLiableAccount(db, { authorityId: f.authorities.wigan, kind: 'hereditament', rateableValuePounds: 30_000, description: 'Warehouse and premises', from: '2025-01-01', name: 'Lessor Estates Ltd' });
  // Empty from 1 April to 30 June (free: 3 months), let on 1 July, empty again from 1 August.
  await f.services.billing.awardReduction(officer, a.accountId, { code: 'empty_property', fromDate: '2026-04-01', toDate: '2026-06-30', emptySince: '2026-04-01' });
  await assert.rejects(
    f.services.billing.awardReduction(officer, a.accountId, { code: 'empty_property', fromDate: '2026-08-01', emptySince: '2026-08-01' }),
    (e: unknown) => e instanceof ValidationError && e.fields?.some((x) => x.field === 'emptySince' && /less than 13 weeks \(from 1 July 2026\).*enter 1 April 2026/.test(x.message)) === true,
  );
  const ok = await f.services.billing.awardReduction(officer, a.accountId, { code: 'empty_property', fromDate: '2026-08-01', emptySince: '2026-04-01' });
  const [bill] = ok.bills;
  // 30,000 × 43.2p = 1,296,000 a year. Free 1 April–30 June (91 days = 323,112.3); charged 1–31 July
  // (31 days = 110,071.2) and from 1 August (243 days = 862,816.4): no new free months in August.
  assert.equal(bill.chargePence, 110_071 + 862_816);
  // Empty again after 13 weeks' occupation: a fresh free period is allowed.
  const later = await makeLiableAccount(db, { authorityId: f.authorities.wigan, kind: 'hereditament', rateableValuePounds: 30_000, from: '2025-01-01' });
  await f.services.billing.awardReduction(officer, later.accountId, { code: 'empty_property', fromDate: '2026-04-01', toDate: '2026-04-30', emptySince: '2026-04-01' });
  await f.services.billing.awardReduction(officer, later.accountId, { code: 'empty_property', fromDate: '2026-08-01', emptySince: '2026-08-01' });
});
