// Arrears: what is owed by financial year and stream, how old it is, where it stands in recovery,
// and how the arrears brought forward moved in the year (collected, written off, added to).
import { addDays, financialYearOf } from '../../domain/calendar.ts';
import { POSITION_LABELS, type Position } from '../../domain/recovery/evaluate.ts';
import { fy, longDate, streamLabel, type ReportBuilder } from './report-context.ts';
import { formatPence } from '../../domain/money.ts';
import type { ReportColumn, ReportChart, Row } from './report-model.ts';
import type { StageRow } from './reports.repository.ts';

const POSITION_ORDER: Position[] = ['on_instalments', 'reminder_1', 'reminder_2', 'balance_due', 'final_notice', 'summons', 'liability_order', 'paid', 'withdrawn', 'dismissed'];

export const AGE_BUCKETS = [
  { key: 'future', label: 'Later years (billed in advance)', test: (age: number) => age < 0 },
  { key: 'current', label: 'Current year', test: (age: number) => age === 0 },
  { key: 'one', label: '1 year old', test: (age: number) => age === 1 },
  { key: 'two', label: '2 years old', test: (age: number) => age === 2 },
  { key: 'three-five', label: '3 to 5 years old', test: (age: number) => age >= 3 && age <= 5 },
  { key: 'six', label: '6 years old or more', test: (age: number) => age >= 6 },
] as const;

export const STAGE_COLUMNS: ReportColumn[] = [
  { key: 'stream', label: 'Stream', type: 'text' },
  { key: 'stage', label: 'Recovery position', type: 'text' },
  { key: 'cases', label: 'Account-years', type: 'count' },
  { key: 'held', label: 'On hold', type: 'count' },
  { key: 'owing', label: 'Still owing', type: 'count' },
  { key: 'owedPence', label: 'Owed at the last run', type: 'pence' },
];

/** Where the account-years in recovery stand (the recovery run's positions), in stage order. */
export function stageRowsOf(stages: StageRow[]): Row[] {
  return [...stages]
    .sort((a, b) => a.stream.localeCompare(b.stream) || POSITION_ORDER.indexOf(a.position as Position) - POSITION_ORDER.indexOf(b.position as Position))
    .map((s) => ({
      stream: streamLabel(s.stream),
      stage: POSITION_LABELS[s.position as Position] ?? s.position,
      cases: s.cases,
      held: s.held,
      owing: s.owing,
      owedPence: s.owed_pence,
    }));
}

