// The work queues after the liability order, described once: what each lists (the module's own
// select, so its columns stay the module's), how its statuses filter, the order it is read in, and
// who may work it. The repository pages them with the assignee added; the home page counts the
// first status of each (the open work).
import { ARRANGEMENT_SELECT } from '../arrangements/arrangements.repository.ts';
import { MONITOR_KEYS, MONITOR_SELECT } from '../attachments/attachments.repository.ts';
import { REFERRAL_SELECT } from '../enforcement/enforcement.repository.ts';
import { HOLD_COLUMNS, HOLD_FROM } from '../holds/holds.repository.ts';
import { WRITE_OFF_SELECT } from '../write-offs/write-offs.repository.ts';
import type { Permission } from '../auth/roles.ts';

export const QUEUES = ['arrangements', 'attachments', 'enforcement', 'write_offs', 'tracing', 'holds'] as const;
export type QueueKey = (typeof QUEUES)[number];
export const ASSIGNED_FILTERS = ['anyone', 'mine', 'unassigned'] as const;
export type AssignedFilter = (typeof ASSIGNED_FILTERS)[number];

export interface QueueDef {
  key: QueueKey;
  /** The open work, as the home page names it. */
  label: string;
  /** One item, for "refused" messages: "write-off 12". */
  item: string;
  href: string;
  /** The query parameter the page filters its status by (holds call it state). */
  statusParam: 'status' | 'state';
  /** The first is the open work: the page's default and what the home page counts. */
  statuses: readonly string[];
  /** The item's table (authority_id on it scopes every read and assignment). */
  table: string;
  /** To be assigned an item, or to assign one, an officer needs this. */
  permission: Permission;
  /** The rows, as the module lists them (read for one page's ids). $1 is the authorities; $2 today when usesToday. */
  select: string;
  /** Whether the select, keySelect or where use $2 (today). */
  usesToday: boolean;
  /** SQL on alias q for a status (already checked to be a plain word); must also hold on the bare table for the first status. */
  where: (status: string) => string;
  order: string;
  /**
   * Where the page's ids are found (default: the bare table): when the order is computed, a lean
   * select with the columns the statuses and the order need. `where` and `order` must hold on it.
   */
  keySelect?: string;
  /** Statuses that need keySelect's computed columns to count (otherwise the bare table is counted). */
  computedStatuses?: readonly string[];
}

const byStatus = (status: string) => `q.status = '${status}'`;

// Holds: the states of holds.repository list(), on alias q, today $2.
const HOLD_STATES: Record<string, string> = {
  review_due: `q.ended_on is null and (q.expires_on is null or q.expires_on >= $2::date) and q.review_on <= $2::date`,
  open: `(q.ended_on is null or q.ended_on > $2::date) and (q.expires_on is null or q.expires_on >= $2::date)`,
  ended: `((q.ended_on is not null and q.ended_on <= $2::date) or (q.expires_on is not null and q.expires_on < $2::date))`,
};

export const QUEUE_DEFS: Record<QueueKey, QueueDef> = {
  arrangements: {
    key: 'arrangements', label: 'Arrangements running', item: 'arrangement', href: '/arrangements', statusParam: 'status',
    statuses: ['active', 'kept', 'broken', 'cancelled'], table: 'arrangements', permission: 'arrangements.manage',
    select: ARRANGEMENT_SELECT, usesToday: false, where: byStatus, order: 'q.id desc',
  },
  attachments: {
    key: 'attachments', label: 'Attachment of earnings orders running', item: 'order', href: '/attachments', statusParam: 'status',
    statuses: ['active', 'behind'], table: 'attachment_orders', permission: 'attachments.manage',
    select: MONITOR_SELECT, keySelect: MONITOR_KEYS, computedStatuses: ['behind'], usesToday: true,
    where: (status) => (status === 'behind' ? `q.status = 'active' and q.shortfall_pence > 0` : `q.status = 'active'`),
    order: 'q.shortfall_pence desc, q.id',
  },
  enforcement: {
    key: 'enforcement', label: 'Enforcement referrals awaiting a senior decision', item: 'referral', href: '/enforcement', statusParam: 'status',
    statuses: ['awaiting_decision', 'ready', 'exported', 'with_agent', 'closed', 'refused', 'recalled'], table: 'ea_referrals', permission: 'enforcement.refer',
    select: REFERRAL_SELECT, usesToday: false, where: byStatus, order: 'q.id desc',
  },
  write_offs: {
    key: 'write_offs', label: 'Write-offs awaiting approval', item: 'write-off', href: '/write-offs', statusParam: 'status',
    statuses: ['recommended', 'approved', 'rejected', 'written_on'], table: 'write_offs', permission: 'write_offs.approve',
    select: WRITE_OFF_SELECT, usesToday: false, where: byStatus, order: 'q.id desc',
  },
  tracing: {
    key: 'tracing', label: 'Debtors to trace', item: 'trace task', href: '/tracing', statusParam: 'status',
    statuses: ['open', 'traced', 'untraceable'], table: 'trace_tasks', permission: 'tracing.manage',
    select: `select t.id, t.authority_id, t.status, t.customer_id, c.display_name as customer_name, t.trigger, t.created_at,
               (select count(*) from trace_attempts a where a.task_id = t.id)::int as attempts
             from trace_tasks t join customers c on c.id = t.customer_id`,
    usesToday: false, where: byStatus, order: 'q.id desc',
  },
  holds: {
    key: 'holds', label: 'Holds due for review', item: 'hold', href: '/holds', statusParam: 'state',
    statuses: ['review_due', 'open', 'ended'], table: 'holds', permission: 'holds.manage',
    select: `select ${HOLD_COLUMNS} from ${HOLD_FROM}`, usesToday: true,
    where: (state) => HOLD_STATES[state] ?? HOLD_STATES.open, order: 'q.review_on nulls last, q.starts_on desc, q.id desc',
  },
};

export const isQueue = (value: unknown): value is QueueKey => typeof value === 'string' && (QUEUES as readonly string[]).includes(value);
