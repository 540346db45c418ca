// Work queues (issue 6, item 7): the after-the-order queues paged with who is working each item,
// assignment to an officer of the same council, bulk actions that re-check every item, and the
// counts on the officer's home page.
//
// Who may do what: to assign an item (to yourself or to a colleague) or be assigned one, an officer
// needs the queue's own permission (queues.ts: arrangements.manage, write_offs.approve…), and the
// assignee must work for the item's council. Bulk domain actions go through the module's own
// service item by item, so its rules (delegated limits, four eyes) hold for each one.
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { LevyError, NotFoundError, ValidationError } from '../../errors.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import { can, type Role } from '../auth/roles.ts';
import { parse } from '../arrangements/recipient.ts';
import type { WriteOffsService } from '../write-offs/write-offs.service.ts';
import { ASSIGNED_FILTERS, QUEUE_DEFS, QUEUES, isQueue, type AssignedFilter, type QueueKey } from './queues.ts';
import type { WorkQueuesRepository } from './work-queues.repository.ts';

export const PAGE_SIZE = 50;
const MAX_ITEMS = 500;

export const BULK_ACTIONS = ['assign_me', 'assign', 'unassign', 'approve'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
const ACTION_LABELS: Record<BulkAction, string> = { assign_me: 'Assign to me', assign: 'Assign to the officer chosen', unassign: 'Unassign', approve: 'Approve (within your delegated limit)' };

const ids = z.preprocess((v) => (v === undefined || v === '' ? [] : ([] as unknown[]).concat(v)),
  z.array(z.coerce.number().int().positive()).min(1, 'Select at least one item').max(MAX_ITEMS, `Select at most ${MAX_ITEMS} items`));
export const bulkSchema = z.object({
  action: z.enum(BULK_ACTIONS, { message: 'Choose what to do with the selected items' }),
  ids,
  assigneeId: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
}).refine((b) => b.action !== 'assign' || b.assigneeId !== undefined, { path: ['assigneeId'], message: 'Choose the officer to assign them to' });

export interface BulkResult { done: number[]; refused: { id: number; reason: string }[] }

export function describeResult(key: QueueKey, r: BulkResult) {
  const item = QUEUE_DEFS[key].item;
  const reasons = r.refused.slice(0, 5).map((x) => `${item} ${x.id}: ${x.reason}`).join('; ');
  return `${r.done.length} done, ${r.refused.length} refused${r.refused.length ? ` (${reasons}${r.refused.length > 5 ? '; …' : ''})` : ''}`;
}

/** Which bulk actions a role has on a queue (assignment needs the queue's permission). */
export function actionsFor(role: Role, key: QueueKey): BulkAction[] {
  if (!can(role, QUEUE_DEFS[key].permission)) return [];
  const actions: BulkAction[] = ['assign_me', 'assign', 'unassign'];
  if (key === 'write_offs' && can(role, 'write_offs.approve')) actions.push('approve');
  return actions;
}

export function createWorkQueuesService(deps: { db: Db; clock: Clock; repo: WorkQueuesRepository; audit: AuditRepository; writeOffs: WriteOffsService }) {
  const { db, clock, repo, audit, writeOffs } = deps;

  const requireQueue = (queue: unknown): QueueKey => {
    if (!isQueue(queue)) throw new NotFoundError(`There is no work queue called ${String(queue)}`);
    return queue;
  };

  /** Officers who could be given this queue's items: active, sharing a council with the actor, with the queue's permission. */
  async function assignable(actor: Actor, key: QueueKey, tx: Db = db) {
    return (await repo.officers(actor.authorityIds, tx)).filter((o) => can(o.role as Role, QUEUE_DEFS[key].permission));
  }

  async function assign(actor: Actor, key: QueueKey, itemIds: number[], assigneeId: number | null): Promise<BulkResult> {
    requirePermission(actor, QUEUE_DEFS[key].permission);
    return db.transaction(async (tx) => {
      let assignee: { id: number; display_name: string; authority_ids: number[] } | undefined;
      if (assigneeId !== null) {
        assignee = (await assignable(actor, key, tx)).find((o) => o.id === assigneeId);
        if (!assignee) throw new ValidationError('Check the officer', [{ field: 'assigneeId', message: 'Choose an officer of your council who works this queue' }]);
      }
      const found = new Map((await repo.scope(key, actor.authorityIds, itemIds, tx)).map((r) => [Number(r.id), r]));
      const result: BulkResult = { done: [], refused: [] };
      for (const id of new Set(itemIds)) {
        const item = found.get(id);
        if (!item) result.refused.push({ id, reason: 'not found' });
        else if (assignee && !assignee.authority_ids.includes(Number(item.authority_id))) result.refused.push({ id, reason: `${assignee.display_name} does not work for that council` });
        else result.done.push(id);
      }
      if (result.done.length) {
        if (assignee) await repo.assign(key, result.done, assignee.id, actor.userId, clock.now(), tx);
        else await repo.unassign(key, result.done, tx);
        await audit.record(actor, { action: assignee ? 'assign.work' : 'unassign.work', entityType: key, detail: { queue: key, ids: result.done, assignedTo: assignee?.id ?? null } }, tx);
      }
      return result;
    });
  }

  async function assignItems(actor: Actor, key: QueueKey, itemIds: number[], assigneeId: number | null) {
    const to = assigneeId ?? actor.userId;
    if (to === null) throw new ValidationError('Check the officer', [{ field: 'assigneeId', message: 'Choose the officer to assign them to' }]);
    return assign(actor, key, itemIds, to);
  }

  return {
    assignable: (actor: Actor, queue: QueueKey) => { requirePermission(actor, 'cases.view'); return assignable(actor, requireQueue(queue)); },

    /** Assign items to an officer (null: to the actor themself). Items not found or of another council are refused. */
    async assign(actor: Actor, queue: string, itemIds: number[], assigneeId: number | null = null) {
      return assignItems(actor, requireQueue(queue), itemIds, assigneeId);
    },

    async unassign(actor: Actor, queue: string, itemIds: number[]) {
      return assign(actor, requireQueue(queue), itemIds, null);
    },

    /** A bulk action on selected items: each item is checked again; the result says what was done and why the rest were refused. */
    async bulk(actor: Actor, queue: string, input: unknown): Promise<BulkResult> {
      const key = requireQueue(queue);
      const b = parse(bulkSchema, input, 'Check the bulk action');
      if (!actionsFor(actor.role, key).includes(b.action)) {
        requirePermission(actor, b.action === 'approve' ? 'write_offs.approve' : QUEUE_DEFS[key].permission);
        throw new ValidationError('Check the bulk action', [{ field: 'action', message: `${ACTION_LABELS[b.action]} is not an action on this queue` }]);
      }
      if (b.action === 'assign_me') return assignItems(actor, key, b.ids, null);
      if (b.action === 'assign') return assignItems(actor, key, b.ids, b.assigneeId ?? null);
      if (b.action === 'unassign') return assign(actor, key, b.ids, null);
      // approve: the write-off service, one at a time, so its limits and four-eyes rule hold for each.
      const result: BulkResult = { done: [], refused: [] };
      for (const id of new Set(b.ids)) {
        try {
          await writeOffs.approve(actor, id);
          result.done.push(id);
        } catch (error) {
          if (!(error instanceof LevyError)) throw error;
          result.refused.push({ id, reason: error.message });
        }
      }
      return result;
    },

    /** A page of a queue, with the assignee, the filter links, the pager and the bulk actions the actor has. */
    async page<T = Record<string, unknown>>(actor: Actor, queue: QueueKey, query: Record<string, string | undefined>) {
      requirePermission(actor, 'cases.view');
      const key = requireQueue(queue);
      const def = QUEUE_DEFS[key];
      const requested = query[def.statusParam];
      // The route may know statuses this list does not (a module adding one): any plain word is safe.
      const status = requested && /^[a-z_]{1,40}$/.test(requested) ? requested : def.statuses[0];
      const assigned: AssignedFilter = (ASSIGNED_FILTERS as readonly string[]).includes(query.assigned ?? '') ? (query.assigned as AssignedFilter) : 'anyone';
      const pageNo = /^\d{1,6}$/.test(query.page ?? '') && Number(query.page) > 0 ? Number(query.page) : 1;
      const { items, total } = await repo.page<T>(key, {
        authorityIds: actor.authorityIds, today: clock.today(), status, assigned, userId: actor.userId, limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE,
      });
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const href = (o: { assigned?: AssignedFilter; page?: number }) => {
        const p = new URLSearchParams({ [def.statusParam]: status });
        const a = o.assigned ?? assigned;
        if (a !== 'anyone') p.set('assigned', a);
        if ((o.page ?? 1) > 1) p.set('page', String(o.page));
        return `${def.href}?${p}`;
      };
      const actions = actionsFor(actor.role, key);
      return {
        queue: key, status, assigned, page: pageNo, pages, total, pageSize: PAGE_SIZE,
        items: items.map((i) => ({ ...i, id: Number(i.id), assigned_to: i.assigned_to === null ? null : Number(i.assigned_to) })),
        links: Object.fromEntries(ASSIGNED_FILTERS.map((a) => [a, href({ assigned: a })])) as Record<AssignedFilter, string>,
        prevHref: pageNo > 1 ? href({ page: pageNo - 1 }) : null,
        nextHref: pageNo < pages ? href({ page: pageNo + 1 }) : null,
        returnTo: href({ page: pageNo }),
        actions: actions.map((a) => ({ value: a, text: ACTION_LABELS[a] })),
        /** The columns the shared macros add (checkbox, assigned to), for a "None." row's colspan. */
        extraColumns: actions.length ? 2 : 1,
        officers: actions.includes('assign') ? (await assignable(actor, key)).map((o) => ({ id: o.id, name: o.display_name })) : [],
        message: query.wqMessage,
        userId: actor.userId,
      };
    },

    /** The open work of every queue for the home page: all, the actor's, and no one's. */
    async counts(actor: Actor) {
      requirePermission(actor, 'cases.view');
      const rows = await repo.counts(actor.authorityIds, actor.userId, clock.today());
      return rows.map((r) => {
        const def = QUEUE_DEFS[r.queue];
        const base = `${def.href}?${def.statusParam}=${def.statuses[0]}`;
        return { ...r, label: def.label, href: base, mineHref: `${base}&assigned=mine`, unassignedHref: `${base}&assigned=unassigned` };
      });
    },

    queues: () => QUEUES.map((k) => ({ queue: k, label: QUEUE_DEFS[k].label, href: QUEUE_DEFS[k].href })),
  };
}
export type WorkQueuesService = ReturnType<typeof createWorkQueuesService>;
