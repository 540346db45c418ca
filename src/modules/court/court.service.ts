// The Magistrates' Court side of recovery: hearing dates with capacity (summonses are allocated to
// them by the recovery run), the bulk complaint list, the updated list on the day (cases paid in full
// with costs are withdrawn, as the council must), and outcomes recorded in bulk: granted (liability
// order costs posted, the order's letter issued, the account moves to the post-order stage),
// withdrawn, adjourned (to a later hearing) or dismissed (summons costs reversed).
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { isAfter, isBefore, isIsoDate } from '../../domain/calendar.ts';
import { liabilityOrderAction, longDate } from '../../domain/recovery/evaluate.ts';
import { HOLD_LABELS, type HoldType } from '../../domain/recovery/holds.ts';
import { stageOf } from '../../domain/recovery/timetable.ts';
import { ConflictError, NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import { letterheadFor, type DocumentsService } from '../documents/documents.service.ts';
import { buildRecoveryLetter } from '../recovery/letters.ts';
import type { RecoveryRepository } from '../recovery/recovery.repository.ts';
import type { RecoveryService } from '../recovery/recovery.service.ts';
import { complaintListCsv, parseOutcomesCsv, type CourtOutcome, OUTCOMES } from './court-list.ts';
import type { CourtCaseRow, CourtRepository } from './court.repository.ts';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const hearingSchema = z.object({
  courtName: z.string().trim().min(1, 'Enter the name of the court').max(200),
  courtAddress: z.preprocess(blankToUndefined, z.string().trim().max(500).optional()),
  hearingOn: z.string().refine(isIsoDate, 'Enter the hearing date as a real date, for example 2026-12-14'),
  hearingTime: z.preprocess(blankToUndefined, z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter the time as 24-hour hh:mm, for example 10:00').optional()),
  capacity: z.coerce.number({ message: 'Enter how many cases the court will hear' }).int('Enter a whole number of cases').min(1, 'The court must hear at least 1 case').max(10_000, 'At most 10,000 cases a hearing'),
});

export const outcomeInputSchema = z.object({
  caseId: z.coerce.number().int().positive(),
  outcome: z.enum(OUTCOMES, { message: `Outcome must be one of ${OUTCOMES.join(', ')}` }),
  adjournedToHearingId: z.coerce.number().int().positive().optional(),
  reason: z.preprocess(blankToUndefined, z.string().trim().max(1000).optional()),
});

export function createCourtService(deps: {
  db: Db;
  clock: Clock;
  repo: CourtRepository;
  recoveryRepo: RecoveryRepository;
  recovery: RecoveryService;
  documents: DocumentsService;
  audit: AuditRepository;
}) {
  const { db, clock, repo, recoveryRepo, recovery, documents, audit } = deps;

  async function requireHearing(actor: Actor, hearingId: number, tx: Db = db) {
    const hearing = await repo.findHearing(actor.authorityIds, hearingId, tx);
    if (!hearing) throw new NotFoundError(`Hearing ${hearingId} was not found`);
    return hearing;
  }

  /** Applies outcomes for cases of one hearing, all or nothing, in one transaction. */
  async function applyOutcomes(actor: Actor, hearingId: number, inputs: { caseId: number; outcome: CourtOutcome; adjournedToHearingId?: number; reason?: string | null }[], source: string) {
    requirePermission(actor, 'court.manage');
    const hearing = await requireHearing(actor, hearingId);
    const today = clock.today();
    if (isAfter(hearing.hearing_on, today)) throw new ValidationError(`The hearing is on ${longDate(hearing.hearing_on)}: outcomes can be recorded from that day`);
    return db.transaction(async (tx) => {
      const cases = new Map((await repo.casesForHearing(hearingId, hearing.hearing_on, tx)).map((c) => [c.id, c]));
      const problems: { field: string; message: string }[] = [];
      for (const [i, input] of inputs.entries()) {
        const c = cases.get(input.caseId);
        const field = `outcomes.${i}`;
        if (!c) problems.push({ field, message: `Case ${input.caseId} is not listed at this hearing` });
        else if (c.status !== 'listed') problems.push({ field, message: `Case ${c.case_number} already has an outcome (${c.status})` });
        else if (input.outcome === 'granted' && c.holds.length) {
          problems.push({ field, message: `Case ${c.case_number}: recovery is held (${c.holds.map((h) => HOLD_LABELS[h as HoldType] ?? h).join(', ')}); ask the court to adjourn or withdraw, not for an order` });
        } else if (input.outcome === 'granted' && c.balance_pence <= 0) {
          problems.push({ field, message: `Case ${c.case_number} has been paid in full with costs: it must be withdrawn` });
        } else if (input.outcome === 'adjourned') {
          if (!input.adjournedToHearingId) problems.push({ field, message: `Case ${c.case_number}: choose the hearing it is adjourned to` });
          else {
            const to = await repo.findHearing(actor.authorityIds, input.adjournedToHearingId, tx);
            if (!to || !isAfter(to.hearing_on, hearing.hearing_on)) problems.push({ field, message: `Case ${c.case_number}: adjourn to a later hearing of this council` });
          }
        }
      }
      if (problems.length) throw new ValidationError('The outcomes were not recorded', problems);

      const letterhead = await letterheadFor(tx, hearing.authority_id);
      const granted: { c: CourtCaseRow; reason: string | null }[] = [];
      const counts: Record<CourtOutcome, number> = { granted: 0, withdrawn: 0, adjourned: 0, dismissed: 0 };
      const eventsOut: { authorityId: number; customerId: number; accountId: number; type: string; summary: string; detail: unknown }[] = [];
      for (const input of inputs) {
        const c = cases.get(input.caseId)!;
        counts[input.outcome]++;
        const reason = input.reason ?? null;
        if (input.outcome === 'adjourned') {
          const to = (await repo.findHearing(actor.authorityIds, input.adjournedToHearingId!, tx))!;
          await repo.setCaseOutcome(c.id, { status: 'listed', on: null, reason: null, hearingId: to.id }, tx);
          await repo.insertOutcome({ caseId: c.id, hearingId, outcome: 'adjourned', on: hearing.hearing_on, reason, adjournedTo: to.id, by: actor.userId, source }, tx);
          eventsOut.push({ authorityId: c.authority_id, customerId: c.customer_id, accountId: c.account_id, type: 'court',
            summary: `Case ${c.case_number} adjourned to ${longDate(to.hearing_on)} at ${to.hearing_time}${reason ? `: ${reason}` : ''}`, detail: { caseId: c.id, outcome: 'adjourned', to: to.id } });
          continue;
        }
        await repo.setCaseOutcome(c.id, { status: input.outcome, on: hearing.hearing_on, reason }, tx);
        await repo.insertOutcome({ caseId: c.id, hearingId, outcome: input.outcome, on: hearing.hearing_on, reason, adjournedTo: null, by: actor.userId, source }, tx);
        await recoveryRepo.recordOutcomes([{ accountId: c.account_id, financialYear: c.financial_year, stage: 'summons', outcome: input.outcome, on: hearing.hearing_on, reason: reason ?? `Court outcome: ${input.outcome}` }], tx);
        if (input.outcome === 'granted') granted.push({ c, reason });
        if (input.outcome === 'dismissed') {
          // The court refused the order: the summons costs were not awarded, so they come off (a reversing entry).
          await tx.query(
            `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_by, source, reason, reverses_entry_id)
             select l.account_id, 'cost', -l.amount_pence, l.financial_year, $2, $3, $4, 'Summons dismissed: costs not awarded', l.id
               from recovery_steps s join ledger_entries l on l.id = s.cost_entry_id where s.id = $1`,
            [c.summons_step_id, hearing.hearing_on, actor.userId, `court:${hearingId}`]);
        }
        eventsOut.push({ authorityId: c.authority_id, customerId: c.customer_id, accountId: c.account_id, type: 'court',
          summary: `Case ${c.case_number}: ${input.outcome === 'granted' ? 'liability order granted' : input.outcome === 'withdrawn' ? 'application withdrawn' : 'summons dismissed, costs reversed'} at ${hearing.court_name} on ${longDate(hearing.hearing_on)}${reason ? `: ${reason}` : ''}`,
          detail: { caseId: c.id, outcome: input.outcome, hearingId } });
      }

      // Liability orders: costs, the step, the letter (on a print file for this hearing's outcomes).
      let batchRunId: number | null = null;
      if (granted.length) {
        const [run] = await tx.query<{ id: number }>(
          `insert into batch_runs (authority_id, kind, as_of, status, started_by, finished_at, report) values ($1, 'court-outcomes', $2, 'completed', $3, now(), $4) returning id`,
          [hearing.authority_id, hearing.hearing_on, actor.userId, JSON.stringify({ hearingId, granted: granted.length })]);
        batchRunId = run.id;
        const steps: { stepId: number; c: CourtCaseRow; action: ReturnType<typeof liabilityOrderAction>; summonsCosts: number }[] = [];
        for (const { c } of granted) {
          const snapshot = await recovery.snapshotFor({ accountId: c.account_id, financialYear: c.financial_year }, hearing.hearing_on, tx);
          const action = liabilityOrderAction(snapshot, hearing.hearing_on);
          const [step] = await recoveryRepo.insertSteps([{
            authorityId: c.authority_id, accountId: c.account_id, financialYear: c.financial_year, stage: 'liability_order', batchRunId, issuedOn: hearing.hearing_on,
            payBy: null, escalatesOn: null, balanceDueOn: null, amountPence: action.demandPence, costsPence: action.costsPence, reason: action.reason, createdBy: actor.userId,
          }], tx);
          if (!step) throw new ConflictError(`Account ${c.account_reference} already has a liability order for ${c.financial_year}`);
          steps.push({ stepId: step.id, c, action, summonsCosts: stageOf(snapshot.timetable, 'summons')?.costsPence ?? 0 });
        }
        await recoveryRepo.postCosts(steps.filter((s) => s.action.costsPence > 0).map((s) => ({
          stepId: s.stepId, accountId: s.c.account_id, financialYear: s.c.financial_year, amountPence: s.action.costsPence, on: hearing.hearing_on, reason: 'Liability order costs',
        })), `court:${hearingId}`, actor.userId, tx);
        const recipients = await recoveryRepo.recipients(steps.map((s) => s.c.account_id), tx);
        const lettered = steps.filter((s) => s.action.letterTemplate);
        const letters = lettered.map((s) => {
          const r = recipients.get(s.c.account_id)!;
          const content = buildRecoveryLetter({
            template: s.action.letterTemplate!, from: letterhead, to: { name: r.addressee, addressLines: r.address_lines }, reference: r.reference,
            stream: s.c.stream as 'council_tax' | 'business_rates', financialYear: s.c.financial_year, propertyAddress: r.property_address, action: s.action,
            balancePence: s.action.demandPence - s.action.costsPence, summonsCostsPence: s.summonsCosts, liabilityOrderCostsPence: s.action.costsPence,
          });
          return { authorityId: r.authority_id, customerId: r.customer_id, accountId: r.account_id, kind: 'liability_order', title: content.title, content, email: r.email };
        });
        const ids = await documents.issueLetters(letters, { actor: null, bySystem: `court:${hearingId}`, batchRunId, tx });
        await recoveryRepo.linkDocuments(lettered.map((s, i) => ({ stepId: s.stepId, documentId: ids[i] })), tx);
      }
      await recoveryRepo.insertEvents(eventsOut, clock.now(), actor.userId, null, tx);
      await recovery.refreshCases(inputs.map((i) => ({ accountId: cases.get(i.caseId)!.account_id, financialYear: cases.get(i.caseId)!.financial_year })), today, tx);
      await audit.record(actor, { action: 'record.court_outcomes', entityType: 'court_hearing', entityId: hearingId, authorityId: hearing.authority_id, detail: { ...counts, source } }, tx);
      return { counts, batchRunId };
    });
  }

  return {
    async addHearing(actor: Actor, authorityId: number | undefined, input: unknown): Promise<number> {
      requirePermission(actor, 'court.manage');
      const parsed = hearingSchema.safeParse(input);
      if (!parsed.success) throw new ValidationError('Check the hearing', fieldProblemsFromZod(parsed.error.issues));
      const h = parsed.data;
      const id = authorityId ?? (actor.authorityIds.length === 1 ? actor.authorityIds[0] : undefined);
      if (id === undefined || !actor.authorityIds.includes(id)) throw new ValidationError('Choose the billing authority', [{ field: 'authorityId', message: 'Choose a billing authority' }]);
      if (isBefore(h.hearingOn, clock.today())) throw new ValidationError('Check the hearing', [{ field: 'hearingOn', message: 'The hearing date cannot be in the past' }]);
      const hearingId = await db.transaction(async (tx) => {
        const newId = await repo.insertHearing({ authorityId: id, courtName: h.courtName, courtAddress: h.courtAddress ?? '', hearingOn: h.hearingOn, hearingTime: h.hearingTime ?? '10:00', capacity: h.capacity }, actor.userId, tx);
        if (!newId) throw new ConflictError(`There is already a hearing at ${h.courtName} on ${longDate(h.hearingOn)} at ${h.hearingTime ?? '10:00'}`);
        await audit.record(actor, { action: 'create.court_hearing', entityType: 'court_hearing', entityId: newId, authorityId: id }, tx);
        return newId;
      });
      return hearingId;
    },

    async listHearings(actor: Actor, filter: { from?: string } = {}) {
      requirePermission(actor, 'cases.view');
      return repo.listHearings(actor.authorityIds, { from: filter.from, limit: 500 });
    },

    async getHearing(actor: Actor, hearingId: number) {
      requirePermission(actor, 'cases.view');
      const hearing = await requireHearing(actor, hearingId);
      const today = clock.today();
      const cases = await repo.casesForHearing(hearingId, isBefore(today, hearing.hearing_on) ? today : hearing.hearing_on);
      await audit.record(actor, { action: 'view.court_hearing', entityType: 'court_hearing', entityId: hearingId, authorityId: hearing.authority_id });
      const later = (await repo.listHearings(actor.authorityIds, { from: hearing.hearing_on, limit: 100 })).filter((h) => h.id !== hearingId && isAfter(h.hearing_on, hearing.hearing_on) && h.allocated < h.capacity);
      return { hearing, cases, laterHearings: later, canRecordOutcomes: !isAfter(hearing.hearing_on, today) };
    },

    /** The complaint list for the court: every case listed for the hearing. */
    async complaintList(actor: Actor, hearingId: number): Promise<{ filename: string; csv: string }> {
      requirePermission(actor, 'court.manage');
      const hearing = await requireHearing(actor, hearingId);
      const cases = (await repo.casesForHearing(hearingId, clock.today())).filter((c) => c.status === 'listed');
      const [authority] = await db.query<{ name: string }>('select name from billing_authorities where id = $1', [hearing.authority_id]);
      await repo.markListExported(hearingId, clock.now());
      await audit.record(actor, { action: 'export.complaint_list', entityType: 'court_hearing', entityId: hearingId, authorityId: hearing.authority_id, detail: { cases: cases.length } });
      return { filename: `complaint-list-${hearing.hearing_on}-${hearingId}.csv`, csv: complaintListCsv(cases.map((c) => toLine(c, hearing, authority.name))) };
    },

    /**
     * On the day: withdraws every listed case paid in full with costs (the council must accept the
     * payment and withdraw), then gives the list of the cases still to go before the court.
     */
    async updatedList(actor: Actor, hearingId: number): Promise<{ filename: string; csv: string; withdrawn: string[] }> {
      requirePermission(actor, 'court.manage');
      const hearing = await requireHearing(actor, hearingId);
      const today = clock.today();
      const asAt = isBefore(today, hearing.hearing_on) ? today : hearing.hearing_on;
      const paid = (await repo.casesForHearing(hearingId, asAt)).filter((c) => c.status === 'listed' && c.balance_pence <= 0);
      if (paid.length && !isAfter(hearing.hearing_on, today)) {
        await applyOutcomes(actor, hearingId, paid.map((c) => ({ caseId: c.id, outcome: 'withdrawn', reason: 'Paid in full with costs before the hearing' })), 'updated-list');
      } else if (paid.length) {
        // Before the day: withdraw now, dated today.
        await db.transaction(async (tx) => {
          for (const c of paid) {
            await repo.setCaseOutcome(c.id, { status: 'withdrawn', on: today, reason: 'Paid in full with costs before the hearing' }, tx);
            await repo.insertOutcome({ caseId: c.id, hearingId, outcome: 'withdrawn', on: today, reason: 'Paid in full with costs before the hearing', adjournedTo: null, by: actor.userId, source: 'updated-list' }, tx);
            await recoveryRepo.recordOutcomes([{ accountId: c.account_id, financialYear: c.financial_year, stage: 'summons', outcome: 'withdrawn', on: today, reason: 'Paid in full with costs before the hearing' }], tx);
          }
          await recoveryRepo.insertEvents(paid.map((c) => ({ authorityId: c.authority_id, customerId: c.customer_id, accountId: c.account_id, type: 'court',
            summary: `Case ${c.case_number}: application withdrawn, paid in full with costs before the hearing`, detail: { caseId: c.id, outcome: 'withdrawn' } })), clock.now(), actor.userId, null, tx);
          await recovery.refreshCases(paid.map((c) => ({ accountId: c.account_id, financialYear: c.financial_year })), today, tx);
        });
      }
      const remaining = (await repo.casesForHearing(hearingId, asAt)).filter((c) => c.status === 'listed');
      const [authority] = await db.query<{ name: string }>('select name from billing_authorities where id = $1', [hearing.authority_id]);
      await audit.record(actor, { action: 'export.updated_court_list', entityType: 'court_hearing', entityId: hearingId, authorityId: hearing.authority_id, detail: { withdrawn: paid.length, remaining: remaining.length } });
      return { filename: `updated-list-${hearing.hearing_on}-${hearingId}.csv`, csv: complaintListCsv(remaining.map((c) => toLine(c, hearing, authority.name))), withdrawn: paid.map((c) => c.case_number) };
    },

    /** Outcomes chosen on screen or sent through the API. */
    async recordOutcomes(actor: Actor, hearingId: number, input: unknown) {
      const parsed = z.array(outcomeInputSchema).min(1, 'Choose at least one outcome').safeParse(input);
      if (!parsed.success) throw new ValidationError('Check the outcomes', fieldProblemsFromZod(parsed.error.issues));
      return applyOutcomes(actor, hearingId, parsed.data, 'screen');
    },

    /** Outcomes from the court's file (docs/court-list-format.md); nothing is recorded if any line is wrong. */
    async uploadOutcomes(actor: Actor, hearingId: number, file: { name: string; text: string }) {
      requirePermission(actor, 'court.manage');
      const hearing = await requireHearing(actor, hearingId);
      const { lines, problems } = parseOutcomesCsv(file.text);
      const cases = new Map((await repo.casesForHearing(hearingId, hearing.hearing_on)).map((c) => [c.case_number, c]));
      const later = await repo.listHearings(actor.authorityIds, { from: hearing.hearing_on, limit: 500 });
      const inputs = [];
      const alreadyWrong = new Set(problems.map((p) => p.line));
      for (const l of lines) {
        if (alreadyWrong.has(l.line)) continue;
        const c = cases.get(l.caseNumber);
        if (!c) {
          problems.push({ line: l.line, message: `case ${l.caseNumber} is not listed at this hearing` });
          continue;
        }
        let adjournedToHearingId: number | undefined;
        if (l.outcome === 'adjourned') {
          adjournedToHearingId = later.find((h) => h.hearing_on === l.adjournedTo && h.id !== hearingId)?.id;
          if (!adjournedToHearingId) problems.push({ line: l.line, message: `no hearing of this council on ${l.adjournedTo}: add it first` });
        }
        inputs.push({ caseId: c.id, outcome: l.outcome, adjournedToHearingId, reason: l.reason });
      }
      if (problems.length) {
        throw new ValidationError(`${file.name}: nothing was recorded`, problems.sort((a, b) => a.line - b.line).map((p) => ({ field: `line ${p.line}`, message: `Line ${p.line}: ${p.message}` })));
      }
      return applyOutcomes(actor, hearingId, inputs, `upload:${file.name}`.slice(0, 200));
    },
  };
}
export type CourtService = ReturnType<typeof createCourtService>;

function toLine(c: CourtCaseRow, hearing: { hearing_on: string; hearing_time: string; court_name: string }, authority: string) {
  return {
    caseNumber: c.case_number, hearingOn: hearing.hearing_on, hearingTime: hearing.hearing_time, court: hearing.court_name, authority,
    accountReference: c.account_reference, stream: c.stream, financialYear: c.financial_year, defendant: c.defendant, address: c.address,
    summonsIssuedOn: c.summons_issued_on, complaintPence: c.complaint_pence, costsPence: c.costs_pence,
  };
}
