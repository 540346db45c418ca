import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisLabel, escapeXml, niceStep, renderChart } from './charts.ts';
import { formatPoints, percentOf, pointsBetween } from './report-model.ts';
import type { ReportChart, ReportTable } from './report-model.ts';
import { monthPoints } from './collection-rate.report.ts';

const table: ReportTable = {
  key: 't',
  title: 'Figures & more',
  columns: [
    { key: 'month', label: 'Month', type: 'text' },
    { key: 'stream', label: 'Stream', type: 'text' },
    { key: 'a', label: 'A', type: 'percent' },
    { key: 'b', label: 'B', type: 'percent' },
  ],
  rows: [
    { month: 'Apr', stream: 'x', a: 10, b: 12 },
    { month: 'May', stream: 'x', a: 20, b: null },
    { month: 'Jun', stream: 'x', a: 30, b: 35 },
    { month: 'Apr', stream: 'y', a: 50, b: 50 },
  ],
};

test('collection rate: half up to two decimals, exactly', () => {
  assert.equal(percentOf(451600, 744500), 60.66);
  assert.equal(percentOf(1, 8), 12.5);
  assert.equal(percentOf(2, 30000), 0.01); // 0.00667 → 0.01
  assert.equal(percentOf(1, 30000), 0); // 0.00333 → 0.00
  assert.equal(percentOf(5, 40000), 0.01); // exactly 0.0125 → half up
  assert.equal(percentOf(100, 0), null);
  assert.equal(percentOf(-50, 1000), -5);
  assert.equal(pointsBetween(60.66, 74.6), -13.94);
  assert.ok(Object.is(pointsBetween(0.1 + 0.2, 0.3), 0), 'never -0');
  assert.equal(formatPoints(-13.94), '−13.94');
  assert.equal(formatPoints(1.07), '+1.07');
});

test('month points: the month in progress is measured to today; last year at the same point', () => {
  const points = monthPoints(2026, '2026-11-22');
  assert.deepEqual(points[0], { monthNo: 1, month: '2026-04', asAt: '2026-04-30', lastYearAsAt: '2025-04-30' });
  assert.deepEqual(points[7], { monthNo: 8, month: '2026-11', asAt: '2026-11-22', lastYearAsAt: '2025-11-22' });
  assert.deepEqual(points[8], { monthNo: 9, month: '2026-12', asAt: null, lastYearAsAt: '2025-12-31' });
  // February of a year ending in a leap year against a non-leap one.
  assert.deepEqual(monthPoints(2027, '2028-05-01')[10], { monthNo: 11, month: '2028-02', asAt: '2028-02-29', lastYearAsAt: '2027-02-28' });
});

test('axis scale and labels', () => {
  assert.equal(niceStep(17), 20);
  assert.equal(niceStep(0.3), 0.5);
  assert.equal(niceStep(2300), 2500);
  assert.equal(axisLabel(250_000_000, 'pence'), '£2.5m');
  assert.equal(axisLabel(1_234_500, 'pence'), '£12.3k');
  assert.equal(axisLabel(95_000, 'pence'), '£950');
  assert.equal(axisLabel(40, 'percent'), '40%');
  assert.equal(axisLabel(1200, 'count'), '1,200');
  assert.equal(escapeXml(`<a href="x">Tom & Jerry's</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
});

test('a line chart: an image with a name and description, one path per series, broken where a value is missing', () => {
  const chart: ReportChart = { table: 't', kind: 'line', title: 'Rate <by> month', description: 'What it shows.', x: 'month', series: [{ column: 'a', label: 'This year' }, { column: 'b', label: 'Last year' }], where: { stream: 'x' } };
  const svg = renderChart(chart, table, 'chart-1');
  assert.match(svg, /^<svg [^>]*role="img" aria-labelledby="chart-1-title chart-1-desc"/);
  assert.match(svg, /<title id="chart-1-title">Rate &lt;by&gt; month<\/title>/);
  assert.match(svg, /<desc id="chart-1-desc">What it shows\. The figures are in the table “Figures &amp; more”\.<\/desc>/);
  const paths = svg.match(/<path d="M[^"]*" fill="none"[^>]*>/g)!;
  assert.equal(paths.length, 2);
  assert.equal((paths[0].match(/[ML]/g) ?? []).length, 3, 'this year: three points joined');
  assert.equal((paths[1].match(/M/g) ?? []).length, 2, 'last year: broken at the missing May');
  assert.match(paths[1], /stroke-dasharray/, 'told apart by dash, not colour alone');
  assert.match(svg, />100%<\/text>/, 'percentages run to 100%');
  assert.doesNotMatch(svg, /style=/);
  assert.doesNotMatch(svg, />Apr<\/text>[\s\S]*>Apr<\/text>/, 'only the rows asked for');
});

test('a stacked bar chart stacks; an empty one says so', () => {
  const chart: ReportChart = { table: 't', kind: 'bar', stacked: true, title: 'Stacked', description: 'd', x: 'month', series: [{ column: 'a', label: 'A' }, { column: 'b', label: 'B' }] };
  const svg = renderChart(chart, table, 'c');
  const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill/g)].map((m) => m.slice(1).map(Number));
  const bars = rects.filter((r) => r[2] !== 14); // not legend keys
  assert.equal(bars.length, 7); // 4 rows × 2 series, less May's missing B
  const apr = bars.filter((r) => r[0] === bars[0][0]);
  assert.equal(apr.length, 2);
  assert.ok(Math.abs(apr[0][1] - (apr[1][1] + apr[1][3])) < 0.2, 'the second series sits on top of the first');
  const empty = renderChart(chart, { ...table, rows: [] }, 'e');
  assert.match(empty, /No figures to show/);
});
