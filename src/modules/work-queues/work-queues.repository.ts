// Work queues: plain SQL over the queue definitions (queues.ts). A page is one statement for its
// rows (the module's select, with the assignee joined on) and one count; the home page's counts are
// one statement over every queue. Assignments are written set-based.
import type { Db } from '../../db/database.ts';
import { QUEUE_DEFS, QUEUES, type AssignedFilter, type QueueKey } from './queues.ts';

export interface QueueCount { queue: QueueKey; open: number; mine: number; unassigned: number }

/** Numbered parameters after the fixed ones ($1 authorities, $2 today when the statement uses it). */
function params(withToday: boolean, authorityIds: number[], today: string) {
  const values: unknown[] = withToday ? [authorityIds, today] : [authorityIds];
  return { values, add: (v: unknown) => { values.push(v); return `$${values.length}`; } };
}

function assignedSql(filter: AssignedFilter, userId: number | null, add: (v: unknown) => string) {
  if (filter === 'unassigned') return 'and wa.item_id is null';
  if (filter === 'mine') return userId === null ? 'and false' : `and wa.assigned_to = ${add(userId)}`;
  return '';
}

export function createWorkQueuesRepository(db: Db) {
  return {
    /**
     * A page of a queue in two steps, so the page is always cheap whatever the planner thinks: the
     * page's ids from the item's own table (or the queue's lean keySelect when the order is
     * computed), in the queue's order; then those rows through the module's select, with the
     * assignee. The count reads the bare table unless the status needs computed columns.
     */
    async page<T>(key: QueueKey, o: { authorityIds: number[]; today: string; status: string; assigned: AssignedFilter; userId: number | null; limit: number; offset: number }) {
      const def = QUEUE_DEFS[key];
      const join = `left join work_assignments wa on wa.queue = '${key}' and wa.item_id = q.id`;
      const filter = (add: (v: unknown) => string) => `q.authority_id = any($1::int[]) and ${def.where(o.status)} ${assignedSql(o.assigned, o.userId, add)}`;
      const keys = params(def.usesToday, o.authorityIds, o.today);
      const ids = (await db.query<{ id: number }>(
        `select q.id from (${def.keySelect ?? `select * from ${def.table}`}) q ${join}
          where ${filter(keys.add)} order by ${def.order} limit ${keys.add(o.limit)} offset ${keys.add(o.offset)}`,
        keys.values)).map((r) => r.id);
      const rows = params(def.usesToday, o.authorityIds, o.today);
      const items = ids.length === 0 ? [] : await db.query<T & { id: number; assigned_to: number | null; assigned_to_name: string | null }>(
        `select q.*, wa.assigned_to, au.display_name as assigned_to_name
           from (${def.select}) q ${join} left join users au on au.id = wa.assigned_to
          where q.authority_id = any($1::int[]) and ${def.where(o.status)} and q.id = any(${rows.add(ids)}::bigint[]) order by ${def.order}`,
        rows.values);
      const computed = Boolean(def.keySelect && def.computedStatuses?.includes(o.status));
      const count = params(computed ? def.usesToday : def.where(o.status).includes('$2'), o.authorityIds, o.today);
      const [{ total }] = await db.query<{ total: number }>(
        `select count(*)::int as total from ${computed ? `(${def.keySelect}) q` : `${def.table} q`} ${join} where ${filter(count.add)}`, count.values);
      return { items, total: Number(total) };
    },

    /**
     * The open work of every queue: how much, how much is the officer's, how much is no one's. One
     * statement: each queue's open items (an index range scan on its table), hash-joined to the
     * council's assignments. The assignments are materialised on purpose: probing the primary key
     * once per open item (what the planner picks otherwise) was 3–7 times slower on the 150,000
     * demo council. The cost grows with the assignments kept (one row per item assigned and not
     * unassigned, closed items included): a scan of 100,000 is still a few tens of milliseconds.
     */
    async counts(authorityIds: number[], userId: number | null, today: string): Promise<QueueCount[]> {
      const open = QUEUES.map((key) => {
        const def = QUEUE_DEFS[key];
        return `select '${key}'::text as queue, q.id from ${def.table} q
                 where q.authority_id = any($1::int[]) and ${def.where(def.statuses[0]).replaceAll('$2::date', '$3::date')}`;
      });
      const rows = await db.query<QueueCount>(
        `with wa as materialized (select queue, item_id, assigned_to from work_assignments where authority_id = any($1::int[]))
         select k.queue, count(o.id)::int as open, count(o.id) filter (where wa.assigned_to = $2::int)::int as mine,
                count(o.id) filter (where wa.item_id is null)::int as unassigned
           from unnest($4::text[]) as k(queue)
           left join (${open.join('\n union all\n')}) o on o.queue = k.queue
           left join wa on wa.queue = o.queue and wa.item_id = o.id
          group by k.queue`,
        [authorityIds, userId, today, QUEUES]);
      const byQueue = new Map(rows.map((r) => [r.queue, r]));
      return QUEUES.map((queue) => {
        const r = byQueue.get(queue)!;
        return { queue, open: Number(r.open), mine: Number(r.mine), unassigned: Number(r.unassigned) };
      });
    },

    /** Which of these items are in the queue and the authorities (the rest are refused as not found). */
    async scope(key: QueueKey, authorityIds: number[], ids: number[], tx: Db = db) {
      return tx.query<{ id: number; authority_id: number; assigned_to: number | null }>(
        `select t.id, t.authority_id, wa.assigned_to from ${QUEUE_DEFS[key].table} t
           left join work_assignments wa on wa.queue = '${key}' and wa.item_id = t.id
          where t.id = any($1::bigint[]) and t.authority_id = any($2::int[])`,
        [ids, authorityIds]);
    },

    /** Active officers who share one of the authorities, with the authorities each works for. */
    async officers(authorityIds: number[], tx: Db = db) {
      return tx.query<{ id: number; display_name: string; role: string; authority_ids: number[] }>(
        `select u.id, u.display_name, u.role, array_agg(ua.authority_id order by ua.authority_id) as authority_ids
           from users u join user_authorities ua on ua.user_id = u.id
          where u.active and exists (select 1 from user_authorities mine where mine.user_id = u.id and mine.authority_id = any($1::int[]))
          group by u.id order by u.display_name, u.id`,
        [authorityIds]);
    },

    async assign(key: QueueKey, ids: number[], assignedTo: number, by: number | null, at: Date, tx: Db) {
      await tx.query(
        `insert into work_assignments (queue, item_id, authority_id, assigned_to, assigned_by, assigned_at)
         select $1, t.id, t.authority_id, $3, $4, $5 from ${QUEUE_DEFS[key].table} t where t.id = any($2::bigint[])
         on conflict (queue, item_id) do update set assigned_to = excluded.assigned_to, assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at`,
        [key, ids, assignedTo, by, at]);
    },

    async unassign(key: QueueKey, ids: number[], tx: Db) {
      await tx.query('delete from work_assignments where queue = $1 and item_id = any($2::bigint[])', [key, ids]);
    },
  };
}
export type WorkQueuesRepository = ReturnType<typeof createWorkQueuesRepository>;
