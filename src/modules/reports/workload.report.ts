// Officer workload and productivity: what each officer recorded on accounts' histories in a period
// (notes, contacts, other actions; customers and accounts worked), and the team's queues.
// Officers without reports.view see only their own line.
import { diffDays } from '../../domain/calendar.ts';
import { can } from '../auth/roles.ts';
import { ROLE_LABELS, type Role } from '../auth/roles.ts';
import { longDate, type ReportBuilder } from './report-context.ts';
import type { Row } from './report-model.ts';

export const buildWorkload: ReportBuilder = async ({ repo, filters, actor }) => {
  const { from, to, today } = filters;
  const everyone = can(actor.role, 'reports.view');
  const [officers, queues] = await Promise.all([
    repo.workload(filters.authorityIds, from, to, everyone ? null : (actor.userId ?? -1)),
    repo.queues(filters.authorityIds, today),
  ]);
  const rows: Row[] = officers.map((o) => ({
    officer: o.display_name,
    role: ROLE_LABELS[o.role as Role] ?? o.role,
    notes: o.notes,
    contacts: o.contacts,
    other: o.other,
    actions: o.notes + o.contacts + o.other,
    customers: o.customers,
    accounts: o.accounts,
  }));
  const age = (oldest: string | null) => (oldest ? Math.max(diffDays(oldest, today), 0) : null);
  const queueRows: Row[] = [
    { queue: 'Payments in suspense', items: queues.suspense, oldest: queues.suspense_oldest, ageDays: age(queues.suspense_oldest) },
    { queue: 'Refunds waiting for approval', items: queues.refunds, oldest: queues.refunds_oldest, ageDays: age(queues.refunds_oldest) },
    { queue: 'Recovery runs waiting for approval', items: queues.runs, oldest: queues.runs_oldest, ageDays: age(queues.runs_oldest) },
    { queue: 'Holds due for review', items: queues.holds, oldest: queues.holds_oldest, ageDays: age(queues.holds_oldest) },
    { queue: 'Court cases heard, outcome not recorded', items: queues.court, oldest: queues.court_oldest, ageDays: age(queues.court_oldest) },
  ];
  const sum = (key: string) => rows.reduce((s, r) => s + (r[key] as number), 0);
  return {
    headline: [
      { label: `${everyone ? 'Actions recorded by officers' : 'Actions you recorded'}, ${longDate(from)} to ${longDate(to)}`, value: sum('actions').toLocaleString('en-GB') },
      { label: 'Contacts logged', value: sum('contacts').toLocaleString('en-GB') },
    ],
    tables: [
      {
        key: 'officers', title: everyone ? `Work recorded by each officer, ${longDate(from)} to ${longDate(to)}` : `Your work, ${longDate(from)} to ${longDate(to)}`,
        columns: [
          { key: 'officer', label: 'Officer', type: 'text' },
          { key: 'role', label: 'Role', type: 'text' },
          { key: 'notes', label: 'Notes', type: 'count' },
          { key: 'contacts', label: 'Contacts logged', type: 'count' },
          { key: 'other', label: 'Other actions', type: 'count' },
          { key: 'actions', label: 'All actions', type: 'count' },
          { key: 'customers', label: 'Customers worked (once a day)', type: 'count' },
          { key: 'accounts', label: 'Accounts worked (once a day)', type: 'count' },
        ],
        rows, empty: 'Nothing was recorded in this period.',
        totals: rows.length > 1 ? { officer: 'Total', role: '', notes: sum('notes'), contacts: sum('contacts'), other: sum('other'), actions: sum('actions'), customers: sum('customers'), accounts: sum('accounts') } : undefined,
      },
      {
        key: 'queues', title: `Work queues at ${longDate(today)}`,
        columns: [
          { key: 'queue', label: 'Queue', type: 'text' },
          { key: 'items', label: 'Waiting', type: 'count' },
          { key: 'oldest', label: 'Oldest since', type: 'date' },
          { key: 'ageDays', label: 'Oldest waiting (days)', type: 'count' },
        ],
        rows: queueRows,
      },
    ],
    charts: [
      {
        table: 'officers', kind: 'bar', stacked: true, x: 'officer', title: everyone ? 'Actions by officer' : 'Your actions',
        description: 'Notes, contacts and other actions each officer recorded on accounts’ histories in the period.',
        series: [{ column: 'notes', label: 'Notes' }, { column: 'contacts', label: 'Contacts' }, { column: 'other', label: 'Other actions' }],
      },
      {
        table: 'queues', kind: 'bar', x: 'queue', title: 'Items waiting in each queue',
        description: 'How many items wait in each of the team’s work queues today.',
        series: [{ column: 'items', label: 'Waiting' }],
      },
    ],
    notes: [
      'Actions are the entries an officer made by hand on accounts’ and customers’ histories (notes, contacts, holds, refunds, allocations and the rest); what batch runs record is not an officer’s action, even when an officer started the run.',
      'Customers and accounts worked count each one once per officer per day, however many actions were recorded on it that day.',
      ...(everyone ? [] : ['You see your own figures; managers, senior officers and auditors see the whole team’s.']),
    ],
  };
};
