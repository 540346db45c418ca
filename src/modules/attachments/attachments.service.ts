// Attachment of earnings (DOMAIN.md §4, reg 37 and Schedule 4): employers register; an order on a
// council tax account with a liability order, its deduction from the statutory table for the
// council's nation and the debtor's pay period (src/domain/attachment-of-earnings.ts); at most two
// running at once for a debtor; the order goes to the employer as a letter (PDF); remittances are
// posted to the ledger and monitored against the deductions expected; the order ends when cleared
// or when an officer ends it (the employer is told to stop).
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { attachmentOfEarningsDeduction } from '../../domain/attachment-of-earnings.ts';
import { isAfter, isIsoDate } from '../../domain/calendar.ts';
import { formatPence } from '../../domain/money.ts';
import { longDate } from '../../domain/recovery/evaluate.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { AccountsRepository } from '../accounts/accounts.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import { letterheadFor, type DocumentsService } from '../documents/documents.service.ts';
import { parse } from '../arrangements/recipient.ts';
import type { AttachmentsRepository, EmployerRow, OrderRow } from './attachments.repository.ts';

export const MAX_ACTIVE_ORDERS = 2;
const optional = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const employerSchema = z.object({
  name: z.string().trim().min(1, 'Enter the employer’s name').max(200),
  address: z.string().trim().min(1, 'Enter the payroll address').max(500),
  payrollEmail: z.preprocess(optional, z.string().trim().email('Enter a real email address').optional()),
  payrollReference: z.preprocess(optional, z.string().trim().max(100).optional()),
});

export const orderSchema = z.object({
  employerId: z.coerce.number({ message: 'Choose the employer' }).int().positive('Choose the employer'),
  payPeriod: z.enum(['weekly', 'monthly', 'daily'], { message: 'Choose how often the debtor is paid' }),
  netEarningsPence: z.coerce.number({ message: 'Enter net earnings in pence' }).int('Enter net earnings as a whole number of pence').min(0, 'Net earnings cannot be negative'),
  worksNumber: z.preprocess(optional, z.string().trim().max(50).optional()),
  madeOn: z.preprocess(optional, z.string().refine(isIsoDate, 'Enter the order date as a real date').optional()),
});

export const remittanceSchema = z.object({
  amountPence: z.coerce.number({ message: 'Enter the amount in pence' }).int('Enter the amount as a whole number of pence').positive('Enter an amount of more than 0'),
  receivedOn: z.preprocess(optional, z.string().refine(isIsoDate, 'Enter the date received as a real date').optional()),
});

export const endOrderSchema = z.object({
  reason: z.string().trim().min(1, 'Enter why the order is ending').max(1000),
});

