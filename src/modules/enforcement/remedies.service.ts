// Charging orders, bankruptcy and committal (DOMAIN.md §4) as applications with their checks. The
// checks are run and recorded whatever they find: when one fails the application is refused there
// and then (the decision is on record with its reasons); when all pass, the document for the court
// is issued and the application awaits the court's decision, which the officer records.
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { addMonths, isIsoDate, isOnOrBefore } from '../../domain/calendar.ts';
import { formatPence } from '../../domain/money.ts';
import { longDate } from '../../domain/recovery/evaluate.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { AccountsRepository } from '../accounts/accounts.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import { letterheadFor, type DocumentsService } from '../documents/documents.service.ts';
import { parse } from '../arrangements/recipient.ts';

export const REMEDY_KINDS = ['charging_order', 'bankruptcy', 'committal'] as const;
export type RemedyKind = (typeof REMEDY_KINDS)[number];
/** Reg 50(2): a charging order needs at least £1,000 outstanding under liability orders. */
export const CHARGING_ORDER_MINIMUM_PENCE = 100_000;
/** Insolvency Act 1986 s267(4) as amended from 1 October 2015: petition debt at least £5,000. */
export const BANKRUPTCY_MINIMUM_PENCE = 500_000;
const TITLES: Record<RemedyKind, string> = {
  charging_order: 'Application for a charging order (Council Tax, regulation 50)',
  bankruptcy: 'Bankruptcy petition: statement of the petition debt',
  committal: 'Application for a warrant of commitment (Council Tax, regulation 47)',
};

export const remedySchema = z.object({
  kind: z.enum(REMEDY_KINDS, { message: 'Choose charging order, bankruptcy or committal' }),
  meansInquiryOn: z.preprocess((v) => (v === '' ? undefined : v), z.string().refine(isIsoDate, 'Enter the means inquiry date as a real date').optional()),
  finding: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['wilful_refusal', 'culpable_neglect', 'neither']).optional()),
});
export const outcomeSchema = z.object({
  outcome: z.enum(['granted', 'dismissed', 'withdrawn'], { message: 'Choose the court’s decision' }),
  note: z.string().trim().min(1, 'Record what the court decided').max(2000),
});

export type RemedyCheck = { check: string; passed: boolean; detail: string };

