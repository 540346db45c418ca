import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocate, firmAt, outwardCode, postcodeMatches, type AllocationRule } from './enforcement-allocation.ts';

const rule = (r: Partial<AllocationRule> & Pick<AllocationRule, 'id' | 'firms'>): AllocationRule =>
  ({ position: r.id * 10, fallback: false, stream: null, postcodePrefixes: [], minBalancePence: null, maxBalancePence: null, allocated: 0, ...r });

test('postcode areas match by their letters, districts exactly', () => {
  assert.equal(outwardCode('wn1 1aa'), 'WN1');
  assert.equal(outwardCode('EC1A1BB'), 'EC1A');
  assert.equal(postcodeMatches('WN1 1AA', 'WN'), true);
  assert.equal(postcodeMatches('WN12 3BB', 'WN'), true);
  assert.equal(postcodeMatches('W1A 1AA', 'WN'), false, 'area W is not WN');
  assert.equal(postcodeMatches('WN1 1AA', 'wn1'), true);
  assert.equal(postcodeMatches('WN12 3BB', 'WN1'), false, 'district WN1 is not WN12');
  assert.equal(postcodeMatches(null, 'WN'), false);
});

test('the first matching rule in order wins; stream, postcode and balance band must all hold', () => {
  const rules = [
    rule({ id: 3, position: 30, stream: 'council_tax', firms: [{ firmId: 3, share: 1 }] }),
    rule({ id: 1, position: 10, stream: 'business_rates', firms: [{ firmId: 1, share: 1 }] }),
    rule({ id: 2, position: 20, postcodePrefixes: ['BL', 'WN2'], minBalancePence: 100_000, maxBalancePence: 500_000, firms: [{ firmId: 2, share: 1 }] }),
  ];
  const got = allocate(rules, [
    { stream: 'business_rates', postcode: 'BL1 1AA', balancePence: 200_000 }, // rule 1 comes first
    { stream: 'council_tax', postcode: 'BL1 1AA', balancePence: 200_000 }, // rule 2
    { stream: 'council_tax', postcode: 'WN2 4AA', balancePence: 100_000 }, // rule 2: the band includes its lower bound
    { stream: 'council_tax', postcode: 'WN2 4AA', balancePence: 500_000 }, // band excludes its upper bound: rule 3
    { stream: 'council_tax', postcode: 'WN1 4AA', balancePence: 200_000 }, // not in the district: rule 3
  ]);
  assert.deepEqual(got.map((g) => g?.ruleId), [1, 2, 2, 3, 3]);
  assert.deepEqual(got.map((g) => g?.firmId), [1, 2, 2, 3, 3]);
});

test('with no match the fallback takes the case, whatever its position; without one the case is unallocated', () => {
  const fallback = rule({ id: 9, position: 0, fallback: true, firms: [{ firmId: 9, share: 1 }] });
  const ct = rule({ id: 1, position: 10, stream: 'council_tax', postcodePrefixes: ['WN'], firms: [{ firmId: 1, share: 1 }] });
  const cases = [{ stream: 'council_tax', postcode: 'WN1 1AA', balancePence: 1 }, { stream: 'council_tax', postcode: 'M1 1AA', balancePence: 1 }];
  assert.deepEqual(allocate([fallback, ct], cases).map((g) => g?.firmId), [1, 9]);
  assert.deepEqual(allocate([rule({ ...ct, allocated: 0 })], cases).map((g) => g?.firmId ?? null), [1, null]);
});

test('a shared rule cycles by weight and continues from its count', () => {
  const shared = rule({ id: 1, firms: [{ firmId: 20, share: 1 }, { firmId: 10, share: 2 }] });
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((s) => firmAt(shared, s)), [10, 10, 20, 10, 10, 20]);
  shared.allocated = 2;
  const got = allocate([shared], Array.from({ length: 4 }, () => ({ stream: 'council_tax', postcode: null, balancePence: 1 })));
  assert.deepEqual(got.map((g) => g?.firmId), [20, 10, 10, 20]);
  assert.equal(shared.allocated, 6);
});
