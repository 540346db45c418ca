// Tracing (DOMAIN.md §6): a task when post is returned or an agent reports the debtor gone away; the
// sources tried and what each found; a new address updates the customer (a correspondence address,
// earlier correspondence and forwarding addresses ended) and wakes recovery on their accounts; or the
// task closes untraceable, which the write-off rules then recommend.
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { addDays, isIsoDate } from '../../domain/calendar.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import { customerRecipient, parse } from '../arrangements/recipient.ts';

export const TRACE_SOURCES = ['credit_reference', 'dwp', 'electoral_register', 'land_registry', 'other_council', 'employer', 'social_media', 'other'] as const;

export const openTraceSchema = z.object({
  trigger: z.enum(['returned_mail', 'gone_away', 'officer'], { message: 'Choose why the debtor needs tracing' }),
  accountId: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
  note: z.string().trim().max(2000).default(''),
});
export const attemptSchema = z.object({
  source: z.enum(TRACE_SOURCES, { message: 'Choose the source tried' }),
  found: z.preprocess((v) => v === true || v === 'true' || v === 'yes', z.boolean()),
  note: z.string().trim().max(2000).default(''),
});
export const tracedSchema = z.object({
  addressLine1: z.string().trim().min(1, 'Enter the first line of the new address').max(200),
  addressLine2: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().max(200).optional()),
  town: z.string().trim().min(1, 'Enter the town').max(100),
  postcode: z.string().trim().toUpperCase().regex(/^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/, 'Enter a real postcode'),
  fromDate: z.preprocess((v) => (v === '' ? undefined : v), z.string().refine(isIsoDate, 'Enter the date as a real date').optional()),
});
export const untraceableSchema = z.object({ note: z.string().trim().min(1, 'Say which sources were tried and why no more can be done').max(2000) });

