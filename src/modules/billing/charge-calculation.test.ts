import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calculateCharge, preceptSharesOf, type ChargeSnapshot } from './charge-calculation.ts';
import { defaultReductionRates } from './reductions.ts';

const ct = (over: Partial<ChargeSnapshot> = {}): ChargeSnapshot => ({
  tax: 'council_tax',
  nation: 'england',
  financialYear: '2026/27',
  liabilities: [{ id: 1, from: '2020-01-01', to: null, propertyId: 10 }],
  valuations: { 10: [{ effectiveFrom: '1993-04-01', band: 'A', rateableValuePounds: null, retailHospitalityLeisure: false }] },
  reductions: [],
  councilTax: {
    bandDPence: 215_300,
    precepts: [{ preceptor: 'Council', bandDPence: 180_000 }, { preceptor: 'Police', bandDPence: 25_300 }, { preceptor: 'Fire', bandDPence: 10_000 }],
    reductionRates: defaultReductionRates(2026),
  },
  ...over,
});

test('a whole year at one band is the band amount, in one line', () => {
  const c = calculateCharge(ct());
  assert.equal(c.lines.length, 1);
  assert.deepEqual(c.totals, { gross: 143_533, premium: 0, discount: 0, ctr: 0, relief: 0, net: 143_533 });
  assert.equal(c.lines[0].days, 365);
  // The precepts share the band amount exactly.
  assert.equal(Object.values(c.precepts).reduce((s, p) => s + p.byBand.A, 0), 143_533);
});

test('moves in mid-year, gets single person discount from a later date, moves out', () => {
  const c = calculateCharge(ct({
    liabilities: [{ id: 1, from: '2026-06-15', to: '2026-12-31', propertyId: 10 }],
    reductions: [{ id: 5, code: 'single_person', from: '2026-09-01', to: null }],
  }));
  assert.deepEqual(c.lines.map((l) => [l.from, l.to, l.days, l.grossPence, l.adjustments.map((a) => a.pence), l.netPence]), [
    ['2026-06-15', '2026-08-31', 78, 30673, [], 30673], // 143533 × 78 / 365 = 30672.8
    ['2026-09-01', '2026-12-31', 122, 47975, [11994], 35981], // 143533 × 122 / 365 = 47975.4; 25% = 11993.75
  ]);
  assert.equal(c.totals.net, 30673 + 35981);
});

test('a band change from a date splits the year', () => {
  const c = calculateCharge(ct({ valuations: { 10: [
    { effectiveFrom: '1993-04-01', band: 'A', rateableValuePounds: null, retailHospitalityLeisure: false },
    { effectiveFrom: '2026-10-01', band: 'B', rateableValuePounds: null, retailHospitalityLeisure: false },
  ] } }));
  assert.deepEqual(c.lines.map((l) => [l.band, l.days, l.annualPence]), [['A', 183, 143_533], ['B', 182, 167_456]]);
  assert.ok(c.precepts.every((p) => p.byBand.A > 0 && p.byBand.B > 0));
});

test('long-term empty premium steps up on the anniversaries', () => {
  const c = calculateCharge(ct({ reductions: [{ id: 5, code: 'long_term_empty', from: '2020-01-01', to: null, emptySince: '2021-08-10' }] }));
  // Empty 5 years on 10 August 2026: 100% until then, 200% after.
  assert.deepEqual(c.lines.map((l) => [l.from, l.to, l.adjustments[0]?.percent]), [['2026-04-01', '2026-08-09', '100'], ['2026-08-10', '2027-03-31', '200']]);
  assert.equal(c.totals.premium, c.lines[0].grossPence + 2 * c.lines[1].grossPence);
});

test('an exemption beats a discount; a premium beats a discount and says so', () => {
  const exempt = calculateCharge(ct({ reductions: [{ id: 1, code: 'exempt_n', from: '2020-01-01', to: null }, { id: 2, code: 'single_person', from: '2020-01-01', to: null }] }));
  assert.equal(exempt.totals.net, 0);
  const premium = calculateCharge(ct({ reductions: [{ id: 1, code: 'second_home', from: '2020-01-01', to: null }, { id: 2, code: 'single_person', from: '2020-01-01', to: null }] }));
  assert.equal(premium.totals.net, 2 * 143_533);
  assert.match(premium.notes[0], /Single person discount not applied/);
});

test('Council Tax Reduction is a weekly credit, never more than the charge', () => {
  const c = calculateCharge(ct({ reductions: [{ id: 1, code: 'council_tax_reduction', from: '2026-04-01', to: '2026-04-07', weeklyPence: 2_000 }] }));
  assert.equal(c.totals.ctr, 2_000);
  const big = calculateCharge(ct({ reductions: [{ id: 1, code: 'council_tax_reduction', from: '2026-04-01', to: null, weeklyPence: 99_999 }] }));
  assert.equal(big.totals.net, 0);
});

