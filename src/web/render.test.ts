import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createViewEnvironment, formatDate, formatDateTime, formatPence } from './render.ts';

const env = createViewEnvironment();

test('selectattr with equalto picks only the matching items (Jinja semantics)', () => {
  const out = env.renderString('{% set e = (errors | selectattr("field", "equalto", "b") | first) %}{{ e.message }}', {
    errors: [{ field: 'a', message: 'first' }, { field: 'b', message: 'second' }],
  });
  assert.equal(out, 'second');
  assert.equal(env.renderString('{{ (errors | selectattr("field", "equalto", "z") | length) }}', { errors: [{ field: 'a' }] }), '0');
});

test('trim of an empty macro result is falsy, a non-empty one keeps its escaping', () => {
  const template = '{% macro m(x) %}{{ x }}{% endmacro %}{% set a = m("") | trim %}{% set b = m("<b>") | trim %}[{{ "yes" if a else "no" }}][{{ b }}]';
  assert.equal(env.renderString(template, {}), '[no][&lt;b&gt;]');
});

test('money and dates are shown the GOV.UK way', () => {
  assert.equal(formatPence(123456789), '£1,234,567.89');
  assert.equal(formatPence(-5), '-£0.05');
  assert.equal(formatDate('2026-04-01'), '1 April 2026');
  // Noon in winter (GMT) and in summer (BST): 12, not 0.
  assert.equal(formatDateTime(new Date('2026-11-22T12:05:00Z')), '22 November 2026, 12:05 pm');
  assert.equal(formatDateTime(new Date('2026-07-01T08:30:00Z')), '1 July 2026, 9:30 am');
});
