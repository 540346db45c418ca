// Members' accounts (s.106 Local Government Finance Act 1992): a councillor with council tax unpaid
// for at least two months may not vote on the budget. Councillors are flagged on the customer
// record (customers.is_councillor); this report lists each one's council tax as at a meeting date.
//
// "Unpaid for two months": an amount that fell due on or before the cut-off (the meeting date less
// two calendar months) and is still unpaid at the meeting date, measured as the recovery policy
// measures arrears (src/domain/recovery/evaluate.ts): the council tax balance at the meeting date
// (not costs) less the instalments of the plan in force that fall due after the cut-off.
import { addMonths } from '../../domain/calendar.ts';
import { formatPence } from '../../domain/money.ts';
import { fy, longDate, type ReportBuilder } from './report-context.ts';
import type { Row } from './report-model.ts';

export const STATUS = {
  unpaid: 'Unpaid for two months or more',
  owing: 'Owes, but less than two months overdue',
  clear: 'Nothing owed',
} as const;

export const buildMembers: ReportBuilder = async ({ repo, filters }) => {
  const meetingDate = filters.meetingDate;
  const cutOff = addMonths(meetingDate, -2);
  const rows = await repo.members(filters.authorityIds, meetingDate, cutOff);

  const byCouncillor = new Map<number, { name: string; references: Set<string>; unpaid: number; owed: number; years: Set<number> }>();
  const arrears: Row[] = [];
  for (const r of rows) {
    const c = byCouncillor.get(r.customer_id) ?? { name: r.display_name, references: new Set<string>(), unpaid: 0, owed: 0, years: new Set<number>() };
    byCouncillor.set(r.customer_id, c);
    if (r.reference) c.references.add(r.reference);
    if (r.financial_year === null) continue;
    const owed = Math.max(r.tax_balance_pence ?? 0, 0);
    c.owed += owed;
    c.unpaid += r.unpaid_two_months_pence ?? 0;
    if ((r.unpaid_two_months_pence ?? 0) > 0) {
      c.years.add(r.financial_year);
      arrears.push({
        councillor: r.display_name,
        account: r.reference,
        year: fy(r.financial_year),
        unpaidPence: r.unpaid_two_months_pence,
        taxBalancePence: r.tax_balance_pence,
        balancePence: r.balance_pence,
        basis: r.has_plan ? 'Instalments due on or before the cut-off' : 'No instalment plan: charge due in full',
      });
    }
  }
  const councillors: Row[] = [...byCouncillor.values()].map((c) => ({
    councillor: c.name,
    accounts: [...c.references].sort().join(', ') || 'No council tax account',
    status: c.unpaid > 0 ? STATUS.unpaid : c.owed > 0 ? STATUS.owing : STATUS.clear,
    unpaidPence: c.unpaid,
    owedPence: c.owed,
  }));
  const counts = Object.values(STATUS).map((status) => ({ status, councillors: councillors.filter((c) => c.status === status).length }));
  const unpaidCount = counts[0].councillors;

  return {
    headline: [
      { label: 'Councillors flagged', value: String(councillors.length) },
      { label: `With council tax unpaid for two months or more at ${longDate(meetingDate)}`, value: String(unpaidCount) },
      { label: 'Amount unpaid for two months or more', value: formatPence(councillors.reduce((s, c) => s + (c.unpaidPence as number), 0)) },
    ],
    tables: [
      {
        key: 'section-106', title: `Council tax unpaid for two months or more at ${longDate(meetingDate)}`,
        columns: [
          { key: 'councillor', label: 'Councillor', type: 'text' },
          { key: 'account', label: 'Account', type: 'text' },
          { key: 'year', label: 'Financial year', type: 'text' },
          { key: 'unpaidPence', label: 'Unpaid for two months or more', type: 'pence' },
          { key: 'taxBalancePence', label: 'Council tax owed at the meeting date', type: 'pence' },
          { key: 'balancePence', label: 'Balance with costs', type: 'pence' },
          { key: 'basis', label: 'Measured from', type: 'text' },
        ],
        rows: arrears, empty: 'No councillor has council tax unpaid for two months or more.',
      },
      {
        key: 'councillors', title: 'Every councillor flagged',
        columns: [
          { key: 'councillor', label: 'Councillor', type: 'text' },
          { key: 'accounts', label: 'Council tax accounts', type: 'text' },
          { key: 'status', label: 'At the meeting date', type: 'text' },
          { key: 'unpaidPence', label: 'Unpaid for two months or more', type: 'pence' },
          { key: 'owedPence', label: 'Council tax owed', type: 'pence' },
        ],
        rows: councillors, empty: 'No customer is flagged as a councillor.',
      },
      {
        key: 'status', title: 'Councillors by status',
        columns: [{ key: 'status', label: 'At the meeting date', type: 'text' }, { key: 'councillors', label: 'Councillors', type: 'count' }],
        rows: counts,
      },
    ],
    charts: [{
      table: 'status', kind: 'bar', x: 'status',
      title: `Councillors' council tax at ${longDate(meetingDate)}`,
      description: 'How many flagged councillors owe nothing, owe less than two months overdue, or have council tax unpaid for two months or more.',
      series: [{ column: 'councillors', label: 'Councillors' }],
    }],
    notes: [
      `Meeting date ${longDate(meetingDate)}; cut-off ${longDate(cutOff)} (two calendar months earlier). An amount counts when it fell due on or before the cut-off and is still unpaid at the meeting date.`,
      'Council tax owed = charges, discounts, reductions, payments (not those allocated to costs), refunds and write-offs effective on or before the meeting date. Costs are not council tax.',
      'The instalments are those of the plan in force at the meeting date (the latest issued on or before it). A rebill issues a new plan for what is left, so what it spread forward is not yet overdue.',
      'Councillors are flagged on the customer record; joint liability counts (every account they are liable on).',
    ],
  };
};