test('business rates: RV drops below £15,000 mid-year and small business rate relief starts to bite', () => {
  const c = calculateCharge({
    tax: 'business_rates',
    nation: 'england',
    financialYear: '2026/27',
    liabilities: [{ id: 1, from: '2019-01-01', to: null, propertyId: 20 }],
    valuations: { 20: [
      { effectiveFrom: '2023-04-01', band: null, rateableValuePounds: 18_000, retailHospitalityLeisure: false },
      { effectiveFrom: '2026-10-01', band: null, rateableValuePounds: 13_500, retailHospitalityLeisure: false },
    ] },
    reductions: [{ id: 1, code: 'small_business_relief', from: '2019-01-01', to: null }],
  });
  // 18,000 × 43.2p = 777,600 a year → 183 days = 389,865.2; 13,500 × 43.2p = 583,200 → 182 days = 290,801.1; 50% relief 291,600 → 145,400.5.
  assert.deepEqual(c.lines.map((l) => [l.rateableValuePounds, l.days, l.grossPence, l.adjustments.map((a) => a.pence)]), [
    [18_000, 183, 389_865, []],
    [13_500, 182, 290_801, [145_401]],
  ]);
});

test('business rates: a shop empties mid-year: 3 months free, then full rates on the ordinary multiplier', () => {
  const c = calculateCharge({
    tax: 'business_rates',
    nation: 'england',
    financialYear: '2026/27',
    liabilities: [{ id: 1, from: '2019-01-01', to: null, propertyId: 20 }],
    valuations: { 20: [{ effectiveFrom: '2023-04-01', band: null, rateableValuePounds: 20_000, retailHospitalityLeisure: true }] },
    reductions: [{ id: 1, code: 'empty_property', from: '2026-06-15', to: null, emptySince: '2026-06-15' }],
  });
  // Occupied: RHL small 38.2p → 764,000 a year × 75/365 = 156,986.3. Empty: RHL multipliers are for
  // a hereditament in RHL use, so small business 43.2p → 864,000 a year; 15 Jun–14 Sep (92 days)
  // = 217,775.3 all relieved; 15 Sep–31 Mar (198 days) = 468,690.4 charged.
  assert.deepEqual(c.lines.map((l) => [l.from, l.to, l.days, l.multiplierPence, l.grossPence, l.adjustments.map((a) => [a.code, a.pence]), l.netPence]), [
    ['2026-04-01', '2026-06-14', 75, '38.2', 156_986, [], 156_986],
    ['2026-06-15', '2026-09-14', 92, '43.2', 217_775, [['empty_property_relief', 217_775]], 0],
    ['2026-09-15', '2027-03-31', 198, '43.2', 468_690, [], 468_690],
  ]);
  assert.match(c.lines[1].adjustments[0].label, /first 3 months empty/);
  assert.equal(c.totals.relief, 217_775);
  assert.equal(c.totals.net, 156_986 + 468_690);
});

test('business rates: empty listed building free all year; small business relief does not apply while empty', () => {
  const snapshot = (code: string, rv: number): ChargeSnapshot => ({
    tax: 'business_rates',
    nation: 'england',
    financialYear: '2025/26',
    liabilities: [{ id: 1, from: '2019-01-01', to: null, propertyId: 20 }],
    valuations: { 20: [{ effectiveFrom: '2023-04-01', band: null, rateableValuePounds: rv, retailHospitalityLeisure: false }] },
    reductions: [
      { id: 1, code: 'small_business_relief', from: '2019-01-01', to: null },
      { id: 2, code, from: '2024-01-01', to: null, emptySince: '2024-01-01' },
    ],
  });
  const listed = calculateCharge(snapshot('empty_listed', 10_000));
  assert.equal(listed.totals.net, 0);
  assert.equal(listed.totals.gross, 499_000); // 10,000 × 49.9p (2025/26 small business)
  // Empty since January 2024, so well past 3 months: the full charge, and no SBRR although RV is £10,000.
  const plain = calculateCharge(snapshot('empty_property', 10_000));
  assert.deepEqual([plain.totals.gross, plain.totals.relief, plain.totals.net], [499_000, 0, 499_000]);
  assert.match(plain.notes.join(' '), /small business, charity and retail, hospitality and leisure relief do not apply/);
  // Under £2,900 rateable value: free however long it has been empty.
  assert.equal(calculateCharge(snapshot('empty_property', 2_500)).totals.net, 0);
});

test('precept shares add up to the band amount', () => {
  assert.deepEqual(preceptSharesOf(143_533, 215_300, [{ preceptor: 'a', bandDPence: 100_000 }, { preceptor: 'b', bandDPence: 115_300 }]), [66_667, 76_866]);
});
