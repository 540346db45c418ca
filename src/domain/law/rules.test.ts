import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTACHMENT_OF_BENEFITS_RULES } from './attachment-of-benefits.ts';
import { ATTACHMENT_OF_EARNINGS_RULES } from './attachment-of-earnings-tables.ts';
import { BUSINESS_RATES_RULES } from './business-rates.ts';
import { COUNCIL_TAX_BAND_RATIO_RULES } from './council-tax-bands.ts';
import { ENFORCEMENT_AGENT_FEE_RULES } from './enforcement-agent-fees.ts';
import { BUSINESS_RATES_INSTALMENT_RULES, COUNCIL_TAX_INSTALMENT_RULES } from './instalment-schemes.ts';
import { findRuleDataProblems, latestRule, NoRuleInForceError, ruleInForce, type EffectiveDated } from './rules.ts';

const rule = (nation: 'england' | 'wales', effectiveFrom: string, effectiveTo?: string): EffectiveDated & { id: string } => ({
  nation,
  effectiveFrom,
  effectiveTo,
  source: 'test',
  id: `${nation}:${effectiveFrom}`,
});

test('ruleInForce picks the rule whose dates include the day, per nation', () => {
  const rules = [rule('england', '2007-04-01', '2022-03-31'), rule('england', '2022-04-01'), rule('wales', '2010-01-01')];
  assert.equal(ruleInForce(rules, 'england', '2022-03-31').id, 'england:2007-04-01');
  assert.equal(ruleInForce(rules, 'england', '2022-04-01').id, 'england:2022-04-01');
  assert.equal(ruleInForce(rules, 'england', '2099-01-01').id, 'england:2022-04-01');
  assert.equal(ruleInForce(rules, 'wales', '2010-01-01').id, 'wales:2010-01-01');
  assert.throws(() => ruleInForce(rules, 'england', '2007-03-31'), NoRuleInForceError);
  assert.throws(() => ruleInForce(rules, 'wales', '2009-12-31'), NoRuleInForceError);
  assert.throws(() => ruleInForce([rule('england', '2020-01-01'), rule('england', '2021-01-01')], 'england', '2021-06-01'), /rule data error/);
  assert.equal(latestRule(rules, 'england').id, 'england:2022-04-01');
});

test('findRuleDataProblems spots overlaps and back-to-front dates', () => {
  assert.deepEqual(findRuleDataProblems([rule('england', '2020-01-01', '2020-12-31'), rule('england', '2021-01-01')]), []);
  assert.equal(findRuleDataProblems([rule('england', '2020-01-01'), rule('england', '2021-01-01')]).length, 1);
  assert.equal(findRuleDataProblems([rule('england', '2020-01-01', '2021-01-01'), rule('england', '2021-01-01')]).length, 1);
  assert.equal(findRuleDataProblems([rule('wales', '2020-01-02', '2020-01-01')]).length, 1);
});

test('every statutory data set is well formed (no overlapping rules per nation)', () => {
  const sets: Record<string, readonly EffectiveDated[]> = {
    ATTACHMENT_OF_EARNINGS_RULES,
    ATTACHMENT_OF_BENEFITS_RULES,
    BUSINESS_RATES_RULES,
    COUNCIL_TAX_BAND_RATIO_RULES,
    ENFORCEMENT_AGENT_FEE_RULES,
    COUNCIL_TAX_INSTALMENT_RULES,
    BUSINESS_RATES_INSTALMENT_RULES,
  };
  for (const [name, rules] of Object.entries(sets)) {
    assert.deepEqual(findRuleDataProblems(rules), [], name);
    for (const r of rules) assert.ok(r.source.length > 10, `${name} rule from ${r.effectiveFrom} cites a source`);
  }
});

test('attachment of earnings tables have ascending limits and one rate per band', () => {
  for (const r of ATTACHMENT_OF_EARNINGS_RULES) {
    for (const [period, table] of Object.entries(r.tables)) {
      assert.equal(table.bandUpperLimitsPence.length, table.ratesPercent.length, `${r.nation} ${period}`);
      const limits = table.bandUpperLimitsPence;
      assert.ok(limits.every((l, i) => i === 0 || l > limits[i - 1]), `${r.nation} ${period} ascending`);
    }
  }
});

test('business rates multipliers cover every rateable value exactly once, for both kinds of use', () => {
  for (const r of BUSINESS_RATES_RULES) {
    for (const rhl of [true, false]) {
      for (const rv of [0, 1, 12_000, 50_999, 51_000, 499_999, 500_000, 10_000_000]) {
        const hits = r.multipliers.filter(
          (m) =>
            (m.retailHospitalityLeisure === 'any' || m.retailHospitalityLeisure === rhl) &&
            rv >= m.minRateableValuePounds &&
            (m.maxRateableValuePounds === undefined || rv <= m.maxRateableValuePounds),
        );
        assert.equal(hits.length, 1, `${r.effectiveFrom} RV ${rv} rhl=${rhl}`);
      }
    }
  }
});
