// Attachment of benefits (DOMAIN.md §4; SI 1992/613 reg 29 and Sch 5): after a liability order on a
// council tax account, the council asks DWP to deduct a fixed amount from the debtor's benefit
// (Universal Credit, JSA, ESA, Income Support, Pension Credit). The request is recorded with the
// benefit and the debtor's National Insurance number, goes to DWP as a letter (PDF) and in the next
// bulk request file (each request in one file only), and DWP accepts or rejects it. Once accepted,
// what DWP pays over is posted as payments (the AEO remittance path) and monitored against the
// deductions expected; the attachment ends when cleared, when the benefit ends, or when withdrawn.
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { isAfter, isIsoDate } from '../../domain/calendar.ts';
import { attachmentOfBenefitsDeduction, BENEFIT_LABELS, BENEFIT_TYPES, UC_ALLOWANCE_LABELS, UC_ALLOWANCES } from '../../domain/law/attachment-of-benefits.ts';
import { formatPence } from '../../domain/money.ts';
import { longDate } from '../../domain/recovery/evaluate.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { writeDwpRequestFile } from '../../integrations/dwp/benefit-deduction-requests.ts';
import type { AccountsRepository } from '../accounts/accounts.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import { letterheadFor, type DocumentsService } from '../documents/documents.service.ts';
import { customerRecipient, parse } from '../arrangements/recipient.ts';
import type { AttachmentsRepository } from './attachments.repository.ts';
import type { BenefitAttachmentRow, BenefitAttachmentsRepository } from './benefit-attachments.repository.ts';

const optional = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalDate = (label: string) => z.preprocess(optional, z.string().refine(isIsoDate, `Enter ${label} as a real date, for example 2026-12-01`).optional());

/**
 * A National Insurance number: two letters, six digits, A–D (HMRC's format: first letter not D, F, I,
 * Q, U or V; second not D, F, I, O, Q, U or V; not the prefixes BG, GB, KN, NK, NT, TN or ZZ).
 * Spaces are ignored and letters upper-cased.
 */
export const NI_NUMBER = /^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/;
const niNumber = z.preprocess((v) => (typeof v === 'string' ? v.replace(/\s+/g, '').toUpperCase() : v),
  z.string({ message: 'Enter the debtor’s National Insurance number' }).min(1, { message: 'Enter the debtor’s National Insurance number', abort: true })
    .regex(NI_NUMBER, 'Enter a National Insurance number in the correct format, like QQ 12 34 56 C'));

export const benefitRequestSchema = z.object({
  benefitType: z.enum(BENEFIT_TYPES, { message: 'Choose the benefit the debtor receives' }),
  ucAllowance: z.preprocess(optional, z.enum(UC_ALLOWANCES, { message: 'Choose the kind of Universal Credit claim' }).optional()),
  niNumber,
  requestedOn: optionalDate('the request date'),
}).superRefine((v, ctx) => {
  if (v.benefitType === 'universal_credit' && !v.ucAllowance) ctx.addIssue({ code: 'custom', path: ['ucAllowance'], message: 'Choose the kind of Universal Credit claim' });
});