export function createAttachmentsService(deps: {
  db: Db;
  clock: Clock;
  repo: AttachmentsRepository;
  accounts: AccountsRepository;
  documents: DocumentsService;
  events: EventsRepository;
  audit: AuditRepository;
}) {
  const { db, clock, repo, accounts, documents, events, audit } = deps;

  async function requireOrder(actor: Actor, id: number, tx: Db = db) {
    const order = await repo.find(actor.authorityIds, id, tx);
    if (!order) throw new NotFoundError(`Attachment of earnings order ${id} was not found`);
    return order;
  }

  /** A letter to the employer about an order: the order itself, or the notice that it has ended. */
  async function employerLetter(order: OrderRow, employer: EmployerRow, kind: 'aeo_order' | 'aeo_discharge', on: string, tx: Db) {
    const title = kind === 'aeo_order' ? 'Attachment of earnings order (Council Tax)' : 'Attachment of earnings order: stop deductions';
    const blocks = kind === 'aeo_order'
      ? [
        { type: 'paragraph' as const, text: `A liability order has been made against your employee ${order.customer_name}${order.works_number ? ` (works number ${order.works_number})` : ''}. Under regulation 37 of the Council Tax (Administration and Enforcement) Regulations 1992 you must deduct from their net earnings on each pay day the amount in the table in Schedule 4, and pay it to the council by the 19th of the following month.` },
        { type: 'keyValue' as const, rows: [
          ['Employee', order.customer_name], ['Account reference', order.account_reference], ['Pay period', order.pay_period],
          ['Net earnings used', formatPence(order.net_earnings_pence)], ['Deduction rate', order.rate === '17+50' ? '17% plus 50% above the top band' : `${order.rate}%`],
          ['Deduction each pay day', formatPence(order.deduction_pence)], ['Total to deduct', formatPence(order.order_pence)],
        ] as [string, string][] },
        { type: 'notice' as const, text: `Deduct by reference to net earnings each pay day using the table (${order.table_source}). You may keep £1 each time for administration. Stop when ${formatPence(order.order_pence)} has been deducted or when we tell you.` },
        { type: 'paragraph' as const, text: 'If this person leaves your employment, tell us within 14 days and give their new employer’s details if you know them.' },
      ]
      : [
        { type: 'paragraph' as const, text: `The attachment of earnings order for your employee ${order.customer_name}${order.works_number ? ` (works number ${order.works_number})` : ''}, account ${order.account_reference}, has ended.` },
        { type: 'notice' as const, text: `Make no further deductions after ${longDate(on)}.` },
      ];
    return documents.issueLetter({
      authorityId: order.authority_id, customerId: order.customer_id, accountId: order.account_id, kind, title,
      content: { from: await letterheadFor(tx, order.authority_id), to: { name: `The Payroll Manager, ${employer.name}`, addressLines: employer.address_lines }, date: on, reference: order.account_reference, title, blocks },
    }, { actor: null, tx });
  }

  const service = {
    async registerEmployer(actor: Actor, input: unknown): Promise<number> {
      requirePermission(actor, 'attachments.manage');
      const e = parse(employerSchema, input, 'Check the employer');
      const authorityId = actor.authorityIds[0];
      if (authorityId === undefined) throw new ValidationError('You are not set up for a council');
      return db.transaction(async (tx) => {
        const id = await repo.insertEmployer({ authorityId, name: e.name, addressLines: e.address.split(/\r?\n|,\s*/).map((l) => l.trim()).filter(Boolean), payrollEmail: e.payrollEmail ?? null, payrollReference: e.payrollReference ?? null }, actor.userId, tx);
        await audit.record(actor, { action: 'create.employer', entityType: 'employer', entityId: id, authorityId }, tx);
        return id;
      });
    },

    async listEmployers(actor: Actor) {
      requirePermission(actor, 'cases.view');
      return repo.listEmployers(actor.authorityIds);
    },

    /** What an order would deduct: the statutory table for the council's nation, on the order date. */
    async previewDeduction(actor: Actor, accountId: number, input: { payPeriod: 'weekly' | 'monthly' | 'daily'; netEarningsPence: number; madeOn?: string }) {
      requirePermission(actor, 'cases.view');
      const account = await accounts.findAccount(actor.authorityIds, accountId);
      if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
      const [{ nation }] = await db.query<{ nation: 'england' | 'wales' }>('select nation from billing_authorities where id = $1', [account.authority_id]);
      return attachmentOfEarningsDeduction({ nation, period: input.payPeriod, netEarningsPence: input.netEarningsPence, orderMadeOn: input.madeOn ?? clock.today() });
    },

    async makeOrder(actor: Actor, accountId: number, input: unknown): Promise<number> {
      requirePermission(actor, 'attachments.manage');
      const o = parse(orderSchema, input, 'Check the order');
      const account = await accounts.findAccount(actor.authorityIds, accountId);
      if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
      if (account.stream !== 'council_tax') throw new ConflictError('Attachment of earnings is for council tax only (business rates have no such remedy)');
      const employer = await repo.findEmployer(actor.authorityIds, o.employerId);
      if (!employer) throw new ValidationError('Check the order', [{ field: 'employerId', message: 'Choose a registered employer' }]);
      const madeOn = o.madeOn ?? clock.today();
      if (isAfter(madeOn, clock.today())) throw new ValidationError('Check the order', [{ field: 'madeOn', message: 'The order date cannot be in the future' }]);
      const lo = await repo.liabilityOrderBalance(accountId);
      if (!lo.years.length) throw new ConflictError(`Account ${account.reference} has no liability order: an attachment needs one`);
      if (lo.balancePence <= 0) throw new ConflictError(`Nothing is owed under the liability orders on account ${account.reference}`);
      if (await repo.activeOrdersForCustomer(account.customer_id) >= MAX_ACTIVE_ORDERS) {
        throw new ConflictError(`${account.customer_name} already has ${MAX_ACTIVE_ORDERS} attachment of earnings orders running: no more than two at once`);
      }
      const [{ nation }] = await db.query<{ nation: 'england' | 'wales' }>('select nation from billing_authorities where id = $1', [account.authority_id]);
      const d = attachmentOfEarningsDeduction({ nation, period: o.payPeriod, netEarningsPence: o.netEarningsPence, orderMadeOn: madeOn });
      return db.transaction(async (tx) => {
        const id = await repo.insertOrder({
          authorityId: account.authority_id, accountId, customerId: account.customer_id, employerId: employer.id, worksNumber: o.worksNumber ?? null, madeOn,
          payPeriod: o.payPeriod, netEarningsPence: o.netEarningsPence, deductionPence: d.deductionPence, rate: d.rate, tableSource: d.source, orderPence: lo.balancePence,
        }, actor.userId, tx);
        const order = (await requireOrder(actor, id, tx));
        const documentId = await employerLetter(order, employer, 'aeo_order', clock.today(), tx);
        await repo.setDocument(id, documentId, tx);
        await events.insert({
          authorityId: account.authority_id, customerId: account.customer_id, accountId, type: 'attachment',
          summary: `Attachment of earnings order sent to ${employer.name}: ${formatPence(d.deductionPence)} each ${o.payPeriod === 'daily' ? 'day' : o.payPeriod === 'weekly' ? 'week' : 'month'} (${d.rate === '17+50' ? '17% + 50%' : `${d.rate}%`}) until ${formatPence(lo.balancePence)} is paid`,
          detail: { orderId: id, documentId }, byUserId: actor.userId, at: clock.now(),
        }, tx);
        await audit.record(actor, { action: 'create.attachment_order', entityType: 'attachment_order', entityId: id, authorityId: account.authority_id }, tx);
        return id;
      });
    },

    async getOrder(actor: Actor, id: number) {
      requirePermission(actor, 'cases.view');
      const order = await requireOrder(actor, id);
      await audit.record(actor, { action: 'view.attachment_order', entityType: 'attachment_order', entityId: id, authorityId: order.authority_id });
      return { order, remittances: await repo.remittances(id) };
    },

    /** A remittance from the employer: posted as a payment; the order is cleared when it is met. */
    async recordRemittance(actor: Actor, orderId: number, input: unknown) {
      requirePermission(actor, 'attachments.manage');
      const r = parse(remittanceSchema, input, 'Check the remittance');
      const receivedOn = r.receivedOn ?? clock.today();
      return db.transaction(async (tx) => {
        const order = await requireOrder(actor, orderId, tx);
        if (order.status !== 'active') throw new ConflictError('This order has ended: record the money as an ordinary payment');
        const entry = { id: await repo.postAttachmentPayment({ accountId: order.account_id, amountPence: r.amountPence, on: receivedOn, source: `aeo:${orderId}`, reason: 'Attachment of earnings remittance' }, actor.userId, tx) };
        await repo.insertRemittance(orderId, { receivedOn, amountPence: r.amountPence, ledgerEntryId: entry.id }, actor.userId, tx);
        const received = Number(order.received_pence) + r.amountPence;
        let cleared = false;
        if (received >= Number(order.order_pence)) {
          cleared = true;
          await repo.close(orderId, 'cleared', receivedOn, 'Paid in full', tx);
          const employer = (await repo.findEmployer(actor.authorityIds, order.employer_id, tx))!;
          await employerLetter(order, employer, 'aeo_discharge', receivedOn, tx);
        }
        await events.insert({
          authorityId: order.authority_id, customerId: order.customer_id, accountId: order.account_id, type: 'attachment',
          summary: `Attachment of earnings remittance of ${formatPence(r.amountPence)} from ${order.employer_name}${cleared ? ': order cleared, employer told to stop' : ''}`,
          detail: { orderId, ledgerEntryId: entry.id }, byUserId: actor.userId, at: clock.now(),
        }, tx);
        await audit.record(actor, { action: 'create.attachment_remittance', entityType: 'attachment_order', entityId: orderId, authorityId: order.authority_id }, tx);
        return { receivedPence: received, cleared };
      });
    },

    /** Ends an order (left the employer, arrangement agreed…): the employer is told to stop. */
    async endOrder(actor: Actor, orderId: number, input: unknown) {
      requirePermission(actor, 'attachments.manage');
      const e = parse(endOrderSchema, input, 'Check why the order is ending');
      await db.transaction(async (tx) => {
        const order = await requireOrder(actor, orderId, tx);
        if (order.status !== 'active') throw new ConflictError('This order has already ended');
        const today = clock.today();
        await repo.close(orderId, 'ended', today, e.reason, tx);
        const employer = (await repo.findEmployer(actor.authorityIds, order.employer_id, tx))!;
        await employerLetter(order, employer, 'aeo_discharge', today, tx);
        await events.insert({ authorityId: order.authority_id, customerId: order.customer_id, accountId: order.account_id, type: 'attachment', summary: `Attachment of earnings order with ${order.employer_name} ended: ${e.reason}`, detail: { orderId }, byUserId: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: 'end.attachment_order', entityType: 'attachment_order', entityId: orderId, authorityId: order.authority_id }, tx);
      });
    },

    /**
     * The debtor has a new employer: the order with the old one ends (they are told to stop) and a
     * new order goes to the new one for what is still owed under the liability orders.
     */
    async changeEmployer(actor: Actor, orderId: number, input: unknown): Promise<number> {
      requirePermission(actor, 'attachments.manage');
      const o = parse(orderSchema, input, 'Check the new order');
      const order = await requireOrder(actor, orderId);
      if (order.status !== 'active') throw new ConflictError('This order has already ended');
      if (o.employerId === order.employer_id) throw new ValidationError('Check the new order', [{ field: 'employerId', message: 'Choose the new employer' }]);
      if (!(await repo.findEmployer(actor.authorityIds, o.employerId))) throw new ValidationError('Check the new order', [{ field: 'employerId', message: 'Choose a registered employer' }]);
      await service.endOrder(actor, orderId, { reason: 'Changed employer' });
      return service.makeOrder(actor, order.account_id, o);
    },

    /** Active orders with the deductions expected by asOf against remittances, biggest shortfall first. */
    async monitor(actor: Actor, asOf: string = clock.today()) {
      requirePermission(actor, 'cases.view');
      if (!isIsoDate(asOf)) throw new ValidationError('Check the date', [{ field: 'asOf', message: 'Enter a real date' }]);
      return repo.monitor(actor.authorityIds, asOf, 500);
    },
  };
  return service;
}
export type AttachmentsService = ReturnType<typeof createAttachmentsService>;
