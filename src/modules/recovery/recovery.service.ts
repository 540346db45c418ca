// The daily recovery run and everything officers ask of recovery.
//
// preview: one set-based statement picks the account-years that may need something; their
//   snapshots are loaded a page at a time (four statements a page) and the pure policy evaluates
//   each; the run is recorded with an item per account-year that has something to say, and a
//   report (counts and amounts per stage, outcomes, held accounts and why, exceptions). One run at a
//   time per authority (a unique partial index), never for an as-of date before the last one.
// approve: a senior officer's approval issues it, in batches, each batch one transaction: each
//   account-year is evaluated again (a payment or a hold since the preview wins), the steps are
//   inserted once per (account, year, stage) — the unique key is what makes a crashed run safe to
//   resume — then costs go to the ledger, letters through the documents module (print file, email
//   where opted in), court cases for summonses, events with the reasons, and the case index.
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { isAfter, isBefore, isIsoDate } from '../../domain/calendar.ts';
import { evaluate, longDate, POSITION_LABELS, type RecoveryDecision, type RecoverySnapshot, type StageAction } from '../../domain/recovery/evaluate.ts';
import { HOLD_LABELS } from '../../domain/recovery/holds.ts';
import {
  RECOVERY_STREAMS,
  reminderStages,
  STAGE_LABELS,
  STAGES,
  stageOf,
  TRIGGERS,
  timetableInForce,
  validateTimetable,
  type RecoveryStream,
  type StageCode,
  type Timetable,
} from '../../domain/recovery/timetable.ts';
import { ConflictError, NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import type { AccountsRepository } from '../accounts/accounts.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { CourtRepository, HearingRow } from '../court/court.repository.ts';
import { letterheadFor, type DocumentsService, type LetterToIssue } from '../documents/documents.service.ts';
import type { LetterContent } from '../documents/letter.ts';
import type { HoldsRepository } from '../holds/holds.repository.ts';
import { buildRecoveryLetter, isKnownTemplate } from './letters.ts';
import {
  keyOf,
  type CandidateParams,
  type CaseUpdate,
  type IssueReport,
  type NewRunItem,
  type NewStep,
  type RecoveryRepository,
  type RunReport,
  type YearKey,
} from './recovery.repository.ts';

const PAGE = 2_000;

export interface PreviewOptions {
  asOf: string;
  authorityId?: number;
  dryRun?: boolean;
}

export interface IssueOptions {
  /** Account-years per transaction. */
  batchSize?: number;
  /** Tests only: throw inside this batch (1-based) after its writes, as a crash would, before it commits. */
  simulateCrashInBatch?: number;
  /**
   * Benchmarks only: record the steps, costs, court cases, events and case index but produce no
   * letters (no LetterContent, documents or outbox messages), to time the run without letters.
   */
  withoutLetters?: boolean;
}

export type PreviewResult = { runId: number | null; status: string; report: RunReport };

interface Evaluated {
  key: YearKey;
  authorityId: number;
  stream: RecoveryStream;
  timetable: Timetable;
  decision: RecoveryDecision;
  /** The ledger the decision was made on, in brief (see RecoveryRepository.ledgerFingerprints). */
  ledgerFingerprint: string;
}

const caseNumberFor = (stream: string, financialYear: number, stepId: number) =>
  `${stream === 'council_tax' ? 'CT' : 'NNDR'}/${financialYear}/${String(stepId).padStart(7, '0')}`;

function sameStages(a: readonly string[], b: readonly string[]) {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** The parameters of the candidate SQL from the timetables in force: the look-backs and the minimum. */
export function candidateParams(timetables: Timetable[]): CandidateParams[] {
  return timetables.map((t) => {
    const reminders = reminderStages(t);
    const balanceDue = stageOf(t, 'balance_due');
    const lookbacks = reminders.map((r) => r.issueAfterDays);
    const minimums = [...reminders, ...(balanceDue ? [balanceDue] : [])].map((s) => Math.max(1, s.minimumPence));
    return {
      stream: t.stream,
      reminderLookbackDays: lookbacks.length ? Math.min(...lookbacks) : balanceDue?.issueAfterDays ?? 1,
      finalLookbackDays: balanceDue?.issueAfterDays ?? 1,
      maxReminders: reminders.length,
      minimumPence: Math.min(...minimums),
    };
  });
}

const stageSchema = z.object({
  stage: z.enum(STAGES),
  trigger: z.enum(TRIGGERS),
  issueAfterDays: z.number().int().min(0).max(365),
  payWithinDays: z.number().int().min(0).max(365).nullable(),
  escalateAfterDays: z.number().int().min(0).max(365).nullable(),
  minimumPence: z.number().int().min(0),
  costsPence: z.number().int().min(0),
  letterTemplate: z.string().nullable(),
  nextStages: z.array(z.enum(STAGES)),
});

export const timetableSchema = z.object({
  stream: z.enum(RECOVERY_STREAMS),
  effectiveFrom: z.string().refine(isIsoDate, 'effectiveFrom must be a date as YYYY-MM-DD'),
  name: z.string().trim().min(1, 'Name the timetable').max(200),
  summonsServiceDays: z.number().int().min(0).max(30),
  hearingMinDaysAfterService: z.number().int().min(0).max(365),
  limitationYears: z.number().int().min(0).max(10),
  stages: z.array(stageSchema).min(1),
});

export function createRecoveryService(deps: {
  db: Db;
  clock: Clock;
  repo: RecoveryRepository;
  holds: HoldsRepository;
  court: CourtRepository;
  documents: DocumentsService;
  accounts: AccountsRepository;
  audit: AuditRepository;
}) {
  const { db, clock, repo, holds, court, documents, accounts, audit } = deps;

  async function resolveAuthority(actor: Actor, authorityId: number | undefined, tx: Db = db) {
    const id = authorityId ?? (actor.authorityIds.length === 1 ? actor.authorityIds[0] : undefined);
    if (id === undefined) throw new ValidationError('Choose the billing authority to run recovery for', [{ field: 'authorityId', message: 'Choose a billing authority' }]);
    if (!actor.authorityIds.includes(id)) throw new NotFoundError(`Billing authority ${id} was not found`);
    const [row] = await tx.query<{ id: number; name: string; nation: string }>('select id, name, nation from billing_authorities where id = $1', [id]);
    if (!row) throw new NotFoundError(`Billing authority ${id} was not found`);
    return row;
  }

  /** Snapshots for a page of account-years, evaluated. Four statements for the page, plus holds. */
  async function evaluatePage(tx: Db, keys: YearKey[], asOf: string, timetables: Timetable[]): Promise<(Evaluated | { key: YearKey; problem: string })[]> {
    const data = await repo.snapshotData(keys, asOf, tx);
    const holdMap = await holds.forAccounts([...new Set(keys.map((k) => k.accountId))], tx);
    return keys.map((key) => {
      const account = data.accounts.get(key.accountId);
      if (!account) return { key, problem: 'account not found' };
      const timetable = timetableInForce(timetables.filter((t) => t.authorityId === account.authority_id), account.stream, asOf);
      if (!timetable) return { key, problem: `no ${account.stream} recovery timetable in force on ${asOf}` };
      const k = keyOf(key.accountId, key.financialYear);
      const snapshot: RecoverySnapshot = {
        accountId: key.accountId, financialYear: key.financialYear, stream: account.stream, timetable,
        instalments: data.instalments.get(k) ?? [], movements: data.movements.get(k) ?? [], steps: data.steps.get(k) ?? [],
        holds: holdMap.get(key.accountId) ?? [],
      };
      const ledgerFingerprint = `${snapshot.movements.length}:${snapshot.movements.reduce((sum, m) => sum + m.amountPence, 0)}`;
      return { key, authorityId: account.authority_id, stream: account.stream, timetable, decision: evaluate(snapshot, asOf), ledgerFingerprint };
    });
  }

  function itemKind(d: RecoveryDecision, hasCase: boolean): NewRunItem['kind'] | null {
    if (d.actions.length) return 'action';
    if (d.held) return 'held';
    if (d.exception) return 'exception';
    if (d.outcomes.length) return 'record';
    return hasCase ? 'review' : null;
  }

  /** Allocates summonses to hearings in order: the first with room on or after each one's earliest date. */
  function allocate(hearings: HearingRow[], wanted: { earliest: string }[]): (HearingRow | null)[] {
    const room = new Map(hearings.map((h) => [h.id, h.capacity - h.allocated]));
    return wanted.map((w) => {
      const h = hearings.find((x) => !isBefore(x.hearing_on, w.earliest) && (room.get(x.id) ?? 0) > 0);
      if (!h) return null;
      room.set(h.id, room.get(h.id)! - 1);
      return h;
    });
  }

  async function preview(actor: Actor, options: PreviewOptions): Promise<PreviewResult> {
    requirePermission(actor, 'recovery.run');
    if (!isIsoDate(options.asOf)) throw new ValidationError('Check the run', [{ field: 'asOf', message: 'Enter the as-of date as a real date, for example 2026-11-22' }]);
    const asOf = options.asOf;
    if (isAfter(asOf, clock.today())) throw new ValidationError('Check the run', [{ field: 'asOf', message: `The as-of date cannot be after today (${longDate(clock.today())})` }]);
    const started = performance.now();

    const work = async (tx: Db): Promise<PreviewResult> => {
      const authority = await resolveAuthority(actor, options.authorityId, tx);
      let runId: number | null = null;
      if (!options.dryRun) {
        const open = await repo.openRun(authority.id, tx);
        if (open) throw new ConflictError(`Recovery run ${open.batch_run_id} for ${authority.name} is ${open.status === 'issuing' ? 'still issuing: resume it' : 'awaiting approval: approve or cancel it'} before starting another`);
        const last = await repo.lastAsOf(authority.id, tx);
        if (last && isBefore(asOf, last)) throw new ValidationError('Check the run', [{ field: 'asOf', message: `The last run was as of ${longDate(last)}: a run cannot go back before it` }]);
        try {
          runId = await repo.insertRun({ authorityId: authority.id, asOf, startedBy: actor.userId, report: {}, at: clock.now() }, tx);
        } catch (error) {
          if ((error as { code?: string }).code === '23505') throw new ConflictError(`Another recovery run for ${authority.name} has just started`);
          throw error;
        }
      }
      const watermarks = await repo.watermarks(tx);
      const allTimetables = await repo.timetables([authority.id], tx);
      const inForce = RECOVERY_STREAMS.map((s) => timetableInForce(allTimetables, s, asOf)).filter((t): t is Timetable => Boolean(t));

      const t0 = performance.now();
      const keys = await repo.candidates(authority.id, asOf, candidateParams(inForce), tx);
      const tSelect = performance.now() - t0;

      const report: RunReport = {
        asOf, authority: { id: authority.id, name: authority.name },
        timetables: inForce.map((t) => ({ stream: t.stream, id: t.id, name: t.name, effectiveFrom: t.effectiveFrom })),
        candidates: keys.length, evaluated: 0, actions: [], outcomes: [], held: { count: 0, byType: [] }, exceptions: 0, reviews: 0, items: 0,
        seconds: { select: 0, evaluate: 0, write: 0, total: 0 },
        watermarks,
      };
      const actionTotals = new Map<StageCode, { count: number; demandPence: number; costsPence: number }>();
      const outcomeTotals = new Map<string, number>();
      const heldTypes = new Map<string, number>();
      const hearings = await court.hearingsWithRoom(authority.id, asOf, tx, false);
      let itemNo = 0;
      let tEval = 0;
      let tWrite = 0;
      for (let i = 0; i < keys.length; i += PAGE) {
        const page = keys.slice(i, i + PAGE);
        const e0 = performance.now();
        const evaluated = await evaluatePage(tx, page, asOf, allTimetables);
        const items: NewRunItem[] = [];
        const summonsItems: { item: NewRunItem; action: StageAction }[] = [];
        evaluated.forEach((ev, j) => {
          report.evaluated++;
          if ('problem' in ev) {
            items.push({ itemNo: ++itemNo, accountId: ev.key.accountId, financialYear: ev.key.financialYear, kind: 'exception', stage: null, stages: [], amountPence: 0, costsPence: 0, reason: ev.problem, decision: { problem: ev.problem } });
            return;
          }
          const d = ev.decision;
          const kind = itemKind(d, page[j].hasCase);
          if (!kind) return;
          const last = d.actions[d.actions.length - 1];
          const item: NewRunItem = {
            itemNo: ++itemNo, accountId: ev.key.accountId, financialYear: ev.key.financialYear, kind,
            stage: last?.stage ?? d.held?.wouldTake[d.held.wouldTake.length - 1] ?? null,
            stages: d.actions.map((a) => a.stage), amountPence: last?.demandPence ?? 0, costsPence: d.actions.reduce((s, a) => s + a.costsPence, 0),
            // The whole decision for a stage to take (the issue phase uses it unless the account changed).
            reason: d.exception ?? d.reason, decision: kind === 'action' ? { ...d, ledgerFingerprint: ev.ledgerFingerprint } : storedDecision(d),
          };
          items.push(item);
          if (last?.stage === 'summons') summonsItems.push({ item, action: last });
        });
        // Summonses need a hearing with room at least 14 days after service: say so now, not at issue.
        const allocated = allocate(hearings, summonsItems.map((s) => ({ earliest: s.action.earliestHearingOn! })));
        summonsItems.forEach((s, k) => {
          const h = allocated[k];
          if (h) {
            s.item.reason = `${s.item.reason}. Hearing: ${h.court_name}, ${longDate(h.hearing_on)} at ${h.hearing_time}`;
            h.allocated++;
          } else {
            s.item.kind = 'exception';
            s.item.reason = `No court hearing with room on or after ${longDate(s.action.earliestHearingOn!)}: add hearing dates, then run again. ${s.item.reason}`;
          }
        });
        tEval += performance.now() - e0;
        for (const item of items) {
          const d = item.decision as RecoveryDecision | { problem: string };
          if (item.kind === 'action' && 'actions' in d) {
            for (const a of d.actions) {
              const t = actionTotals.get(a.stage) ?? { count: 0, demandPence: 0, costsPence: 0 };
              t.count++;
              t.demandPence += a.demandPence;
              t.costsPence += a.costsPence;
              actionTotals.set(a.stage, t);
            }
          }
          if ('outcomes' in d) for (const o of d.outcomes) outcomeTotals.set(`${o.stage}:${o.outcome}`, (outcomeTotals.get(`${o.stage}:${o.outcome}`) ?? 0) + 1);
          if (item.kind === 'held' && 'held' in d && d.held) {
            report.held.count++;
            for (const type of new Set(d.held.holds.map((h) => h.type))) heldTypes.set(type, (heldTypes.get(type) ?? 0) + 1);
          }
          if (item.kind === 'exception') report.exceptions++;
          if (item.kind === 'review') report.reviews++;
        }
        report.items += items.length;
        if (runId !== null && items.length) {
          const w0 = performance.now();
          await repo.insertItems(runId, items, tx);
          tWrite += performance.now() - w0;
        }
      }
      report.actions = STAGES.filter((s) => actionTotals.has(s)).map((stage) => ({ stage, ...actionTotals.get(stage)! }));
      report.outcomes = [...outcomeTotals].map(([k, count]) => ({ stage: k.split(':')[0] as StageCode, outcome: k.split(':')[1], count }));
      report.held.byType = [...heldTypes].map(([type, count]) => ({ type, label: HOLD_LABELS[type as keyof typeof HOLD_LABELS], count }));
      report.seconds = { select: round(tSelect), evaluate: round(tEval), write: round(tWrite), total: round(performance.now() - started) };
      if (runId !== null) {
        await repo.setRunReport(runId, report, tx);
        await audit.record(actor, { action: 'create.recovery_run', entityType: 'batch_run', entityId: runId, authorityId: authority.id, detail: { asOf } }, tx);
      }
      return { runId, status: runId === null ? 'dry_run' : 'awaiting_approval', report };
    };

    const result = options.dryRun ? await work(db) : await db.transaction(work);
    // Nothing for an officer to approve (no notice, no cost): apply the bookkeeping and complete.
    if (result.runId !== null && !result.report.actions.length) {
      const issued = await issue(actor, result.runId, {}, { requireApproval: false });
      return { runId: result.runId, status: issued.status, report: result.report };
    }
    return result;
  }

  async function processBatch(tx: Db, run: { id: number; authorityId: number; asOf: string; watermarks: RunReport['watermarks'] }, items: { item_no: number; account_id: number; financial_year: number; kind: string; stages: StageCode[]; decision: unknown }[], ctx: {
    timetables: Timetable[]; letterhead: LetterContent['from']; totals: IssueReport; bySystem: string; now: Date; withoutLetters: boolean;
    /** Accounts with anything newer than the preview saw (besides their ledger, checked per batch); null: evaluate all. */
    changed: Set<number> | null;
  }) {
    // The evaluation is a pure function of its inputs: an account-year with nothing newer than the
    // preview saw gets the same decision, so only changed ones (a payment, a hold, a court outcome…)
    // are evaluated again.
    const changed = ctx.changed;
    const candidatesForReuse = items.filter((i) => changed !== null && i.kind === 'action' && !changed.has(i.account_id) && isFullDecision(i.decision));
    // On PostgreSQL a payment file may have been importing while the preview ran (its rows committed
    // later with lower ids than the watermark): compare each ledger as the preview saw it. PGlite is
    // one connection in one process, so there the watermark is exact.
    const fingerprints = tx.kind === 'postgres'
      ? await repo.ledgerFingerprints(candidatesForReuse.map((i) => ({ accountId: i.account_id, financialYear: i.financial_year })), run.asOf, tx)
      : null;
    const reusable = new Set(candidatesForReuse
      .filter((i) => !fingerprints || fingerprints.get(keyOf(i.account_id, i.financial_year)) === (i.decision as { ledgerFingerprint?: string }).ledgerFingerprint)
      .map((i) => i.item_no));
    const reuse = (i: (typeof items)[number]) => reusable.has(i.item_no);
    const fresh = items.filter((i) => !reuse(i));
    const freshEvaluated = new Map((await evaluatePage(tx, fresh.map((i) => ({ accountId: i.account_id, financialYear: i.financial_year })), run.asOf, ctx.timetables))
      .map((e) => [keyOf(e.key.accountId, e.key.financialYear), e]));
    const evaluated = items.map((i): Evaluated | { key: YearKey; problem: string } => {
      if (!reuse(i)) return freshEvaluated.get(keyOf(i.account_id, i.financial_year))!;
      const decision = i.decision as RecoveryDecision;
      const timetable = timetableInForce(ctx.timetables, decision.stream, run.asOf);
      if (!timetable) return { key: { accountId: i.account_id, financialYear: i.financial_year }, problem: `no ${decision.stream} recovery timetable in force on ${run.asOf}` };
      return { key: { accountId: i.account_id, financialYear: i.financial_year }, authorityId: run.authorityId, stream: decision.stream, timetable, decision, ledgerFingerprint: '' };
    });
    const results: { itemNo: number; status: 'done' | 'skipped'; result: string }[] = [];
    const throughItemNo = items[items.length - 1].item_no;
    const planned: { item: (typeof items)[number]; ev: Evaluated; take: StageAction[]; note: string | null }[] = [];
    for (const [j, item] of items.entries()) {
      const ev = evaluated[j];
      if ('problem' in ev) {
        results.push({ itemNo: item.item_no, status: 'skipped', result: ev.problem });
        continue;
      }
      const fresh = ev.decision.actions.map((a) => a.stage);
      const approved = item.kind === 'action' ? item.stages : [];
      const take = approved.length && sameStages(approved, fresh) ? ev.decision.actions : [];
      const note = approved.length && !take.length ? `Not issued: changed since the preview. ${ev.decision.reason}` : null;
      planned.push({ item, ev, take, note });
    }

    // Summonses: a hearing with room, locked for this transaction.
    const summonsPlans = planned.filter((p) => p.take.some((a) => a.stage === 'summons'));
    const hearingFor = new Map<number, HearingRow>();
    if (summonsPlans.length) {
      const earliest = summonsPlans.map((p) => p.take.find((a) => a.stage === 'summons')!.earliestHearingOn!).sort()[0];
      const hearings = await court.hearingsWithRoom(run.authorityId, earliest, tx, true);
      const got = allocate(hearings, summonsPlans.map((p) => ({ earliest: p.take.find((a) => a.stage === 'summons')!.earliestHearingOn! })));
      summonsPlans.forEach((p, k) => {
        if (got[k]) hearingFor.set(p.item.item_no, got[k]!);
        else {
          p.note = `Not issued: no court hearing with room on or after ${longDate(p.take.find((a) => a.stage === 'summons')!.earliestHearingOn!)}`;
          p.take = [];
        }
      });
    }

    const newSteps: NewStep[] = planned.flatMap((p) => p.take.map((a) => ({
      authorityId: p.ev.authorityId, accountId: p.ev.key.accountId, financialYear: p.ev.key.financialYear, stage: a.stage, batchRunId: run.id,
      issuedOn: a.issueOn, payBy: a.payBy, escalatesOn: a.escalatesOn, balanceDueOn: a.balanceDueOn, amountPence: a.demandPence, costsPence: a.costsPence,
      reason: a.reason, createdBy: null,
    })));
    const inserted = await repo.insertSteps(newSteps, tx);
    const stepId = new Map(inserted.map((s) => [`${s.account_id}:${s.financial_year}:${s.stage}`, s.id]));
    const stepOf = (p: (typeof planned)[number], a: StageAction) => stepId.get(`${p.ev.key.accountId}:${p.ev.key.financialYear}:${a.stage}`);

    // Court cases for the summonses just issued.
    const cases = summonsPlans.flatMap((p) => {
      const a = p.take.find((x) => x.stage === 'summons');
      const id = a && stepOf(p, a);
      if (!a || !id) return [];
      return [{ authorityId: p.ev.authorityId, caseNumber: caseNumberFor(p.ev.stream, p.ev.key.financialYear, id), accountId: p.ev.key.accountId,
        financialYear: p.ev.key.financialYear, summonsStepId: id, hearingId: hearingFor.get(p.item.item_no)!.id, complaintPence: a.demandPence - a.costsPence, costsPence: a.costsPence }];
    });
    await court.insertCases(cases, tx);

    // Costs, in the year they relate to.
    const costs = planned.flatMap((p) => p.take.filter((a) => a.costsPence > 0 && stepOf(p, a)).map((a) => ({
      stepId: stepOf(p, a)!, accountId: p.ev.key.accountId, financialYear: p.ev.key.financialYear, amountPence: a.costsPence, on: a.issueOn,
      reason: `${STAGE_LABELS[a.stage]} costs`,
    })));
    await repo.postCosts(costs, ctx.bySystem, null, tx);
    ctx.totals.costsPence += costs.reduce((s, c) => s + c.amountPence, 0);

    // Letters, through the documents module: stored as data, on the run's print file, emailed where opted in.
    const lettered = ctx.withoutLetters ? [] : planned.flatMap((p) => p.take.filter((a) => a.letterTemplate && stepOf(p, a)).map((a) => ({ p, a })));
    const recipients = await repo.recipients([...new Set(lettered.map((l) => l.p.ev.key.accountId))], tx);
    const letters: LetterToIssue[] = lettered.map(({ p, a }) => {
      const r = recipients.get(p.ev.key.accountId)!;
      const h = hearingFor.get(p.item.item_no);
      const tt = p.ev.timetable;
      const content = buildRecoveryLetter({
        template: a.letterTemplate!, from: ctx.letterhead, to: { name: r.addressee, addressLines: r.address_lines }, reference: r.reference,
        stream: p.ev.stream, financialYear: p.ev.key.financialYear, propertyAddress: r.property_address, action: a,
        balancePence: p.ev.decision.balancePence, summonsCostsPence: stageOf(tt, 'summons')?.costsPence ?? 0,
        liabilityOrderCostsPence: stageOf(tt, 'liability_order')?.costsPence ?? 0,
        hearing: h && a.stage === 'summons' ? { courtName: h.court_name, courtAddress: h.court_address, on: h.hearing_on, time: h.hearing_time, caseNumber: caseNumberFor(p.ev.stream, p.ev.key.financialYear, stepOf(p, a)!) } : null,
      });
      return { authorityId: r.authority_id, customerId: r.customer_id, accountId: r.account_id, kind: a.stage, title: content.title, content, email: r.email };
    });
    const documentIds = await documents.issueLetters(letters, { actor: null, bySystem: ctx.bySystem, batchRunId: run.id, tx });
    await repo.linkDocuments(lettered.map((l, i) => ({ stepId: stepOf(l.p, l.a)!, documentId: documentIds[i] })), tx);
    ctx.totals.letters += letters.length;

    // Outcomes now known (a reminder paid or not; a summons paid in full with costs).
    const outcomes = planned.flatMap((p) => p.ev.decision.outcomes.map((o) => ({ ...o, accountId: p.ev.key.accountId, financialYear: p.ev.key.financialYear })));
    const recorded = await repo.recordOutcomes(outcomes, tx);
    const withdrawn = recorded.filter((r) => r.stage === 'summons' && r.outcome === 'withdrawn').map((r) => r.id);
    await court.withdrawBySummonsSteps(withdrawn, run.asOf, 'Paid in full with costs before the hearing', ctx.bySystem, tx);
    ctx.totals.outcomes += recorded.length;

    // The account histories: each step and outcome with its reason.
    const customerOf = new Map<number, number>();
    const needCustomers = [...new Set(planned.filter((p) => p.ev.decision.outcomes.length).map((p) => p.ev.key.accountId))];
    if (needCustomers.length) {
      for (const row of await tx.query<{ id: number; customer_id: number }>('select id, customer_id from accounts where id = any($1::bigint[])', [needCustomers])) customerOf.set(row.id, row.customer_id);
    }
    const recordedKey = new Set(recorded.map((r) => `${r.account_id}:${r.financial_year}:${r.stage}`));
    await repo.stepEvents(inserted.map((st) => st.id), STAGE_LABELS, run.id, ctx.now, ctx.bySystem, tx);
    const events = planned.flatMap((p) => [
      ...p.ev.decision.outcomes.filter((o) => recordedKey.has(`${p.ev.key.accountId}:${p.ev.key.financialYear}:${o.stage}`)).map((o) => ({
        authorityId: p.ev.authorityId, customerId: customerOf.get(p.ev.key.accountId)!, accountId: p.ev.key.accountId, type: 'recovery',
        summary: o.reason, detail: { stage: o.stage, outcome: o.outcome, on: o.on, runId: run.id, financialYear: p.ev.key.financialYear },
      })),
    ]);
    await repo.insertEvents(events, ctx.now, null, ctx.bySystem, tx);

    // Where each account-year stands now, and when to look again.
    const caseUpdates: CaseUpdate[] = planned.map(({ ev, take, note }) => {
      const d = ev.decision;
      const dropped = note !== null;
      return {
        accountId: ev.key.accountId, financialYear: ev.key.financialYear, authorityId: ev.authorityId, stream: ev.stream,
        position: take.length ? d.position : d.positionBefore, held: Boolean(d.held), exception: Boolean(d.exception) || dropped,
        remindersServed: take.length ? d.remindersServed : d.remindersServed - d.actions.filter((a) => a.stage.startsWith('reminder')).length, reviewOn: dropped ? run.asOf : d.reviewOn,
        nextAction: !take.length && d.actions.length ? `${STAGE_LABELS[d.actions[0].stage]} (not yet issued)` : d.nextAction?.description ?? null,
        nextActionOn: !take.length && d.actions.length ? run.asOf : d.nextAction?.on ?? null, reason: note ?? d.exception ?? d.reason,
        balancePence: d.balancePence + (take.length ? take.reduce((s, a) => s + a.costsPence, 0) : 0), lastRunId: run.id,
      };
    });
    await repo.upsertCases(caseUpdates, tx);

    for (const p of planned) {
      const taken = p.take.filter((a) => stepOf(p, a));
      for (const a of taken) ctx.totals.steps[a.stage] = (ctx.totals.steps[a.stage] ?? 0) + 1;
      if (p.note) ctx.totals.skipped++;
      results.push({
        itemNo: p.item.item_no,
        status: p.note ? 'skipped' : 'done',
        result: p.note ?? (p.take.length && !taken.length ? 'Already taken by an earlier attempt' : taken.length ? `Issued: ${taken.map((a) => STAGE_LABELS[a.stage]).join(', ')}` : 'Recorded'),
      });
    }
    await repo.markItems(run.id, throughItemNo, results.filter((r) => r.status === 'skipped'), tx);
  }

  async function issue(actor: Actor, runId: number, options: IssueOptions, how: { requireApproval: boolean }) {
    if (how.requireApproval) requirePermission(actor, 'recovery.approve');
    const run = await repo.findRun(actor.authorityIds, runId);
    if (!run) throw new NotFoundError(`Recovery run ${runId} was not found`);
    if (run.status === 'completed') throw new ConflictError(`Recovery run ${runId} has already been issued`);
    if (run.status === 'cancelled' || run.status === 'failed') throw new ConflictError(`Recovery run ${runId} was ${run.status}: start a new run`);
    if (run.status === 'awaiting_approval') {
      const mine = await repo.markIssuing(runId, how.requireApproval ? actor.userId : null, clock.now());
      if (mine && how.requireApproval) await audit.record(actor, { action: 'approve.recovery_run', entityType: 'batch_run', entityId: runId, authorityId: run.authority_id });
    }
    // 'issuing' from here: a crash leaves it so, and approving again resumes where it stopped.
    const started = performance.now();
    const timetables = await repo.timetables([run.authority_id]);
    const letterhead = await letterheadFor(db, run.authority_id);
    const prior = (await repo.findRun(actor.authorityIds, runId))?.issue_report;
    const totals: IssueReport = prior ?? { steps: {}, letters: 0, costsPence: 0, outcomes: 0, skipped: 0, batches: 0, seconds: 0 };
    const batchSize = Math.max(1, options.batchSize ?? 1_000);
    // What changed since the preview (officers' holds, court outcomes, rebills): looked at once here;
    // the ledger, which can change by the thousand, is checked batch by batch.
    const changed = run.report.watermarks ? await repo.changedAccounts(run.report.watermarks, run.batch_run_id) : null;
    let batchNo = 0;
    for (;;) {
      const done = await db.transaction(async (tx) => {
        const items = await repo.pendingItems(runId, batchSize, tx);
        if (!items.length) return true;
        batchNo++;
        await processBatch(tx, { id: runId, authorityId: run.authority_id, asOf: run.as_of, watermarks: run.report.watermarks }, items, { timetables, letterhead, totals, bySystem: `recovery-run:${runId}`, now: clock.now(), withoutLetters: Boolean(options.withoutLetters), changed });
        if (options.simulateCrashInBatch === batchNo) throw new Error(`simulated crash in batch ${batchNo} of recovery run ${runId}`);
        totals.batches++;
        // Progress survives a crash: the report is written with each batch.
        await tx.query('update recovery_runs set issue_report = $2 where batch_run_id = $1', [runId, JSON.stringify(totals)]);
        return false;
      });
      if (done) break;
    }
    totals.seconds = round((totals.seconds ?? 0) + (performance.now() - started));
    await repo.finishRun(runId, 'completed', { issueReport: totals, at: clock.now() });
    return { runId, status: 'completed' as const, issueReport: totals };
  }

  return {
    preview,

    /** A senior officer approves the preview: the notices go. Also resumes a run a crash interrupted. */
    approve: (actor: Actor, runId: number, options: IssueOptions = {}) => issue(actor, runId, options, { requireApproval: true }),

    /** Finishes a run a crash interrupted while issuing (it was approved; each notice still goes once). */
    async resume(actor: Actor, runId: number, options: IssueOptions = {}) {
      requirePermission(actor, 'recovery.run');
      const run = await repo.findRun(actor.authorityIds, runId);
      if (!run) throw new NotFoundError(`Recovery run ${runId} was not found`);
      if (run.status !== 'issuing') throw new ConflictError(`Only a run interrupted while issuing can be resumed; run ${runId} is ${run.status.replace('_', ' ')}`);
      return issue(actor, runId, options, { requireApproval: false });
    },

    async cancel(actor: Actor, runId: number) {
      requirePermission(actor, 'recovery.run');
      const run = await repo.findRun(actor.authorityIds, runId);
      if (!run) throw new NotFoundError(`Recovery run ${runId} was not found`);
      if (run.status !== 'awaiting_approval') throw new ConflictError(`Only a run awaiting approval can be cancelled; run ${runId} is ${run.status.replace('_', ' ')}`);
      await db.transaction(async (tx) => {
        await repo.cancelPendingItems(runId, 'Run cancelled', tx);
        await repo.finishRun(runId, 'cancelled', { cancelledBy: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: 'cancel.recovery_run', entityType: 'batch_run', entityId: runId, authorityId: run.authority_id }, tx);
      });
    },

    async getRun(actor: Actor, runId: number) {
      requirePermission(actor, 'cases.view');
      const run = await repo.findRun(actor.authorityIds, runId);
      if (!run) throw new NotFoundError(`Recovery run ${runId} was not found`);
      return run;
    },

    async listRuns(actor: Actor, limit = 50) {
      requirePermission(actor, 'cases.view');
      return repo.listRuns(actor.authorityIds, Math.min(limit, 500));
    },

    async runItems(actor: Actor, runId: number, filter: { kind?: string; stage?: string; page?: number; pageSize?: number }) {
      requirePermission(actor, 'cases.view');
      const run = await repo.findRun(actor.authorityIds, runId);
      if (!run) throw new NotFoundError(`Recovery run ${runId} was not found`);
      const pageSize = Math.min(filter.pageSize ?? 100, 500);
      const page = Math.max(1, filter.page ?? 1);
      const result = await repo.runItems(runId, { kind: filter.kind, stage: filter.stage, limit: pageSize, offset: (page - 1) * pageSize });
      await audit.record(actor, { action: 'view.recovery_run_items', entityType: 'batch_run', entityId: runId, authorityId: run.authority_id, detail: filter });
      return { ...result, page, pageSize };
    },

    /** Each year of an account: where it stands today, what happens next and when, and the steps taken. */
    async accountRecovery(actor: Actor, accountId: number) {
      requirePermission(actor, 'cases.view');
      const account = await accounts.accountScope(actor.authorityIds, accountId);
      if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
      const steps = await repo.stepsForAccount(accountId);
      if (!(RECOVERY_STREAMS as readonly string[]).includes(account.stream)) return { applies: false as const, years: [], steps };
      const today = clock.today();
      const timetables = await repo.timetables([account.authority_id]);
      const years = await repo.yearsOfAccount(accountId);
      const evaluated = await evaluatePage(db, years.map((fy) => ({ accountId, financialYear: fy })), today, timetables);
      return {
        applies: true as const,
        years: evaluated.filter((e): e is Evaluated => !('problem' in e)).map((e) => ({
          financialYear: e.key.financialYear, decision: e.decision, positionLabel: POSITION_LABELS[e.decision.position], timetableName: e.timetable.name,
        })).filter((y) => y.decision.balancePence !== 0 || y.decision.position !== 'on_instalments' || steps.some((s) => s.financial_year === y.financialYear)),
        steps,
      };
    },

    /** Account-years at each stage, from the case index the runs keep. */
    async pipeline(actor: Actor) {
      requirePermission(actor, 'cases.view');
      const rows = await repo.pipeline(actor.authorityIds);
      const stages = ['on_instalments', ...STAGES, 'paid', 'withdrawn', 'dismissed'] as const;
      return RECOVERY_STREAMS.map((stream) => ({
        stream,
        stages: stages.map((position) => {
          const here = rows.filter((r) => r.stream === stream && r.position === position);
          return {
            position, label: POSITION_LABELS[position], count: here.reduce((s, r) => s + r.count, 0), held: here.filter((r) => r.held).reduce((s, r) => s + r.count, 0),
            balancePence: here.reduce((s, r) => s + r.balance_pence, 0),
          };
        }),
      }));
    },

    async casesAt(actor: Actor, filter: { position?: string; held?: boolean; exception?: boolean }) {
      requirePermission(actor, 'cases.view');
      return repo.casesAt(actor.authorityIds, { ...filter, limit: 500 });
    },

    async timetables(actor: Actor) {
      requirePermission(actor, 'cases.view');
      const list = await repo.timetables(actor.authorityIds);
      const today = clock.today();
      return list.map((t) => ({ ...t, problems: validateTimetable(t), inForce: timetableInForce(list.filter((x) => x.authorityId === t.authorityId), t.stream, today)?.id === t.id }));
    },

    /** A council's own timetable from a date: checked against the law and the letters Levy has. */
    async addTimetable(actor: Actor, authorityId: number, input: unknown): Promise<number> {
      requirePermission(actor, 'recovery.configure');
      const authority = await resolveAuthority(actor, authorityId);
      const parsed = timetableSchema.safeParse(input);
      if (!parsed.success) throw new ValidationError('Check the timetable', fieldProblemsFromZod(parsed.error.issues));
      const t: Timetable & { authorityId: number } = { ...parsed.data, nation: authority.nation as Timetable['nation'], authorityId: authority.id };
      const problems = [
        ...validateTimetable(t),
        ...t.stages.filter((s) => s.letterTemplate && !isKnownTemplate(s.letterTemplate)).map((s) => `${s.stage}: no letter template "${s.letterTemplate}"`),
      ];
      const last = await repo.lastAsOf(authority.id);
      if (last && !isAfter(t.effectiveFrom, last)) problems.push(`effectiveFrom must be after the last run's as-of date (${last}), so past decisions keep the timetable they were made under`);
      if (problems.length) throw new ValidationError('The timetable is not within the law or not complete', problems.map((message) => ({ field: 'stages', message })));
      return db.transaction(async (tx) => {
        const id = await repo.insertTimetable(t, actor.userId, tx);
        await audit.record(actor, { action: 'create.recovery_timetable', entityType: 'recovery_timetable', entityId: id, authorityId: authority.id }, tx);
        return id;
      });
    },

    /** Re-evaluates account-years (after a court outcome) and updates their case index rows; takes no stage. */
    async refreshCases(keys: YearKey[], asOf: string, tx: Db) {
      if (!keys.length) return;
      const authorityIds = (await tx.query<{ authority_id: number }>('select distinct authority_id from accounts where id = any($1::bigint[])', [keys.map((k) => k.accountId)])).map((r) => r.authority_id);
      const timetables = await repo.timetables(authorityIds, tx);
      const evaluated = (await evaluatePage(tx, keys, asOf, timetables)).filter((e): e is Evaluated => !('problem' in e));
      await repo.upsertCases(evaluated.map(({ key, authorityId, stream, decision: d }) => ({
        accountId: key.accountId, financialYear: key.financialYear, authorityId, stream, position: d.position, held: Boolean(d.held),
        exception: Boolean(d.exception), remindersServed: d.remindersServed, reviewOn: d.reviewOn, nextAction: d.nextAction?.description ?? null,
        nextActionOn: d.nextAction?.on ?? null, reason: d.exception ?? d.reason, balancePence: d.balancePence, lastRunId: null,
      })), tx);
    },

    /** The snapshot of one account-year as at a date (for the court's liability order figures). */
    async snapshotFor(key: YearKey, asOf: string, tx: Db) {
      const [account] = await tx.query<{ authority_id: number }>('select authority_id from accounts where id = $1', [key.accountId]);
      const timetables = await repo.timetables([account.authority_id], tx);
      const data = await repo.snapshotData([key], asOf, tx);
      const stream = data.accounts.get(key.accountId)!.stream;
      const timetable = timetableInForce(timetables, stream, asOf);
      if (!timetable) throw new ValidationError(`No ${stream} recovery timetable in force on ${asOf}`);
      const k = keyOf(key.accountId, key.financialYear);
      const holdMap = await holds.forAccounts([key.accountId], tx);
      const snapshot: RecoverySnapshot = {
        accountId: key.accountId, financialYear: key.financialYear, stream, timetable, instalments: data.instalments.get(k) ?? [],
        movements: data.movements.get(k) ?? [], steps: data.steps.get(k) ?? [], holds: holdMap.get(key.accountId) ?? [],
      };
      return snapshot;
    },
  };
}
export type RecoveryService = ReturnType<typeof createRecoveryService>;

/** True when a stored decision is whole (an action item's), so the issue phase can use it as it is. */
function isFullDecision(d: unknown): d is RecoveryDecision {
  return typeof d === 'object' && d !== null && 'actions' in d && 'accountId' in d && Array.isArray((d as RecoveryDecision).actions)
    && (d as RecoveryDecision).actions.every((a) => 'instalmentsDemanded' in a && 'reason' in a);
}

/** What a run item keeps of a decision with nothing to take, for the preview pages and the API. */
function storedDecision(d: RecoveryDecision) {
  return {
    position: d.position, positionBefore: d.positionBefore, reason: d.reason, exception: d.exception, nextAction: d.nextAction, reviewOn: d.reviewOn,
    balancePence: d.balancePence, outcomes: d.outcomes,
    actions: d.actions.map((a) => ({ stage: a.stage, issueOn: a.issueOn, payBy: a.payBy, escalatesOn: a.escalatesOn, demandPence: a.demandPence, costsPence: a.costsPence, earliestHearingOn: a.earliestHearingOn })),
    held: d.held ? { wouldTake: d.held.wouldTake, holds: d.held.holds.map((h) => ({ id: h.id, type: h.type, reason: h.reason, startsOn: h.startsOn, expiresOn: h.expiresOn })) } : null,
  };
}

function round(ms: number) {
  return Math.round(ms) / 1000;
}
