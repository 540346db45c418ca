// After the liability order: arrangements kept and broken, attachments of earnings in force and
// what they collected, and enforcement agents' performance by firm (issue 6's tables).
import { formatPence } from '../../domain/money.ts';
import { longDate, type ReportBuilder } from './report-context.ts';
import { formatPercent, percentOf, type Row } from './report-model.ts';

const ARRANGEMENT_STATUSES = [
  ['active', 'Being paid'], ['kept', 'Kept (paid in full)'], ['broken', 'Broken'], ['cancelled', 'Cancelled'],
] as const;

export const buildEnforcement: ReportBuilder = async ({ repo, filters }) => {
  const { from, to } = filters;
  const [arrangements, attachments, agents] = await Promise.all([
    repo.arrangements(filters.authorityIds, from, to),
    repo.attachments(filters.authorityIds, from, to),
    repo.agents(filters.authorityIds, from, to),
  ]);

  const arrangementRows: Row[] = ARRANGEMENT_STATUSES.map(([status, label]) => {
    const r = arrangements.find((a) => a.status === status);
    return { status: label, arrangements: r?.arrangements ?? 0, totalPence: r?.total_pence ?? 0, agreed: r?.agreed ?? 0, ended: status === 'active' ? null : (r?.ended ?? 0) };
  });
  const keptInPeriod = arrangements.find((a) => a.status === 'kept')?.ended ?? 0;
  const brokenInPeriod = arrangements.find((a) => a.status === 'broken')?.ended ?? 0;
  const keptRate = percentOf(keptInPeriod, keptInPeriod + brokenInPeriod);

  const attachmentRows: Row[] = [
    { measure: 'Orders in force now', orders: attachments.in_force, amountPence: attachments.in_force_pence },
    { measure: 'Orders made in the period', orders: attachments.made, amountPence: attachments.made_pence },
    { measure: 'Orders cleared in the period', orders: attachments.cleared, amountPence: null },
    { measure: 'Orders ended otherwise in the period', orders: attachments.ended, amountPence: null },
    { measure: 'Remittances from employers in the period', orders: attachments.remittances, amountPence: attachments.collected_pence },
  ];

  const agentRows: Row[] = agents.map((a) => ({
    firm: a.firm,
    referred: a.referred,
    referredPence: a.referred_pence,
    open: a.open,
    paid: a.paid,
    partPaid: a.part_paid,
    unpaid: a.unpaid,
    collectedPence: a.collected_pence,
    collectedPercent: percentOf(a.collected_pence, a.referred_pence),
    feesPence: a.fees_pence,
    overScale: a.over_scale,
  }));
  const collected = agents.reduce((s, a) => s + a.collected_pence, 0);

  return {
    headline: [
      { label: `Arrangements kept, of those that ended ${longDate(from)} to ${longDate(to)}`, value: keptRate === null ? 'None ended' : formatPercent(keptRate) },
      { label: 'Collected by attachment of earnings in the period', value: formatPence(attachments.collected_pence) },
      { label: 'Collected by enforcement agents in the period', value: formatPence(collected) },
    ],
    tables: [
      {
        key: 'arrangements', title: 'Arrangements',
        columns: [
          { key: 'status', label: 'Where they stand', type: 'text' },
          { key: 'arrangements', label: 'Arrangements', type: 'count' },
          { key: 'totalPence', label: 'Agreed to pay', type: 'pence' },
          { key: 'agreed', label: 'Agreed in the period', type: 'count' },
          { key: 'ended', label: 'Ended so in the period', type: 'count' },
        ],
        rows: arrangementRows,
      },
      {
        key: 'attachments', title: 'Attachment of earnings orders',
        columns: [
          { key: 'measure', label: 'Orders and remittances', type: 'text' },
          { key: 'orders', label: 'Number', type: 'count' },
          { key: 'amountPence', label: 'Amount', type: 'pence' },
        ],
        rows: attachmentRows,
      },
      {
        key: 'agents', title: `Enforcement agents by firm, ${longDate(from)} to ${longDate(to)}`,
        columns: [
          { key: 'firm', label: 'Firm', type: 'text' },
          { key: 'referred', label: 'Cases referred', type: 'count' },
          { key: 'referredPence', label: 'Sum referred', type: 'pence' },
          { key: 'open', label: 'With the firm now', type: 'count' },
          { key: 'paid', label: 'Returned paid', type: 'count' },
          { key: 'partPaid', label: 'Part paid', type: 'count' },
          { key: 'unpaid', label: 'Returned unpaid', type: 'count' },
          { key: 'collectedPence', label: 'Collected', type: 'pence' },
          { key: 'collectedPercent', label: 'Collected of sum referred (%)', type: 'percent' },
          { key: 'feesPence', label: 'Fees charged', type: 'pence' },
          { key: 'overScale', label: 'Fees over the scale', type: 'count' },
        ],
        rows: agentRows, empty: 'No enforcement agent firms are set up.',
      },
    ],
    charts: [
      {
        table: 'arrangements', kind: 'bar', x: 'status', title: 'Arrangements by where they stand',
        description: 'How many arrangements are being paid, were kept, were broken or were cancelled.',
        series: [{ column: 'arrangements', label: 'Arrangements' }],
      },
      {
        table: 'agents', kind: 'bar', x: 'firm', title: 'Enforcement agents: referred and collected by firm',
        description: 'The sum referred to each firm in the period beside what the firm collected in the period.',
        series: [{ column: 'referredPence', label: 'Sum referred' }, { column: 'collectedPence', label: 'Collected' }],
      },
    ],
    notes: [
      'Arrangements: as the arrangements module records them. “Ended so in the period” counts those that became kept, broken or cancelled between the dates; the kept rate is kept ÷ (kept + broken) among those.',
      'Attachments of earnings: orders by their status now, made and ended by date; remittances are what employers sent, by the day received.',
      'Enforcement agents: cases referred (exported) in the period; returns (paid, part paid, no goods, gone away, returned) and the money and fees they report, by the day of the return. “Collected of sum referred” compares the two and is a guide, not a cohort measure.',
    ],
  };
};
