// Money that needs watching: suspense by age, refunds, and write-offs by reason.
import { formatPence } from '../../domain/money.ts';
import { longDate, monthLabel, shortMonth, streamLabel, type ReportBuilder } from './report-context.ts';
import type { Row } from './report-model.ts';

export const SUSPENSE_AGES = ['Up to 7 days', '8 to 30 days', '31 to 90 days', '91 days to a year', 'Over a year'];

export const buildSuspense: ReportBuilder = async ({ repo, filters }) => {
  const rows = await repo.suspenseByAge(filters.authorityIds, filters.today);
  const table: Row[] = SUSPENSE_AGES.map((age, i) => {
    const r = rows.find((x) => x.bucket === i + 1);
    return { age, items: r?.items ?? 0, amountPence: r?.amount_pence ?? 0, oldest: r?.oldest ?? null };
  });
  const items = table.reduce((s, r) => s + (r.items as number), 0);
  const amount = table.reduce((s, r) => s + (r.amountPence as number), 0);
  return {
    headline: [
      { label: `In suspense at ${longDate(filters.today)}`, value: `${items.toLocaleString('en-GB')} ${items === 1 ? 'payment' : 'payments'}, ${formatPence(amount)}` },
    ],
    tables: [{
      key: 'ages', title: `Suspense by age at ${longDate(filters.today)}`,
      columns: [
        { key: 'age', label: 'Waiting for', type: 'text' },
        { key: 'items', label: 'Payments', type: 'count' },
        { key: 'amountPence', label: 'Amount', type: 'pence' },
        { key: 'oldest', label: 'Oldest received', type: 'date' },
      ],
      rows: table,
      totals: { age: 'Total', items, amountPence: amount, oldest: rows.map((r) => r.oldest).filter(Boolean).sort()[0] ?? null },
    }],
    charts: [{
      table: 'ages', kind: 'bar', x: 'age', title: 'Money in suspense by age',
      description: 'The amount of unidentified money waiting in suspense, by how long it has waited since it was received.',
      series: [{ column: 'amountPence', label: 'Amount' }],
    }],
    notes: ['Suspense holds payments that could not be matched to an account; age is counted in days from the day the money was received.'],
  };
};

const REFUND_STATUSES = ['requested', 'approved', 'paid', 'rejected'] as const;
const REFUND_STATUS_LABELS: Record<(typeof REFUND_STATUSES)[number], string> = {
  requested: 'Waiting for approval', approved: 'Approved, not yet paid', paid: 'Paid', rejected: 'Rejected',
};

export const buildRefunds: ReportBuilder = async ({ repo, filters }) => {
  const { from, to } = filters;
  const rows = await repo.refundsByMonth(filters.authorityIds, from, to);
  const months = [...new Set(rows.map((r) => r.month))].sort();
  const byMonth: Row[] = months.map((month) => {
    const row: Row = { month: monthLabel(month), monthShort: shortMonth(month) };
    for (const s of REFUND_STATUSES) row[s] = rows.filter((r) => r.month === month && r.status === s).reduce((sum, r) => sum + r.amount_pence, 0);
    row.refunds = rows.filter((r) => r.month === month).reduce((sum, r) => sum + r.refunds, 0);
    return row;
  });
  const detail: Row[] = rows.map((r) => ({
    month: monthLabel(r.month),
    kind: r.kind === 'return' ? 'Return of money in suspense' : 'Refund of a credit balance',
    status: REFUND_STATUS_LABELS[r.status as (typeof REFUND_STATUSES)[number]] ?? r.status,
    refunds: r.refunds,
    amountPence: r.amount_pence,
  }));
  const paidOrApproved = rows.filter((r) => r.status === 'paid' || r.status === 'approved').reduce((s, r) => s + r.amount_pence, 0);
  const waiting = rows.filter((r) => r.status === 'requested');
  return {
    headline: [
      { label: `Refunds approved or paid, ${longDate(from)} to ${longDate(to)}`, value: formatPence(paidOrApproved) },
      { label: 'Still waiting for approval', value: `${waiting.reduce((s, r) => s + r.refunds, 0)} (${formatPence(waiting.reduce((s, r) => s + r.amount_pence, 0))})` },
    ],
    tables: [
      {
        key: 'by-month', title: `Refunds asked for by month, ${longDate(from)} to ${longDate(to)}`,
        columns: [
          { key: 'month', label: 'Month asked for', type: 'text' },
          ...REFUND_STATUSES.map((s) => ({ key: s, label: REFUND_STATUS_LABELS[s], type: 'pence' as const })),
          { key: 'refunds', label: 'Refunds', type: 'count' },
        ],
        rows: byMonth, empty: 'No refunds were asked for in this period.',
      },
      {
        key: 'detail', title: 'Refunds and returns by status',
        columns: [
          { key: 'month', label: 'Month asked for', type: 'text' },
          { key: 'kind', label: 'Kind', type: 'text' },
          { key: 'status', label: 'Where it stands', type: 'text' },
          { key: 'refunds', label: 'Refunds', type: 'count' },
          { key: 'amountPence', label: 'Amount', type: 'pence' },
        ],
        rows: detail, empty: 'No refunds were asked for in this period.',
      },
    ],
    charts: [{
      table: 'by-month', kind: 'bar', stacked: true, x: 'monthShort', title: 'Refunds by month asked for',
      description: 'The amount of refunds asked for each month, split by where each stands now.',
      series: REFUND_STATUSES.map((s) => ({ column: s, label: REFUND_STATUS_LABELS[s] })),
    }],
    notes: ['Refunds are counted in the month they were asked for; their status is today’s. Returns send unidentified money in suspense back to the payer.'],
  };
};