export function createTracingService(deps: { db: Db; clock: Clock; events: EventsRepository; audit: AuditRepository }) {
  const { db, clock, events, audit } = deps;

  async function requireTask(actor: Actor, id: number, tx: Db = db) {
    const [task] = await tx.query<{ id: number; authority_id: number; customer_id: number; account_id: number | null; status: string; trigger: string; note: string; customer_name: string }>(
      `select t.id, t.authority_id, t.customer_id, t.account_id, t.status, t.trigger, t.note, c.display_name as customer_name
         from trace_tasks t join customers c on c.id = t.customer_id where t.id = $1 and t.authority_id = any($2::int[])`, [id, actor.authorityIds]);
    if (!task) throw new NotFoundError(`Trace task ${id} was not found`);
    return task;
  }
  const requireOpen = async (actor: Actor, id: number, tx: Db) => {
    const task = await requireTask(actor, id, tx);
    if (task.status !== 'open') throw new ConflictError('This trace task is closed');
    return task;
  };

  return {
    async openTask(actor: Actor, customerId: number, input: unknown): Promise<number> {
      requirePermission(actor, 'tracing.manage');
      const t = parse(openTraceSchema, input, 'Check the trace task');
      const who = await customerRecipient(db, actor.authorityIds, customerId);
      return db.transaction(async (tx) => {
        const open = await tx.query<{ id: number }>(`select id from trace_tasks where customer_id = $1 and status = 'open'`, [customerId]);
        if (open.length) return open[0].id;
        const [row] = await tx.query<{ id: number }>(
          'insert into trace_tasks (authority_id, customer_id, account_id, trigger, note, created_by) values ($1, $2, $3, $4, $5, $6) returning id',
          [who.authorityId, customerId, t.accountId ?? null, t.trigger, t.note, actor.userId]);
        await events.insert({ authorityId: who.authorityId, customerId, accountId: t.accountId ?? null, type: 'trace', summary: `Trace task opened (${t.trigger.replace('_', ' ')})${t.note ? `: ${t.note}` : ''}`, detail: { traceTaskId: row.id }, byUserId: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: 'create.trace_task', entityType: 'trace_task', entityId: row.id, authorityId: who.authorityId }, tx);
        return row.id;
      });
    },

    async recordAttempt(actor: Actor, taskId: number, input: unknown) {
      requirePermission(actor, 'tracing.manage');
      const a = parse(attemptSchema, input, 'Check the source tried');
      await db.transaction(async (tx) => {
        const task = await requireOpen(actor, taskId, tx);
        await tx.query('insert into trace_attempts (task_id, source, tried_on, found, note, created_by) values ($1, $2, $3, $4, $5, $6)', [taskId, a.source, clock.today(), a.found, a.note, actor.userId]);
        await audit.record(actor, { action: 'create.trace_attempt', entityType: 'trace_task', entityId: taskId, authorityId: task.authority_id }, tx);
      });
    },

    /** Traced: the new address goes on the customer and recovery on their accounts is woken. */
    async traced(actor: Actor, taskId: number, input: unknown) {
      requirePermission(actor, 'tracing.manage');
      const t = parse(tracedSchema, input, 'Check the new address');
      const today = clock.today();
      const from = t.fromDate ?? today;
      return db.transaction(async (tx) => {
        const task = await requireOpen(actor, taskId, tx);
        await tx.query(`update customer_addresses set to_date = greatest(from_date, $2::date) where customer_id = $1 and to_date is null and kind in ('correspondence', 'forwarding')`, [task.customer_id, addDays(from, -1)]);
        const postcode = t.postcode.includes(' ') ? t.postcode : `${t.postcode.slice(0, -3)} ${t.postcode.slice(-3)}`;
        const [address] = await tx.query<{ id: number }>(
          `insert into customer_addresses (customer_id, kind, address_line1, address_line2, town, postcode, from_date) values ($1, 'correspondence', $2, $3, $4, $5, $6) returning id`,
          [task.customer_id, t.addressLine1, t.addressLine2 ?? null, t.town, postcode, from]);
        await tx.query(`update trace_tasks set status = 'traced', new_address_id = $2, closed_on = $3, closed_by = $4 where id = $1`, [taskId, address.id, today, actor.userId]);
        const woken = await tx.query<{ account_id: number }>(
          `update recovery_cases set review_on = $2 where account_id in (select account_id from customer_accounts where customer_id = $1) returning account_id`, [task.customer_id, today]);
        await events.insert({ authorityId: task.authority_id, customerId: task.customer_id, accountId: task.account_id, type: 'trace', summary: `Traced to ${t.addressLine1}, ${t.town} ${postcode}: recovery restarts from the new address`, detail: { traceTaskId: taskId, addressId: address.id }, byUserId: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: 'traced.trace_task', entityType: 'trace_task', entityId: taskId, authorityId: task.authority_id }, tx);
        return { addressId: address.id, accountsWoken: woken.length };
      });
    },

    async untraceable(actor: Actor, taskId: number, input: unknown) {
      requirePermission(actor, 'tracing.manage');
      const u = parse(untraceableSchema, input, 'Check why they cannot be traced');
      await db.transaction(async (tx) => {
        const task = await requireOpen(actor, taskId, tx);
        await tx.query(`update trace_tasks set status = 'untraceable', note = case when note = '' then $2 else note || ' ' || $2 end, closed_on = $3, closed_by = $4 where id = $1`, [taskId, u.note, clock.today(), actor.userId]);
        await events.insert({ authorityId: task.authority_id, customerId: task.customer_id, accountId: task.account_id, type: 'trace', summary: `Untraceable: ${u.note}`, detail: { traceTaskId: taskId }, byUserId: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: 'untraceable.trace_task', entityType: 'trace_task', entityId: taskId, authorityId: task.authority_id }, tx);
      });
    },

    async getTask(actor: Actor, id: number) {
      requirePermission(actor, 'cases.view');
      const task = await requireTask(actor, id);
      const attempts = await db.query<{ source: string; tried_on: string; found: boolean; note: string }>('select source, tried_on, found, note from trace_attempts where task_id = $1 order by id', [id]);
      await audit.record(actor, { action: 'view.trace_task', entityType: 'trace_task', entityId: id, authorityId: task.authority_id });
      return { task, attempts };
    },

    async list(actor: Actor, status: 'open' | 'traced' | 'untraceable' = 'open') {
      requirePermission(actor, 'cases.view');
      return db.query<{ id: number; customer_id: number; customer_name: string; trigger: string; created_at: Date; attempts: number }>(
        `select t.id, t.customer_id, c.display_name as customer_name, t.trigger, t.created_at, (select count(*) from trace_attempts a where a.task_id = t.id)::int as attempts
           from trace_tasks t join customers c on c.id = t.customer_id where t.authority_id = any($1::int[]) and t.status = $2 order by t.id desc limit 200`, [actor.authorityIds, status]);
    },
  };
}
export type TracingService = ReturnType<typeof createTracingService>;
