import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAccountReference, luhnCheckDigit, makeAccountReference } from './account-reference.ts';

test('Luhn check digit matches the published example 7992739871 -> 3', () => {
  assert.equal(luhnCheckDigit('7992739871'), 3);
});

test('references carry the stream digit and validate', () => {
  const ref = makeAccountReference('business_rates', 1234);
  assert.equal(ref.slice(0, 9), '200001234');
  assert.deepEqual(checkAccountReference(ref), { valid: true, reference: ref, stream: 'business_rates' });
});

test('a single mistyped digit or swapped neighbours are caught', () => {
  const ref = makeAccountReference('council_tax', 4567821);
  const typo = ref.slice(0, 4) + String((Number(ref[4]) + 1) % 10) + ref.slice(5);
  assert.equal(checkAccountReference(typo).valid, false);
  const swapped = ref.slice(0, 5) + ref[6] + ref[5] + ref.slice(7);
  if (ref[5] !== ref[6]) assert.equal(checkAccountReference(swapped).valid, false);
  assert.deepEqual(checkAccountReference('12345'), { valid: false, reason: 'must be 10 digits' });
  assert.equal(checkAccountReference(`${ref.slice(0, 3)} ${ref.slice(3)}`).valid, true);
});

test('account numbers outside 1..99999999 are refused', () => {
  assert.throws(() => makeAccountReference('sundry', 0), RangeError);
  assert.throws(() => makeAccountReference('sundry', 100_000_000), RangeError);
});