export const buildWriteOffs: ReportBuilder = async ({ repo, filters }) => {
  const { from, to } = filters;
  const rows = await repo.writeOffs(filters.authorityIds, filters.stream ? [filters.stream] : null, from, to);
  const keys = [...new Set(rows.map((r) => `${r.stream}\u0000${r.reason}`))];
  const table: Row[] = keys.map((key) => {
    const [stream, reason] = key.split('\u0000');
    const off = rows.find((r) => r.stream === stream && r.reason === reason && r.kind === 'write_off');
    const on = rows.find((r) => r.stream === stream && r.reason === reason && r.kind === 'write_on');
    const writtenOff = 0 - (off?.amount_pence ?? 0);
    const writtenOn = on?.amount_pence ?? 0;
    return {
      stream: streamLabel(stream), reason, writeOffs: off?.entries ?? 0, writtenOffPence: writtenOff,
      writeOns: on?.entries ?? 0, writtenOnPence: writtenOn, netPence: writtenOff - writtenOn,
    };
  }).sort((a, b) => (b.netPence as number) - (a.netPence as number));
  const net = table.reduce((s, r) => s + (r.netPence as number), 0);
  return {
    headline: [{ label: `Written off, net of write-ons, ${longDate(from)} to ${longDate(to)}`, value: formatPence(net) }],
    tables: [{
      key: 'reasons', title: `Write-offs by reason, ${longDate(from)} to ${longDate(to)}`,
      columns: [
        { key: 'stream', label: 'Stream', type: 'text' },
        { key: 'reason', label: 'Reason', type: 'text' },
        { key: 'writeOffs', label: 'Write-offs', type: 'count' },
        { key: 'writtenOffPence', label: 'Written off', type: 'pence' },
        { key: 'writeOns', label: 'Write-ons', type: 'count' },
        { key: 'writtenOnPence', label: 'Written back on', type: 'pence' },
        { key: 'netPence', label: 'Net written off', type: 'pence' },
      ],
      rows: table, empty: 'Nothing was written off in this period.',
      totals: table.length ? {
        stream: 'Total', reason: '', writeOffs: table.reduce((s, r) => s + (r.writeOffs as number), 0),
        writtenOffPence: table.reduce((s, r) => s + (r.writtenOffPence as number), 0),
        writeOns: table.reduce((s, r) => s + (r.writeOns as number), 0),
        writtenOnPence: table.reduce((s, r) => s + (r.writtenOnPence as number), 0), netPence: net,
      } : undefined,
    }],
    charts: [{
      table: 'reasons', kind: 'bar', x: 'reason', title: 'Net written off by reason',
      description: 'The amount written off in the period, net of amounts written back on, by the reason recorded.',
      series: [{ column: 'netPence', label: 'Net written off' }],
    }],
    notes: ['Write-offs and write-ons are ledger entries (kinds write_off and write_on) dated in the period, grouped by the reason recorded on each.'],
  };
};