export const dwpDecisionSchema = z.object({
  outcome: z.enum(['accepted', 'rejected'], { message: 'Choose whether DWP accepted or rejected the request' }),
  decidedOn: optionalDate('the date of DWP’s answer'),
  dwpReference: z.preprocess(optional, z.string().trim().max(50, 'At most 50 characters').optional()),
  // Accepted: what DWP will deduct (defaults to what was asked for) and from when.
  deductionPence: z.preprocess(optional, z.coerce.number({ message: 'Enter the deduction in pence' }).int('Enter the deduction as a whole number of pence').positive('Enter a deduction of more than 0').optional()),
  period: z.preprocess(optional, z.enum(['weekly', 'monthly'], { message: 'Choose weekly or monthly' }).optional()),
  firstDeductionOn: optionalDate('the first deduction date'),
  // Rejected: DWP's reason (no qualifying benefit, deduction limit reached, claimant not found…).
  reason: z.preprocess(optional, z.string().trim().max(1000).optional()),
}).superRefine((v, ctx) => {
  if (v.outcome === 'rejected' && !v.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Enter DWP’s reason for rejecting it' });
});

export const benefitReceiptSchema = z.object({
  amountPence: z.coerce.number({ message: 'Enter the amount in pence' }).int('Enter the amount as a whole number of pence').positive('Enter an amount of more than 0'),
  receivedOn: optionalDate('the date received'),
});

export const endBenefitAttachmentSchema = z.object({
  outcome: z.enum(['cleared', 'benefit_ended', 'withdrawn'], { message: 'Choose why it is ending' }),
  note: z.preprocess(optional, z.string().trim().max(1000).optional()),
});

const END_LABELS = { cleared: 'Cleared', benefit_ended: 'Benefit ended', withdrawn: 'Withdrawn by the council' } as const;
const perPeriod = (p: 'weekly' | 'monthly') => (p === 'weekly' ? 'a week' : 'a month');

export function createBenefitAttachmentsService(deps: {
  db: Db;
  clock: Clock;
  repo: BenefitAttachmentsRepository;
  orders: AttachmentsRepository;
  accounts: AccountsRepository;
  documents: DocumentsService;
  events: EventsRepository;
  audit: AuditRepository;
}) {
  const { db, clock, repo, orders, accounts, documents, events, audit } = deps;

  async function requireAttachment(actor: Actor, id: number, tx: Db = db) {
    const row = await repo.find(actor.authorityIds, id, tx);
    if (!row) throw new NotFoundError(`Attachment of benefits ${id} was not found`);
    return row;
  }

  function notFuture(date: string, field: string, what: string) {
    if (isAfter(date, clock.today())) throw new ValidationError(`Check ${what}`, [{ field, message: 'The date cannot be in the future' }]);
  }

  /** The letter to DWP: the application itself, or the notice to stop deducting. */
  async function dwpLetter(b: BenefitAttachmentRow, kind: 'aob_request' | 'aob_stop', on: string, tx: Db, note?: string) {
    const title = kind === 'aob_request' ? 'Application for deductions from benefit (Council Tax)' : 'Deductions from benefit (Council Tax): please stop';
    const who = await customerRecipient(tx, [b.authority_id], b.customer_id);
    const [dob] = await tx.query<{ date_of_birth: string | null }>('select date_of_birth from customers where id = $1', [b.customer_id]);
    const { years } = await orders.liabilityOrderBalance(b.account_id, tx);
    const benefit = BENEFIT_LABELS[b.benefit_type] + (b.uc_allowance ? ` (${UC_ALLOWANCE_LABELS[b.uc_allowance].toLowerCase()})` : '');
    const blocks = kind === 'aob_request'
      ? [
        { type: 'paragraph' as const, text: `Liability orders have been made against the person named below for unpaid council tax. Under regulation 29 of, and Schedule 5 to, the Council Tax (Administration and Enforcement) Regulations 1992 we apply for deductions to be made from their ${BENEFIT_LABELS[b.benefit_type]} and paid to the council.` },
        { type: 'keyValue' as const, rows: [
          ['Name', b.customer_name], ['National Insurance number', b.ni_number], ['Date of birth', dob?.date_of_birth ? longDate(dob.date_of_birth) : 'Not known'],
          ['Address', who.addressLines.join(', ') || 'Not known'], ['Benefit', benefit], ['Council tax account', b.account_reference],
          ['Liability orders for', years.map((y) => `${y}/${String((y + 1) % 100).padStart(2, '0')}`).join(', ')],
          ['Amount outstanding', formatPence(Number(b.requested_pence))], ['Deduction applied for', `${formatPence(Number(b.deduction_pence))} ${perPeriod(b.period)}`],
        ] as [string, string][] },
        { type: 'notice' as const, text: `Please tell us whether deductions will be made, the amount and the date of the first deduction, quoting account ${b.account_reference} and request ${b.id}.` },
      ]
      : [
        { type: 'paragraph' as const, text: `Please stop the council tax deductions from the ${BENEFIT_LABELS[b.benefit_type]} of ${b.customer_name} (National Insurance number ${b.ni_number})${b.dwp_reference ? `, your reference ${b.dwp_reference}` : ''}, account ${b.account_reference}.` },
        { type: 'notice' as const, text: `Make no further deductions after ${longDate(on)}.${note ? ` ${note}` : ''}` },
      ];
    return documents.issueLetter({
      authorityId: b.authority_id, customerId: b.customer_id, accountId: b.account_id, kind, title,
      content: { from: await letterheadFor(tx, b.authority_id), to: { name: 'Department for Work and Pensions', addressLines: ['Deductions from benefit: Council Tax'] }, date: on, reference: b.account_reference, title, blocks },
    }, { actor: null, tx });
  }

  async function event(b: BenefitAttachmentRow, actor: Actor, summary: string, tx: Db, detail: Record<string, unknown> = {}) {
    await events.insert({ authorityId: b.authority_id, customerId: b.customer_id, accountId: b.account_id, type: 'attachment', summary, detail: { benefitAttachmentId: b.id, ...detail }, byUserId: actor.userId, at: clock.now() }, tx);
  }

  const service = {
    /** What the law says DWP would deduct from this benefit today (for the form). */
    previewDeduction(nation: 'england' | 'wales', benefitType: (typeof BENEFIT_TYPES)[number], ucAllowance?: (typeof UC_ALLOWANCES)[number]) {
      return attachmentOfBenefitsDeduction({ nation, benefit: benefitType, ucAllowance, on: clock.today() });
    },

    async request(actor: Actor, accountId: number, input: unknown): Promise<number> {
      requirePermission(actor, 'attachments.manage');
      const r = parse(benefitRequestSchema, input, 'Check the request');
      const account = await accounts.findAccount(actor.authorityIds, accountId);
      if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
      if (account.stream !== 'council_tax') {
        throw new ValidationError('Check the account', [{ field: 'accountId', message: 'Deductions from benefit are for council tax only (business rates have no such remedy)' }]);
      }
      const requestedOn = r.requestedOn ?? clock.today();
      notFuture(requestedOn, 'requestedOn', 'the request');
      const lo = await orders.liabilityOrderBalance(accountId);
      if (!lo.years.length) throw new ValidationError('Check the account', [{ field: 'accountId', message: `Account ${account.reference} has no liability order: deductions from benefit need one` }]);
      if (lo.balancePence <= 0) throw new ValidationError('Check the account', [{ field: 'accountId', message: `Nothing is owed under the liability orders on account ${account.reference}` }]);
      if (await repo.openForCustomer(account.customer_id)) {
        throw new ConflictError(`${account.customer_name} already has a deduction from benefit requested or running: DWP takes one at a time`);
      }
      const [{ nation }] = await db.query<{ nation: 'england' | 'wales' }>('select nation from billing_authorities where id = $1', [account.authority_id]);
      const d = attachmentOfBenefitsDeduction({ nation, benefit: r.benefitType, ucAllowance: r.ucAllowance, on: requestedOn });
      return db.transaction(async (tx) => {
        const id = await repo.insert({
          authorityId: account.authority_id, accountId, customerId: account.customer_id, benefitType: r.benefitType, ucAllowance: r.benefitType === 'universal_credit' ? r.ucAllowance! : null,
          niNumber: r.niNumber, requestedOn, requestedPence: lo.balancePence, period: d.period, deductionPence: d.deductionPence, ruleSource: d.source,
        }, actor.userId, tx);
        const b = await requireAttachment(actor, id, tx);
        const documentId = await dwpLetter(b, 'aob_request', clock.today(), tx);
        await repo.setDocument(id, documentId, tx);
        await event(b, actor, `Deductions from ${BENEFIT_LABELS[r.benefitType]} asked of DWP: ${formatPence(d.deductionPence)} ${perPeriod(d.period)} until ${formatPence(lo.balancePence)} is paid`, tx, { documentId });
        await audit.record(actor, { action: 'create.benefit_attachment', entityType: 'benefit_attachment', entityId: id, authorityId: account.authority_id }, tx);
        return id;
      });
    },

    async get(actor: Actor, id: number) {
      requirePermission(actor, 'cases.view');
      const attachment = await requireAttachment(actor, id);
      await audit.record(actor, { action: 'view.benefit_attachment', entityType: 'benefit_attachment', entityId: id, authorityId: attachment.authority_id });
      return { attachment, receipts: await repo.receipts(id) };
    },

    /** DWP's answer: accepted (with the amount it will deduct and from when) or rejected (with why). */
    async recordDecision(actor: Actor, id: number, input: unknown) {
      requirePermission(actor, 'attachments.manage');
      const d = parse(dwpDecisionSchema, input, 'Check DWP’s answer');
      const decidedOn = d.decidedOn ?? clock.today();
      notFuture(decidedOn, 'decidedOn', 'DWP’s answer');
      await db.transaction(async (tx) => {
        const b = await requireAttachment(actor, id, tx);
        if (b.status !== 'requested') throw new ConflictError(`This request has already been ${b.status.replace('_', ' ')}`);
        if (d.outcome === 'accepted') {
          const deductionPence = d.deductionPence ?? Number(b.deduction_pence);
          const period = d.period ?? b.period;
          await repo.accept(id, { decidedOn, dwpReference: d.dwpReference ?? null, period, deductionPence, firstDeductionOn: d.firstDeductionOn ?? decidedOn }, tx);
          await event(b, actor, `DWP accepted the deductions from ${BENEFIT_LABELS[b.benefit_type]}: ${formatPence(deductionPence)} ${perPeriod(period)} from ${longDate(d.firstDeductionOn ?? decidedOn)}`, tx);
        } else {
          await repo.reject(id, { decidedOn, dwpReference: d.dwpReference ?? null, reason: d.reason! }, tx);
          await event(b, actor, `DWP rejected the deductions from ${BENEFIT_LABELS[b.benefit_type]}: ${d.reason}`, tx);
        }
        await audit.record(actor, { action: `decide.benefit_attachment.${d.outcome}`, entityType: 'benefit_attachment', entityId: id, authorityId: b.authority_id }, tx);
      });
    },

    /** Money from DWP under an accepted attachment: posted as a payment; cleared when it is met. */
    async recordReceipt(actor: Actor, id: number, input: unknown) {
      requirePermission(actor, 'attachments.manage');
      const r = parse(benefitReceiptSchema, input, 'Check the amount received');
      const receivedOn = r.receivedOn ?? clock.today();
      notFuture(receivedOn, 'receivedOn', 'the amount received');
      return db.transaction(async (tx) => {
        const b = await requireAttachment(actor, id, tx);
        if (b.status !== 'accepted') throw new ConflictError(b.status === 'requested' ? 'DWP has not accepted this request yet: record its answer first' : 'This attachment has ended: record the money as an ordinary payment');
        const ledgerEntryId = await orders.postAttachmentPayment({ accountId: b.account_id, amountPence: r.amountPence, on: receivedOn, source: `aob:${id}`, reason: 'Deduction from benefit (DWP)' }, actor.userId, tx);
        await repo.insertReceipt(id, { receivedOn, amountPence: r.amountPence, ledgerEntryId }, actor.userId, tx);
        const received = Number(b.received_pence) + r.amountPence;
        const cleared = received >= Number(b.requested_pence);
        if (cleared) {
          await repo.close(id, 'cleared', receivedOn, 'Paid in full', tx);
          await dwpLetter(b, 'aob_stop', receivedOn, tx, 'The sum due has been paid in full.');
        }
        await event(b, actor, `Deduction from benefit of ${formatPence(r.amountPence)} received from DWP${cleared ? ': cleared, DWP told to stop' : ''}`, tx, { ledgerEntryId });
        await audit.record(actor, { action: 'create.benefit_attachment_receipt', entityType: 'benefit_attachment', entityId: id, authorityId: b.authority_id }, tx);
        return { receivedPence: received, cleared };
      });
    },

    /** Ends a request or attachment: cleared (paid another way), the benefit ended, or withdrawn. */
    async end(actor: Actor, id: number, input: unknown) {
      requirePermission(actor, 'attachments.manage');
      const e = parse(endBenefitAttachmentSchema, input, 'Check why it is ending');
      await db.transaction(async (tx) => {
        const b = await requireAttachment(actor, id, tx);
        if (b.status !== 'requested' && b.status !== 'accepted') throw new ConflictError(`This attachment has already ended (${b.status.replace('_', ' ')})`);
        const today = clock.today();
        await repo.close(id, e.outcome, today, e.note ?? END_LABELS[e.outcome], tx);
        // DWP already has the request (the letter went when it was made), so it is told to stop,
        // unless it was DWP that told us the benefit has ended.
        const tellDwp = e.outcome !== 'benefit_ended';
        if (tellDwp) await dwpLetter(b, 'aob_stop', today, tx, e.note);
        await event(b, actor, `Deductions from ${BENEFIT_LABELS[b.benefit_type]} ended: ${END_LABELS[e.outcome]}${e.note ? ` (${e.note})` : ''}${tellDwp ? '; DWP told to stop' : ''}`, tx);
        await audit.record(actor, { action: `end.benefit_attachment.${e.outcome}`, entityType: 'benefit_attachment', entityId: id, authorityId: b.authority_id }, tx);
      });
    },

    /** Requests awaiting DWP's answer, newest first. */
    async awaitingDwp(actor: Actor) {
      requirePermission(actor, 'cases.view');
      return repo.list(actor.authorityIds, { statuses: ['requested'], limit: 500 });
    },

    /** Accepted attachments: deductions expected by asOf against what DWP paid, biggest shortfall first. */
    async monitor(actor: Actor, asOf: string = clock.today()) {
      requirePermission(actor, 'cases.view');
      if (!isIsoDate(asOf)) throw new ValidationError('Check the date', [{ field: 'asOf', message: 'Enter a real date' }]);
      return repo.monitor(actor.authorityIds, asOf, 500);
    },

    /** How many accepted attachments are running and how many are behind, for the hub. */
    async monitorCounts(actor: Actor, asOf: string = clock.today()) {
      requirePermission(actor, 'cases.view');
      if (!isIsoDate(asOf)) throw new ValidationError('Check the date', [{ field: 'asOf', message: 'Enter a real date' }]);
      return repo.monitorCounts(actor.authorityIds, asOf);
    },

    /**
     * The bulk request file for DWP: every request not yet in a file goes in this one and is marked
     * with it, so running it again gives only requests made since (docs/formats.md).
     */
    async dwpRequestFile(actor: Actor) {
      requirePermission(actor, 'attachments.manage');
      const stamp = clock.now().toISOString();
      const fileName = `dwp-deduction-requests-${stamp.slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}.csv`;
      return db.transaction(async (tx) => {
        const rows = await repo.takeForDwpFile(actor.authorityIds, fileName, clock.now(), tx);
        const csv = writeDwpRequestFile(rows.map((r) => ({
          requestId: Number(r.id), councilReference: r.ons_code, accountReference: r.account_reference, niNumber: r.ni_number,
          surname: r.surname ?? r.display_name, forenames: r.forenames ?? '', dateOfBirth: r.date_of_birth, addressLines: r.address_lines,
          benefit: r.benefit_type, period: r.period, deductionPence: Number(r.deduction_pence), outstandingPence: Number(r.requested_pence),
          liabilityOrderYears: r.lo_years.map(Number), requestedOn: r.requested_on,
        })));
        await audit.record(actor, { action: 'export.dwp_deduction_requests', entityType: 'benefit_attachment', detail: { fileName, requests: rows.length, ids: rows.map((r) => Number(r.id)) } }, tx);
        return { fileName, requests: rows.length, csv };
      });
    },
  };
  return service;
}
export type BenefitAttachmentsService = ReturnType<typeof createBenefitAttachmentsService>;
