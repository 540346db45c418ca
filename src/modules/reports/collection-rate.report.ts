// The in-year collection rate in the QRC4 definition (DOMAIN.md §8, docs/reports.md):
//   receipts for the year received by 31 March ÷ the year's net collectable debit, to 2 decimals,
// month by month through the year, against the same point last year and the council's target.
import { addMonths, lastDayOfMonth } from '../../domain/calendar.ts';
import { fy, longDate, monthLabel, shortMonth, streamLabel, type ReportBuilder } from './report-context.ts';
import { formatPercent, percentOf, pointsBetween, type Row } from './report-model.ts';
import type { CollectionPointRow } from './reports.repository.ts';

export const COLLECTABLE_STREAMS = ['council_tax', 'business_rates'] as const;

interface Figures {
  debit: number;
  charges: number;
  reductions: number;
  receipts: number; // net of refunds
  refunds: number;
  prepaid: number;
}

const figuresOf = (row: CollectionPointRow | undefined): Figures => ({
  debit: row ? row.charges_pence + row.adjustments_pence : 0,
  charges: row?.charges_pence ?? 0,
  reductions: row ? 0 - row.adjustments_pence : 0,
  receipts: row ? row.receipts_pence - row.refunds_pence : 0,
  refunds: row?.refunds_pence ?? 0,
  prepaid: row?.prepaid_pence ?? 0,
});

/** The twelve month-ends of a year; the month in progress is measured to today, later ones not at all. */
export function monthPoints(year: number, today: string) {
  return Array.from({ length: 12 }, (_, i) => {
    const monthStart = addMonths(`${year}-04-01`, i);
    const monthEnd = lastDayOfMonth(monthStart);
    const asAt = monthEnd <= today ? monthEnd : monthStart <= today ? today : null;
    // Last year at the same point: the month-end a year before, or the same day a year before.
    const lastYearAsAt = asAt === null || asAt === monthEnd ? lastDayOfMonth(addMonths(monthStart, -12)) : addMonths(asAt, -12);
    return { monthNo: i + 1, month: monthStart.slice(0, 7), asAt, lastYearAsAt };
  });
}