export function createRemediesService(deps: { db: Db; clock: Clock; accounts: AccountsRepository; documents: DocumentsService; events: EventsRepository; audit: AuditRepository }) {
  const { db, clock, accounts, documents, events, audit } = deps;

  /** What the customer owes under liability orders, over every account they are liable on. */
  async function underLiabilityOrders(customerId: number, tx: Db = db) {
    const [row] = await tx.query<{ total: number }>(
      `select coalesce(sum(greatest(b.balance, 0)), 0)::bigint as total from (
         select s.account_id, s.financial_year,
                (select coalesce(sum(le.amount_pence), 0) from ledger_entries le where le.account_id = s.account_id and le.financial_year = s.financial_year) as balance
           from recovery_steps s join customer_accounts ca on ca.account_id = s.account_id
          where ca.customer_id = $1 and s.stage = 'liability_order') b`, [customerId]);
    return Number(row.total);
  }

  /** The checks for a remedy as they stand today: run and shown before applying, and recorded when applying. */
  async function runChecks(account: NonNullable<Awaited<ReturnType<AccountsRepository['findAccount']>>>, r: z.infer<typeof remedySchema>) {
    const accountId = account.id;
    const today = clock.today();
    const outstanding = await underLiabilityOrders(account.customer_id);
    const checks: RemedyCheck[] = [{ check: 'liability_order', passed: outstanding > 0, detail: outstanding > 0 ? `${formatPence(outstanding)} outstanding under liability orders` : 'Nothing is outstanding under a liability order' }];
    if (r.kind === 'charging_order') {
      checks.push({ check: 'minimum', passed: outstanding >= CHARGING_ORDER_MINIMUM_PENCE, detail: `At least ${formatPence(CHARGING_ORDER_MINIMUM_PENCE)} must be outstanding under liability orders (regulation 50): ${formatPence(outstanding)} is` });
      const [p] = await db.query<{ kind: string }>('select p.kind from properties p where p.id = $1', [account.property_id]);
      checks.push({ check: 'dwelling', passed: p?.kind === 'dwelling', detail: p?.kind === 'dwelling' ? `The dwelling the debt relates to: ${account.property_address}` : 'The account has no dwelling to charge: a charging order can only be on the dwelling the debt relates to' });
    } else if (r.kind === 'bankruptcy') {
      checks.push({ check: 'minimum', passed: outstanding >= BANKRUPTCY_MINIMUM_PENCE, detail: `A petition debt must be at least ${formatPence(BANKRUPTCY_MINIMUM_PENCE)}: ${formatPence(outstanding)} is outstanding` });
    } else {
      const [who] = await db.query<{ nation: string; date_of_birth: string | null }>('select b.nation, c.date_of_birth from customers c join billing_authorities b on b.id = c.authority_id where c.id = $1', [account.customer_id]);
      checks.push({ check: 'england', passed: who.nation === 'england', detail: who.nation === 'england' ? 'England: committal is available' : 'Committal for council tax was abolished in Wales from 1 April 2019' });
      const adult = who.date_of_birth !== null && isOnOrBefore(addMonths(who.date_of_birth, 18 * 12), today);
      checks.push({ check: 'age', passed: adult, detail: who.date_of_birth ? (adult ? 'Aged 18 or over' : 'Under 18: committal is not available') : 'Date of birth not known: confirm the debtor is 18 or over' });
      const [ea] = await db.query<{ n: number }>(`select count(*)::int as n from ea_referrals where account_id = $1 and status = 'closed' and return_code in ('no_goods', 'returned', 'gone_away')`, [accountId]);
      checks.push({ check: 'enforcement_tried', passed: ea.n > 0, detail: ea.n > 0 ? 'Enforcement agents returned the case unpaid' : 'Enforcement agents must be tried first (no unpaid return on record)' });
      const found = r.finding === 'wilful_refusal' || r.finding === 'culpable_neglect';
      checks.push({ check: 'means_inquiry', passed: Boolean(r.meansInquiryOn) && found, detail: r.meansInquiryOn ? `Means inquiry on ${longDate(r.meansInquiryOn)}: ${found ? r.finding!.replace('_', ' ') : 'no wilful refusal or culpable neglect found'}` : 'A means inquiry must find wilful refusal or culpable neglect' });
    }
    return { outstanding, checks };
  }

  return {
    /** Runs the checks for the remedy and records the application: refused, or applied with its document. */
    async apply(actor: Actor, accountId: number, input: unknown) {
      requirePermission(actor, 'remedies.manage');
      const r = parse(remedySchema, input, 'Check the application');
      const account = await accounts.findAccount(actor.authorityIds, accountId);
      if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
      const today = clock.today();
      const { outstanding, checks } = await runChecks(account, r);
      const failed = checks.filter((c) => !c.passed);
      const status = failed.length ? 'refused' : 'applied';
      return db.transaction(async (tx) => {
        const [row] = await tx.query<{ id: number }>(
          `insert into remedy_applications (authority_id, account_id, customer_id, kind, outstanding_pence, checks, status, means_inquiry_on, finding, created_by, decided_by)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning id`,
          [account.authority_id, accountId, account.customer_id, r.kind, outstanding, JSON.stringify(checks), status, r.meansInquiryOn ?? null, r.finding ?? null, actor.userId]);
        let documentId: number | null = null;
        if (status === 'applied') {
          documentId = await documents.issueLetter({
            authorityId: account.authority_id, customerId: account.customer_id, accountId, kind: `remedy_${r.kind}`, title: TITLES[r.kind],
            content: {
              from: await letterheadFor(tx, account.authority_id), to: { name: r.kind === 'committal' ? 'The Magistrates’ Court' : 'The County Court', addressLines: [] },
              date: today, reference: account.reference, title: TITLES[r.kind],
              blocks: [
                { type: 'keyValue', rows: [['Debtor', account.customer_name], ['Account', account.reference], ['Outstanding under liability orders', formatPence(outstanding)], ...(account.property_address ? [['Property', account.property_address] as [string, string]] : [])] },
                { type: 'table', columns: ['Check', 'Result'], rows: checks.map((c) => [c.check.replace(/_/g, ' '), c.detail]) },
              ],
            },
          }, { actor, tx });
          await tx.query('update remedy_applications set document_id = $2 where id = $1', [row.id, documentId]);
        }
        await events.insert({ authorityId: account.authority_id, customerId: account.customer_id, accountId, type: 'remedy',
          summary: status === 'refused' ? `${TITLES[r.kind].split(' (')[0].split(':')[0]} refused at the checks: ${failed.map((c) => c.detail).join('; ')}` : `${TITLES[r.kind]}: documents prepared for the court`,
          detail: { remedyId: row.id, kind: r.kind }, byUserId: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: `create.remedy.${r.kind}`, entityType: 'remedy_application', entityId: row.id, authorityId: account.authority_id, detail: { status } }, tx);
        return { id: row.id, status, outstandingPence: outstanding, checks, documentId };
      });
    },

    async recordOutcome(actor: Actor, id: number, input: unknown) {
      requirePermission(actor, 'remedies.manage');
      const o = parse(outcomeSchema, input, 'Check the decision');
      await db.transaction(async (tx) => {
        const [app] = await tx.query<{ status: string; authority_id: number; customer_id: number; account_id: number; kind: RemedyKind }>(
          'select status, authority_id, customer_id, account_id, kind from remedy_applications where id = $1 and authority_id = any($2::int[])', [id, actor.authorityIds]);
        if (!app) throw new NotFoundError(`Application ${id} was not found`);
        if (app.status !== 'applied') throw new ConflictError('Only an application with the court can have an outcome');
        await tx.query('update remedy_applications set status = $2, outcome_on = $3, outcome_note = $4, decided_by = $5 where id = $1', [id, o.outcome, clock.today(), o.note, actor.userId]);
        await events.insert({ authorityId: app.authority_id, customerId: app.customer_id, accountId: app.account_id, type: 'remedy', summary: `${app.kind.replace('_', ' ')}: ${o.outcome}. ${o.note}`, detail: { remedyId: id }, byUserId: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: 'outcome.remedy', entityType: 'remedy_application', entityId: id, authorityId: app.authority_id }, tx);
      });
    },

    /** The checks for a remedy without applying (the means inquiry as entered so far, for committal). */
    async preview(actor: Actor, accountId: number, input: unknown) {
      requirePermission(actor, 'cases.view');
      const r = parse(remedySchema, input, 'Check the application');
      const account = await accounts.findAccount(actor.authorityIds, accountId);
      if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
      const { outstanding, checks } = await runChecks(account, r);
      return { account, kind: r.kind, title: TITLES[r.kind], outstandingPence: outstanding, checks, allPassed: checks.every((c) => c.passed) };
    },

    async forAccount(actor: Actor, accountId: number) {
      requirePermission(actor, 'cases.view');
      return db.query<{ id: number; kind: RemedyKind; status: string; outstanding_pence: number; checks: RemedyCheck[]; document_id: number | null; created_on: string; outcome_on: string | null; outcome_note: string | null }>(
        'select id, kind, status, outstanding_pence, checks, document_id, (created_at at time zone \'Europe/London\')::date::text as created_on, outcome_on::text as outcome_on, outcome_note from remedy_applications where account_id = $1 and authority_id = any($2::int[]) order by id desc', [accountId, actor.authorityIds]);
    },
  };
}
export type RemediesService = ReturnType<typeof createRemediesService>;