export const buildArrears: ReportBuilder = async ({ repo, filters }) => {
  const { today, year, from, to } = filters;
  const streams = filters.stream ? [filters.stream] : null;
  const currentYear = financialYearOf(today).startYear;
  const [balances, stages, broughtForward, movements] = await Promise.all([
    repo.yearBalances(filters.authorityIds, streams),
    repo.stages(filters.authorityIds, streams),
    repo.dayTotals(filters.authorityIds, streams, null, addDays(from, -1)),
    repo.dayTotals(filters.authorityIds, streams, from, to),
  ]);
  const presentStreams = [...new Set(balances.map((b) => b.stream))].sort();

  // By financial year and stream (as the ledger stands today).
  const byYear: Row[] = balances.map((b) => ({
    stream: streamLabel(b.stream),
    year: fy(b.financial_year),
    status: b.financial_year < currentYear ? 'Arrears' : b.financial_year === currentYear ? 'Current year' : 'Billed in advance',
    owingAccounts: b.owing_accounts,
    owedPence: b.owing_pence,
    creditAccounts: b.credit_accounts,
    creditPence: b.credit_pence,
    netPence: b.owing_pence - b.credit_pence,
  }));
  const arrearsRows = balances.filter((b) => b.financial_year < currentYear);
  const totalArrears = arrearsRows.reduce((s, b) => s + b.owing_pence, 0);

  const years = [...new Set(balances.map((b) => b.financial_year))].sort((a, b) => b - a);
  const streamColumns: ReportColumn[] = presentStreams.map((s) => ({ key: `owed_${s}`, label: streamLabel(s), type: 'pence' }));
  const pivotYear: Row[] = years.map((y) => {
    const row: Row = { year: fy(y) };
    let total = 0;
    for (const s of presentStreams) {
      const owed = balances.find((b) => b.financial_year === y && b.stream === s)?.owing_pence ?? 0;
      row[`owed_${s}`] = owed;
      total += owed;
    }
    row.totalPence = total;
    return row;
  }).filter((row) => row.totalPence !== 0);

  // Aged debt: by the age of the financial year the debt belongs to.
  const aged: Row[] = AGE_BUCKETS.map((bucket) => {
    const inBucket = balances.filter((b) => bucket.test(currentYear - b.financial_year));
    const row: Row = { age: bucket.label };
    for (const s of presentStreams) row[`owed_${s}`] = inBucket.filter((b) => b.stream === s).reduce((sum, b) => sum + b.owing_pence, 0);
    row.totalPence = inBucket.reduce((sum, b) => sum + b.owing_pence, 0);
    row.accounts = inBucket.reduce((sum, b) => sum + b.owing_accounts, 0);
    return row;
  }).filter((r) => r.accounts !== 0 || r.age !== AGE_BUCKETS[0].label);

  const stageRows = stageRowsOf(stages);

  // Movement of earlier years' arrears in the period.
  const movementStreams = [...new Set([...broughtForward, ...movements].map((r) => r.stream))].sort();
  const movement: Row[] = movementStreams.map((stream) => {
    const earlier = (rows: typeof movements, kinds?: string[]) =>
      rows.filter((r) => r.stream === stream && r.financial_year < year && (!kinds || kinds.includes(r.kind))).reduce((s, r) => s + r.amount_pence, 0);
    const bf = earlier(broughtForward);
    const debit = earlier(movements, ['charge', 'adjustment']);
    const costs = earlier(movements, ['cost']);
    const collected = 0 - earlier(movements, ['payment', 'payment_cost', 'transfer']);
    const refunded = earlier(movements, ['refund']);
    const writtenOff = 0 - earlier(movements, ['write_off', 'write_on']);
    return {
      stream: streamLabel(stream),
      broughtForwardPence: bf,
      debitPence: debit,
      costsPence: costs,
      collectedPence: collected,
      refundedPence: refunded,
      writtenOffPence: writtenOff,
      carriedForwardPence: bf + debit + costs - collected + refunded - writtenOff,
    };
  }).filter((row) => Object.entries(row).some(([key, value]) => key !== 'stream' && value !== 0));
  const collectedTotal = movement.reduce((s, r) => s + (r.collectedPence as number) - (r.refundedPence as number), 0);

  const charts: ReportChart[] = [
    {
      table: 'owed-by-year', kind: 'bar', stacked: true, x: 'year',
      title: 'Owed by financial year and stream',
      description: `What is owed for each financial year, split by stream, as the ledger stands on ${longDate(today)}.`,
      series: presentStreams.map((s) => ({ column: `owed_${s}`, label: streamLabel(s) })),
    },
    {
      table: 'aged', kind: 'bar', stacked: true, x: 'age',
      title: 'Aged debt',
      description: 'What is owed by the age of the financial year it belongs to, split by stream.',
      series: presentStreams.map((s) => ({ column: `owed_${s}`, label: streamLabel(s) })),
    },
    ...[...new Set(stages.map((s) => s.stream))].sort().map((stream) => ({
      table: 'stages', kind: 'bar' as const, x: 'stage', where: { stream: streamLabel(stream) },
      title: `${streamLabel(stream)}: owed at each recovery stage`,
      description: `What the ${streamLabel(stream).toLowerCase()} account-years at each recovery position owed at the last recovery run.`,
      series: [{ column: 'owedPence', label: 'Owed' }],
    })),
  ];

  return {
    headline: [
      { label: `Arrears (years before ${fy(currentYear)}) at ${longDate(today)}`, value: formatPence(totalArrears) },
      { label: `Arrears collected ${longDate(from)} to ${longDate(to)} (costs included, net of refunds)`, value: formatPence(collectedTotal) },
    ],
    tables: [
      {
        key: 'owed-by-year', title: 'Owed by financial year and stream',
        columns: [{ key: 'year', label: 'Financial year', type: 'text' }, ...streamColumns, { key: 'totalPence', label: 'Total', type: 'pence' }],
        rows: pivotYear, empty: 'Nothing is owed.',
      },
      {
        key: 'by-year', title: 'Accounts owing and in credit by financial year',
        columns: [
          { key: 'stream', label: 'Stream', type: 'text' },
          { key: 'year', label: 'Financial year', type: 'text' },
          { key: 'status', label: 'Status', type: 'text' },
          { key: 'owingAccounts', label: 'Accounts owing', type: 'count' },
          { key: 'owedPence', label: 'Owed', type: 'pence' },
          { key: 'creditAccounts', label: 'Accounts in credit', type: 'count' },
          { key: 'creditPence', label: 'Credit', type: 'pence' },
          { key: 'netPence', label: 'Net', type: 'pence' },
        ],
        rows: byYear, empty: 'No balances.',
      },
      {
        key: 'aged', title: 'Aged debt',
        columns: [{ key: 'age', label: 'Age of the debt', type: 'text' }, ...streamColumns, { key: 'totalPence', label: 'Total', type: 'pence' }, { key: 'accounts', label: 'Account-years owing', type: 'count' }],
        rows: aged,
      },
      {
        key: 'stages', title: 'Arrears at each recovery stage', columns: STAGE_COLUMNS,
        rows: stageRows, empty: 'No recovery run has looked at these accounts yet.',
      },
      {
        key: 'movement', title: `Arrears of years before ${fy(year)}: ${longDate(from)} to ${longDate(to)}`,
        columns: [
          { key: 'stream', label: 'Stream', type: 'text' },
          { key: 'broughtForwardPence', label: `Net balance at ${longDate(addDays(from, -1))}`, type: 'pence' },
          { key: 'debitPence', label: 'Charges and adjustments', type: 'pence' },
          { key: 'costsPence', label: 'Costs added', type: 'pence' },
          { key: 'collectedPence', label: 'Collected', type: 'pence' },
          { key: 'refundedPence', label: 'Refunded', type: 'pence' },
          { key: 'writtenOffPence', label: 'Written off (net of write-ons)', type: 'pence' },
          { key: 'carriedForwardPence', label: `Net balance at ${longDate(to)}`, type: 'pence' },
        ],
        rows: movement, empty: 'No arrears of earlier years.',
      },
    ],
    charts,
    notes: [
      `Owed, credit and stage figures are as the ledger stands on ${longDate(today)}: each account's balance for each financial year, costs included. Arrears are the years before ${fy(currentYear)}.`,
      'Aged debt groups each account-year by how many financial years old it is; liability order applications must be made within six years (reg 34(3)).',
      'Recovery positions, and what each account-year owed, are as the last recovery run recorded them (it looks at every account-year in recovery each day).',
      `The movement table nets credits against debts (a year's net balance), so its balances reconcile: brought forward + charges + costs − collected + refunded − written off = carried forward.`,
    ],
  };
};