export const buildCollectionRate: ReportBuilder = async ({ repo, filters }) => {
  const { year, today } = filters;
  const streams = filters.stream ? [filters.stream] : [...COLLECTABLE_STREAMS];
  const yearEnd = `${year + 1}-03-31`;
  const months = monthPoints(year, today);
  const closeOfYear = today < yearEnd ? today : yearEnd;
  const points = [
    ...months.filter((m) => m.asAt).map((m) => ({ year, asAt: m.asAt! })),
    ...months.map((m) => ({ year: year - 1, asAt: m.lastYearAsAt })),
  ];
  const [rows, inYear, targets] = await Promise.all([
    repo.collectionPoints(filters.authorityIds, streams, points),
    today >= `${year}-04-01` ? repo.dayTotals(filters.authorityIds, streams, `${year}-04-01`, closeOfYear) : Promise.resolve([]),
    filters.authorities.length === 1 ? repo.targets(filters.authorities[0].id, streams, year) : Promise.resolve([]),
  ]);
  const at = (stream: string, y: number, asAt: string | null) =>
    asAt === null ? null : figuresOf(rows.find((r) => r.stream === stream && r.financial_year === y && r.as_at === asAt));
  const targetOf = (stream: string, monthNo: number) => {
    const t = targets.find((x) => x.stream === stream && x.month_no === monthNo);
    return t ? Number(t.target_percent) : null;
  };

  const monthly: Row[] = [];
  for (const stream of streams) {
    for (const m of months) {
      const now = at(stream, year, m.asAt);
      const last = at(stream, year - 1, m.lastYearAsAt)!;
      const rate = now ? percentOf(now.receipts, now.debit) : null;
      const lastRate = percentOf(last.receipts, last.debit);
      const target = targetOf(stream, m.monthNo);
      monthly.push({
        stream: streamLabel(stream),
        month: monthLabel(m.month),
        monthShort: shortMonth(m.month),
        asAt: m.asAt,
        debitPence: now ? now.debit : null,
        receiptsPence: now ? now.receipts : null,
        ratePercent: rate,
        lastYearAsAt: m.lastYearAsAt,
        lastYearDebitPence: last.debit,
        lastYearReceiptsPence: last.receipts,
        lastYearRatePercent: lastRate,
        targetPercent: target,
        againstTargetPoints: pointsBetween(rate, target),
        againstLastYearPoints: pointsBetween(rate, lastRate),
      });
    }
  }

  // The year as QRC4 asks for it, as at today or 31 March.
  const summary: Row[] = [];
  const headline: { label: string; value: string }[] = [];
  for (const stream of streams) {
    const close = at(stream, year, today >= `${year}-04-01` ? closeOfYear : null) ?? figuresOf(undefined);
    const sum = (predicate: (r: { financial_year: number; kind: string }) => boolean) =>
      inYear.filter((r) => r.stream === stream && predicate(r)).reduce((s, r) => s + r.amount_pence, 0);
    const receiptKinds = new Set(['payment', 'transfer', 'refund']);
    const arrearsReceipts = 0 - sum((r) => r.financial_year < year && receiptKinds.has(r.kind));
    const nextYearPrepaid = 0 - sum((r) => r.financial_year > year && receiptKinds.has(r.kind));
    const costsReceived = 0 - sum((r) => r.kind === 'payment_cost');
    const rate = percentOf(close.receipts, close.debit);
    summary.push({
      stream: streamLabel(stream),
      asAt: closeOfYear,
      chargesPence: close.charges,
      reductionsPence: close.reductions,
      debitPence: close.debit,
      prepaidPence: close.prepaid,
      inYearReceiptsPence: close.receipts - close.prepaid,
      receiptsPence: close.receipts,
      refundsPence: close.refunds,
      ratePercent: rate,
      targetPercent: targetOf(stream, 12),
      arrearsReceiptsPence: arrearsReceipts,
      nextYearPrepaidPence: nextYearPrepaid,
      costsReceivedPence: costsReceived,
    });
    headline.push({ label: `${streamLabel(stream)} ${fy(year)} collection rate at ${longDate(closeOfYear)}`, value: rate === null ? 'No debit yet' : formatPercent(rate) });
  }

  const notes = [
    'Collection rate = receipts for the year ÷ net collectable debit for the year, rounded half up to two decimal places (the QRC4 in-year collection rate).',
    'Net collectable debit: the year’s charges (premiums included) less discounts, exemptions, reliefs, Council Tax Reduction and other adjustments to that year. Costs are not debit; write-offs do not reduce it.',
    'Receipts: payments allocated to the year (prepayments received before 1 April included), net of refunds of that year’s credits, received on or before the month-end (and never after 31 March). Payments allocated to costs are not receipts.',
    `Each month is measured at its last day (the month in progress at ${longDate(today)}); last year is measured at the same point a year earlier.`,
  ];
  if (filters.authorities.length !== 1) notes.push('Targets are set per billing authority: choose one authority to compare with its target.');
  if (filters.authorities.length === 1 && !targets.length) notes.push(`No targets are set for ${fy(year)} yet.`);

  return {
    headline,
    tables: [
      {
        key: 'monthly',
        title: `Collection rate by month, ${fy(year)}`,
        columns: [
          { key: 'stream', label: 'Stream', type: 'text' },
          { key: 'month', label: 'Month', type: 'text' },
          { key: 'asAt', label: 'Measured at', type: 'date' },
          { key: 'debitPence', label: 'Net collectable debit', type: 'pence' },
          { key: 'receiptsPence', label: 'Receipts for the year', type: 'pence' },
          { key: 'ratePercent', label: 'Collection rate (%)', type: 'percent' },
          { key: 'lastYearRatePercent', label: `Same point ${fy(year - 1)} (%)`, type: 'percent' },
          { key: 'targetPercent', label: 'Target (%)', type: 'percent' },
          { key: 'againstTargetPoints', label: 'Against target (points)', type: 'points' },
          { key: 'againstLastYearPoints', label: 'Against last year (points)', type: 'points' },
        ],
        rows: monthly,
      },
      {
        key: 'year',
        title: `${fy(year)} in the QRC4 definition`,
        columns: [
          { key: 'stream', label: 'Stream', type: 'text' },
          { key: 'asAt', label: 'As at', type: 'date' },
          { key: 'chargesPence', label: 'Charges', type: 'pence' },
          { key: 'reductionsPence', label: 'Discounts, reliefs and other reductions', type: 'pence' },
          { key: 'debitPence', label: 'Net collectable debit', type: 'pence' },
          { key: 'prepaidPence', label: 'Prepaid before 1 April', type: 'pence' },
          { key: 'inYearReceiptsPence', label: 'Received in the year', type: 'pence' },
          { key: 'receiptsPence', label: 'Receipts for the year', type: 'pence' },
          { key: 'refundsPence', label: 'Refunds (netted off)', type: 'pence' },
          { key: 'ratePercent', label: 'Collection rate (%)', type: 'percent' },
          { key: 'targetPercent', label: 'Year-end target (%)', type: 'percent' },
          { key: 'arrearsReceiptsPence', label: 'Arrears of earlier years collected', type: 'pence' },
          { key: 'nextYearPrepaidPence', label: `Prepaid for ${fy(year + 1)}`, type: 'pence' },
          { key: 'costsReceivedPence', label: 'Costs received (not receipts)', type: 'pence' },
        ],
        rows: summary,
      },
    ],
    charts: streams.map((stream) => ({
      table: 'monthly',
      kind: 'line' as const,
      title: `${streamLabel(stream)} collection rate by month, ${fy(year)}`,
      description: `Cumulative collection rate at the end of each month of ${fy(year)}, with the same point in ${fy(year - 1)} and the council’s target.`,
      x: 'monthShort',
      series: [
        { column: 'ratePercent', label: fy(year) },
        { column: 'lastYearRatePercent', label: fy(year - 1) },
        { column: 'targetPercent', label: 'Target' },
      ],
      where: { stream: streamLabel(stream) },
    })),
    notes,
  };
};
