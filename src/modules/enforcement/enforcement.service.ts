// Enforcement agents (DOMAIN.md §4, §5): firms; a referral of an account-year under a liability
// order after pre-referral checks (holds and an arrangement block; a vulnerability hold or a violent
// warning needs a senior officer's decision; a running attachment of earnings blocks, since an
// attachment is the cheaper remedy); export of ready cases to a firm as CSV; import of the firm's
// returns with fees checked against the Taking Control of Goods (Fees) Regulations 2014 scale
// (src/domain/enforcement-agent-fees.ts: anything over the scale is flagged); performance by firm.
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { enforcementAgentFee } from '../../domain/enforcement-agent-fees.ts';
import { isHoldActiveOn, HOLD_LABELS, type HoldRecord } from '../../domain/recovery/holds.ts';
import { allocate, POSTCODE_PREFIX } from '../../domain/enforcement-allocation.ts';
import { formatPence } from '../../domain/money.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { parseReturns, writeExport, writeRecalls } from '../../integrations/enforcement-agents/ea-csv.ts';
import type { AccountsRepository } from '../accounts/accounts.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import type { HoldsRepository } from '../holds/holds.repository.ts';
import { parse } from '../arrangements/recipient.ts';
import type { EnforcementRepository } from './enforcement.repository.ts';

export const firmSchema = z.object({
  name: z.string().trim().min(1, 'Enter the firm’s name').max(200),
  code: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{2,10}$/, 'Enter a code of 2 to 10 letters or digits'),
});
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const optionalFirm = z.preprocess(blankToUndefined, z.coerce.number({ message: 'Choose the firm' }).int().positive('Choose the firm').optional());
const financialYear = z.coerce.number({ message: 'Enter the financial year' }).int().min(1990).max(2100);
/** Without a firm, the council's allocation rules choose one. */
export const referSchema = z.object({ firmId: optionalFirm, financialYear });
export const bulkReferSchema = z.object({
  firmId: optionalFirm,
  cases: z.array(z.object({ accountReference: z.string().trim().min(1, 'Enter the account reference'), financialYear })).min(1, 'Give at least one case').max(20_000),
});
const penceOrBlank = z.preprocess(blankToUndefined, z.coerce.number({ message: 'Enter an amount' }).int().min(0, 'Amounts cannot be negative').optional());
export const ruleSchema = z.object({
  position: z.preprocess(blankToUndefined, z.coerce.number({ message: 'Enter the order as a whole number' }).int().min(0).max(100_000).optional()),
  fallback: z.preprocess((v) => v === true || v === 'true' || v === 'yes', z.boolean()).default(false),
  stream: z.preprocess(blankToUndefined, z.enum(['council_tax', 'business_rates'], { message: 'Choose council tax, business rates or any' }).optional()),
  postcodePrefixes: z.preprocess((v) => (typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v ?? []),
    z.array(z.string().trim().toUpperCase().regex(POSTCODE_PREFIX, 'Enter postcode areas or districts like WN or WN1, separated by commas')).max(200)),
  minBalancePence: penceOrBlank,
  maxBalancePence: penceOrBlank,
  firms: z.array(z.object({ firmId: z.coerce.number().int().positive(), share: z.coerce.number({ message: 'Enter the share as a whole number' }).int().min(1, 'A share is from 1 to 100').max(100, 'A share is from 1 to 100') }))
    .min(1, 'Choose at least one firm for the rule'),
});
export const RECALL_REASONS = ['paid_direct', 'arrangement', 'vulnerability', 'hold', 'complaint', 'error'] as const;
export type RecallReason = (typeof RECALL_REASONS)[number];
export const RECALL_REASON_LABELS: Record<RecallReason, string> = {
  paid_direct: 'Paid direct to the council', arrangement: 'Arrangement agreed with the council', vulnerability: 'Vulnerability found',
  hold: 'Recovery on hold', complaint: 'Complaint', error: 'Referred in error',
};
export const recallSchema = z.object({
  reason: z.enum(RECALL_REASONS, { message: 'Choose why the case is recalled' }),
  note: z.preprocess((v) => v ?? '', z.string().trim().max(2000, 'The note must be 2,000 characters or fewer')),
});
export const bulkRecallSchema = recallSchema.extend({
  cases: z.array(z.object({ accountReference: z.string().trim().min(1, 'Enter the account reference'), financialYear: financialYear.optional() })).min(1, 'Give at least one case').max(20_000),
});
export const decisionSchema = z.object({
  allow: z.preprocess((v) => v === true || v === 'true' || v === 'yes', z.boolean()),
  note: z.string().trim().min(1, 'Record the reasons for the decision').max(2000),
});

const LIVE = ['awaiting_decision', 'ready', 'exported', 'with_agent'];

export type CheckOutcome = { check: string; outcome: 'pass' | 'senior' | 'block'; detail: string };

export function createEnforcementService(deps: { db: Db; clock: Clock; repo: EnforcementRepository; holds: HoldsRepository; accounts: AccountsRepository; events: EventsRepository; audit: AuditRepository }) {
  const { db, clock, repo, holds, accounts, events, audit } = deps;

  async function requireReferral(actor: Actor, id: number, tx: Db = db) {
    const r = await repo.find(actor.authorityIds, id, tx);
    if (!r) throw new NotFoundError(`Referral ${id} was not found`);
    return r;
  }

  /** The pre-referral checks for an account from what is known about it, as at today. */
  function checksFrom(active: HoldRecord[], warnings: string[], arranged: boolean, attachmentNames: string | undefined): CheckOutcome[] {
    const out: CheckOutcome[] = [];
    const vulnerable = active.filter((h) => h.type === 'vulnerability');
    out.push(vulnerable.length ? { check: 'vulnerability', outcome: 'senior', detail: `Vulnerability: ${vulnerable.map((h) => h.reason).join('; ')}` } : { check: 'vulnerability', outcome: 'pass', detail: 'No vulnerability recorded' });
    out.push(warnings.length ? { check: 'warning', outcome: 'senior', detail: warnings.join('; ') } : { check: 'warning', outcome: 'pass', detail: 'No violent or abusive person warning' });
    const blocking = active.filter((h) => h.type !== 'vulnerability' && h.type !== 'arrangement');
    out.push(blocking.length ? { check: 'holds', outcome: 'block', detail: blocking.map((h) => `${HOLD_LABELS[h.type]}: ${h.reason}`).join('; ') } : { check: 'holds', outcome: 'pass', detail: 'No hold stops enforcement' });
    const arrangement = arranged || active.some((h) => h.type === 'arrangement');
    out.push(arrangement ? { check: 'arrangement', outcome: 'block', detail: 'An arrangement is in place' } : { check: 'arrangement', outcome: 'pass', detail: 'No arrangement' });
    out.push(attachmentNames ? { check: 'attachment', outcome: 'block', detail: attachmentNames } : { check: 'attachment', outcome: 'pass', detail: 'No attachment running; consider whether one is possible before referring' });
    return out;
  }

  type Outcome =
    | { ok: true; accountId: number; reference: string; financialYear: number; id: number; status: 'ready' | 'awaiting_decision'; checks: CheckOutcome[]; firmId: number; firmName: string; ruleId: number | null; sumPence: number }
    | { ok: false; accountId: number | null; reference: string | null; financialYear: number; error: 'not_found' | 'conflict' | 'unallocated'; message: string };

  /**
   * Checks and refers a set of account-years in a few set-based statements: the facts for every case
   * in one query, holds, arrangements and attachments in one each, the firms from the allocation
   * rules when none is given, then one insert for the referrals and one for their history events.
   * Each case comes back referred (ready or awaiting a senior decision) or with why it was not.
   */
  async function referCases(actor: Actor, items: { accountId?: number; reference?: string; financialYear: number }[], firmId: number | undefined): Promise<Outcome[]> {
    const firms = new Map((await repo.listFirms(actor.authorityIds)).filter((f) => f.active).map((f) => [Number(f.id), f.name]));
    if (firmId !== undefined && !firms.has(firmId)) throw new ValidationError('Check the referral', [{ field: 'firmId', message: 'Choose an active firm' }]);
    const facts = await repo.candidates(actor.authorityIds, items);
    const accountIds = [...new Set(facts.filter((f) => f.account_id !== null).map((f) => Number(f.account_id)))];
    const [holdsByAccount, { arranged, attachments }] = await Promise.all([holds.forAccounts(accountIds), repo.arrangementAndAttachments(accountIds)]);
    const today = clock.today();
    const outcomes: (Outcome | null)[] = [];
    const toRefer: { n: number; fact: (typeof facts)[number]; checks: CheckOutcome[]; status: 'ready' | 'awaiting_decision' }[] = [];
    const seen = new Set<string>();
    for (const [n, f] of facts.entries()) {
      const item = items[n];
      const fail = (error: 'not_found' | 'conflict', message: string): Outcome => ({ ok: false, accountId: f.account_id === null ? null : Number(f.account_id), reference: f.reference ?? item.reference ?? null, financialYear: item.financialYear, error, message });
      if (f.account_id === null) { outcomes.push(fail('not_found', `Account ${item.reference ?? item.accountId} was not found`)); continue; }
      const key = `${f.account_id}:${item.financialYear}`;
      if (!f.has_lo) { outcomes.push(fail('conflict', `Account ${f.reference} has no liability order for that year: it cannot go to an enforcement agent`)); continue; }
      if (Number(f.balance) <= 0) { outcomes.push(fail('conflict', `Account ${f.reference}: nothing is owed for that year`)); continue; }
      if (f.already_live || seen.has(key)) { outcomes.push(fail('conflict', `Account ${f.reference}: that year is already referred`)); continue; }
      const active = (holdsByAccount.get(Number(f.account_id)) ?? []).filter((h) => isHoldActiveOn(h, today));
      const checks = checksFrom(active, f.warnings, arranged.has(Number(f.account_id)), attachments.get(Number(f.account_id)));
      const blocks = checks.filter((c) => c.outcome === 'block');
      if (blocks.length) { outcomes.push(fail('conflict', `Cannot refer ${f.reference}: ${blocks.map((b) => b.detail).join('; ')}`)); continue; }
      seen.add(key);
      outcomes.push(null);
      toRefer.push({ n, fact: f, checks, status: checks.some((c) => c.outcome === 'senior') ? 'awaiting_decision' : 'ready' });
    }
    if (!toRefer.length) return outcomes as Outcome[];

    return db.transaction(async (tx) => {
      // The rules are locked so that two referrals at once take different places in a shared cycle.
      let choices: ({ ruleId: number; firmId: number } | null)[];
      const rulesUsed = new Map<number, number>();
      if (firmId !== undefined) choices = toRefer.map(() => ({ ruleId: 0, firmId }));
      else {
        await repo.lockRules(actor.authorityIds, tx);
        const rules = await repo.listRules(actor.authorityIds, tx);
        // Each council's cases go through that council's rules.
        choices = toRefer.map(() => null);
        for (const authorityId of new Set(toRefer.map((t) => t.fact.authority_id))) {
          const idx = toRefer.map((t, i) => (t.fact.authority_id === authorityId ? i : -1)).filter((i) => i >= 0);
          const got = allocate(rules.filter((r) => r.authorityId === authorityId), idx.map((i) => ({ stream: toRefer[i].fact.stream, postcode: toRefer[i].fact.postcode, balancePence: Number(toRefer[i].fact.balance) })));
          idx.forEach((i, k) => { choices[i] = got[k]; });
        }
      }
      const rows: Parameters<EnforcementRepository['insertReferrals']>[0] = [];
      const placed: number[] = [];
      toRefer.forEach((t, i) => {
        const choice = choices[i];
        if (!choice) {
          outcomes[t.n] = { ok: false, accountId: Number(t.fact.account_id), reference: t.fact.reference, financialYear: items[t.n].financialYear, error: 'unallocated', message: `Account ${t.fact.reference}: no allocation rule matches this case; choose the firm` };
          return;
        }
        if (choice.ruleId) rulesUsed.set(choice.ruleId, (rulesUsed.get(choice.ruleId) ?? 0) + 1);
        const firmName = firms.get(choice.firmId) ?? `firm ${choice.firmId}`;
        const balance = Number(t.fact.balance);
        placed.push(i);
        rows.push({
          authority_id: t.fact.authority_id, account_id: Number(t.fact.account_id), customer_id: Number(t.fact.customer_id), financial_year: items[t.n].financialYear, firm_id: choice.firmId,
          sum_pence: balance, checks: t.checks, status: t.status, allocation_rule_id: choice.ruleId || null,
          summary: t.status === 'ready' ? `Referred to ${firmName} for ${formatPence(balance)}` : `Referral to ${firmName} awaits a senior officer’s decision: ${t.checks.filter((c) => c.outcome === 'senior').map((c) => c.detail).join('; ')}`,
        });
      });
      if (!rows.length) return outcomes as Outcome[];
      const ids = await repo.insertReferrals(rows, actor.userId, clock.now(), tx);
      await repo.advanceRules(rulesUsed, tx);
      placed.forEach((i, k) => {
        const t = toRefer[i];
        outcomes[t.n] = { ok: true, accountId: Number(t.fact.account_id), reference: t.fact.reference!, financialYear: items[t.n].financialYear, id: ids[k], status: t.status, checks: t.checks,
          firmId: rows[k].firm_id, firmName: firms.get(rows[k].firm_id) ?? '', ruleId: rows[k].allocation_rule_id, sumPence: rows[k].sum_pence };
      });
      if (ids.length === 1) await audit.record(actor, { action: 'create.ea_referral', entityType: 'ea_referral', entityId: ids[0], authorityId: rows[0].authority_id, detail: { allocationRuleId: rows[0].allocation_rule_id } }, tx);
      else await audit.record(actor, { action: 'create.ea_referrals', entityType: 'ea_referral', authorityId: rows[0].authority_id, detail: { count: ids.length, ids } }, tx);
      return outcomes as Outcome[];
    });
  }

  /** Recalls live referrals, set-based: each recorded, marked recalled, and on the account's history. */
  async function recallReferrals(actor: Actor | null, ids: number[], r: { reason: RecallReason; note: string; holdId?: number }, tx: Db) {
    const recalled = await repo.recall(ids, { reason: r.reason, note: r.note, on: clock.today(), holdId: r.holdId ?? null }, actor?.userId ?? null, tx);
    if (recalled.length) {
      await repo.insertEvents(recalled.map((x) => ({
        authority_id: x.authority_id, customer_id: Number(x.customer_id), account_id: Number(x.account_id),
        summary: `Recalled from ${x.firm_name} (${x.financial_year_label}): ${RECALL_REASON_LABELS[r.reason]}${r.note ? `. ${r.note}` : ''}${x.notify ? '. The firm will be told in its next recall file' : ''}`,
        detail: { referralId: Number(x.referral_id), recall: r.reason },
      })), actor?.userId ?? null, clock.now(), tx);
    }
    return recalled;
  }

  return {
    async addFirm(actor: Actor, input: unknown) {
      requirePermission(actor, 'enforcement.decide');
      const f = parse(firmSchema, input, 'Check the firm');
      const authorityId = actor.authorityIds[0];
      if (authorityId === undefined) throw new ValidationError('You are not set up for a council');
      return db.transaction(async (tx) => {
        const id = await repo.insertFirm({ authorityId, name: f.name, code: f.code }, actor.userId, tx);
        await audit.record(actor, { action: 'create.ea_firm', entityType: 'ea_firm', entityId: id, authorityId }, tx);
        return id;
      });
    },

    async listFirms(actor: Actor) {
      requirePermission(actor, 'cases.view');
      return repo.listFirms(actor.authorityIds);
    },

    /**
     * Refers an account-year with a liability order to a firm, the one given or else the one the
     * allocation rules choose. A blocking check refuses (409, with the reasons); a check needing a
     * senior officer leaves the referral awaiting their decision.
     */
    async refer(actor: Actor, accountId: number, input: unknown) {
      requirePermission(actor, 'enforcement.refer');
      const r = parse(referSchema, input, 'Check the referral');
      const [o] = await referCases(actor, [{ accountId, financialYear: r.financialYear }], r.firmId);
      if (!o.ok) {
        if (o.error === 'not_found') throw new NotFoundError(`Account ${accountId} was not found`);
        if (o.error === 'unallocated') throw new ValidationError('Check the referral', [{ field: 'firmId', message: 'No allocation rule matches this case: choose the firm' }]);
        throw new ConflictError(o.message);
      }
      return { id: o.id, status: o.status, checks: o.checks, firmId: o.firmId, firmName: o.firmName, allocationRuleId: o.ruleId };
    },

    /** Refers many account-years (by account reference) at once; each comes back referred or with its reason. */
    async referMany(actor: Actor, input: unknown) {
      requirePermission(actor, 'enforcement.refer');
      const r = parse(bulkReferSchema, input, 'Check the referrals');
      const outcomes = await referCases(actor, r.cases.map((c) => ({ reference: c.accountReference, financialYear: c.financialYear })), r.firmId);
      return {
        referred: outcomes.filter((o) => o.ok).map((o) => ({ accountReference: o.reference, financialYear: o.financialYear, id: o.id, status: o.status, firmId: o.firmId, firmName: o.firmName, allocationRuleId: o.ruleId })),
        notReferred: outcomes.filter((o) => !o.ok).map((o) => ({ accountReference: o.reference, financialYear: o.financialYear, reason: o.message })),
      };
    },

    /** The pre-referral checks for an account, without referring: what the referral page shows. */
    async preview(actor: Actor, accountId: number) {
      requirePermission(actor, 'cases.view');
      const account = await accounts.findAccount(actor.authorityIds, accountId);
      if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
      const years = await repo.liabilityOrderYears(accountId);
      const facts = await repo.candidates(actor.authorityIds, years.map((y) => ({ accountId, financialYear: y.financial_year })));
      const [holdsByAccount, { arranged, attachments }] = await Promise.all([holds.forAccounts([accountId]), repo.arrangementAndAttachments([accountId])]);
      const active = (holdsByAccount.get(accountId) ?? []).filter((h) => isHoldActiveOn(h, clock.today()));
      const checks = checksFrom(active, account.warnings, arranged.has(accountId), attachments.get(accountId));
      const outcome = checks.some((c) => c.outcome === 'block') ? 'blocked' : checks.some((c) => c.outcome === 'senior') ? 'senior' : 'clear';
      return {
        account, checks, outcome,
        years: years.map((y, i) => ({ financialYear: y.financial_year, balancePence: Number(facts[i].balance), live: facts[i].already_live, liveReferral: y.live_referral_id === null ? null : { id: Number(y.live_referral_id), status: y.live_status!, firmName: y.live_firm! } })),
        referrals: await repo.forAccount(actor.authorityIds, accountId),
      };
    },

    // ----- allocation rules ---------------------------------------------------------------------

    async listRules(actor: Actor) {
      requirePermission(actor, 'cases.view');
      return repo.listRules(actor.authorityIds);
    },

    async addRule(actor: Actor, input: unknown) {
      requirePermission(actor, 'enforcement.decide');
      let r: z.infer<typeof ruleSchema>;
      try {
        r = parse(ruleSchema, input, 'Check the rule');
      } catch (error) {
        // One error per list on the form: "postcodePrefixes.1" and "firms.0.share" name the list.
        if (error instanceof ValidationError) throw new ValidationError(error.message, error.fields.map((p) => ({ ...p, field: p.field.replace(/\.\d+(\..*)?$/, '') })));
        throw error;
      }
      const authorityId = actor.authorityIds[0];
      if (authorityId === undefined) throw new ValidationError('You are not set up for a council');
      const problems: { field: string; message: string }[] = [];
      if (r.minBalancePence !== undefined && r.maxBalancePence !== undefined && r.maxBalancePence <= r.minBalancePence) problems.push({ field: 'maxBalancePence', message: 'The upper amount must be more than the lower amount' });
      if (r.fallback && (r.stream || r.postcodePrefixes.length || r.minBalancePence !== undefined || r.maxBalancePence !== undefined)) problems.push({ field: 'fallback', message: 'The fallback rule has no conditions: it takes every case no other rule matches' });
      if (!r.fallback && !r.stream && !r.postcodePrefixes.length && r.minBalancePence === undefined && r.maxBalancePence === undefined) problems.push({ field: 'stream', message: 'Give the rule at least one condition, or make it the fallback' });
      const firms = new Set((await repo.listFirms([authorityId])).filter((f) => f.active).map((f) => Number(f.id)));
      if (r.firms.some((f) => !firms.has(f.firmId))) problems.push({ field: 'firms', message: 'Choose active firms of your council' });
      if (new Set(r.firms.map((f) => f.firmId)).size !== r.firms.length) problems.push({ field: 'firms', message: 'Name each firm once' });
      if (problems.length) throw new ValidationError('Check the rule', problems);
      return db.transaction(async (tx) => {
        const existing = await repo.listRules([authorityId], tx);
        if (r.fallback && existing.some((x) => x.fallback)) throw new ConflictError('There is already a fallback rule: remove it first');
        const position = r.position ?? Math.max(0, ...existing.filter((x) => !x.fallback).map((x) => x.position)) + 10;
        const id = await repo.insertRule({ authorityId, position, fallback: r.fallback, stream: r.stream ?? null, postcodePrefixes: r.postcodePrefixes, minBalancePence: r.minBalancePence ?? null, maxBalancePence: r.maxBalancePence ?? null, firms: r.firms }, actor.userId, tx);
        await audit.record(actor, { action: 'create.ea_allocation_rule', entityType: 'ea_allocation_rule', entityId: id, authorityId, detail: { ...r } }, tx);
        return id;
      });
    },

    async removeRule(actor: Actor, ruleId: number) {
      requirePermission(actor, 'enforcement.decide');
      await db.transaction(async (tx) => {
        const gone = await repo.deleteRule(actor.authorityIds, ruleId, tx);
        if (!gone) throw new NotFoundError(`Rule ${ruleId} was not found`);
        await audit.record(actor, { action: 'delete.ea_allocation_rule', entityType: 'ea_allocation_rule', entityId: ruleId, authorityId: gone.authority_id }, tx);
      });
    },

    // ----- recalls ------------------------------------------------------------------------------

    /** Recalls one referral from its firm (or before it is sent). */
    async recall(actor: Actor, referralId: number, input: unknown) {
      requirePermission(actor, 'enforcement.refer');
      const r = parse(recallSchema, input, 'Check the recall');
      return db.transaction(async (tx) => {
        const referral = await requireReferral(actor, referralId, tx);
        if (!LIVE.includes(referral.status)) throw new ConflictError(`Referral ${referralId} is ${referral.status.replace('_', ' ')}: only a live referral can be recalled`);
        const [done] = await recallReferrals(actor, [referralId], r, tx);
        await audit.record(actor, { action: 'recall.ea_referral', entityType: 'ea_referral', entityId: referralId, authorityId: referral.authority_id, detail: { reason: r.reason } }, tx);
        return { id: referralId, recalled: true, firmToBeTold: done.notify };
      });
    },

    /** Recalls by account reference (every live referral on the account, or the year given). */
    async recallMany(actor: Actor, input: unknown) {
      requirePermission(actor, 'enforcement.refer');
      const r = parse(bulkRecallSchema, input, 'Check the recalls');
      return db.transaction(async (tx) => {
        const found = await repo.liveByReference(actor.authorityIds, r.cases.map((c) => ({ reference: c.accountReference, financialYear: c.financialYear ?? null })), tx);
        const done = await recallReferrals(actor, found.map((f) => Number(f.id)), r, tx);
        const matched = new Set(found.map((f) => `${f.n}`));
        await audit.record(actor, { action: 'recall.ea_referrals', entityType: 'ea_referral', authorityId: actor.authorityIds[0], detail: { reason: r.reason, count: done.length } }, tx);
        return {
          recalled: done.map((d) => ({ referralId: Number(d.referral_id), accountReference: d.account_reference, financialYear: d.financial_year, firmName: d.firm_name, firmToBeTold: d.notify })),
          notFound: r.cases.filter((_, n) => !matched.has(`${n}`)).map((c) => ({ accountReference: c.accountReference, financialYear: c.financialYear ?? null, reason: 'no live referral' })),
        };
      });
    },

    /**
     * Placing a Breathing Space or vulnerability hold recalls every live referral on the accounts it
     * covers, in the hold's own transaction (called by the holds service).
     */
    async recallForHold(actor: Actor, hold: { id: number; type: string; accountIds: number[] }, tx: Db) {
      const reason: RecallReason | null = hold.type === 'vulnerability' ? 'vulnerability' : hold.type.startsWith('breathing_space') ? 'hold' : null;
      if (!reason || !hold.accountIds.length) return [];
      const ids = (await tx.query<{ id: number }>(`select id from ea_referrals where account_id = any($1::bigint[]) and status in ('awaiting_decision', 'ready', 'exported', 'with_agent')`, [hold.accountIds])).map((x) => Number(x.id));
      if (!ids.length) return [];
      const label = reason === 'vulnerability' ? 'Vulnerability hold placed' : 'Breathing Space placed';
      return recallReferrals(actor, ids, { reason, note: label, holdId: hold.id }, tx);
    },

    /** The recalls the firm has not yet been told of, as the recall file (docs/formats.md); they become notified. */
    async recallFileForFirm(actor: Actor, firmId: number) {
      requirePermission(actor, 'enforcement.refer');
      const firm = await repo.findFirm(actor.authorityIds, firmId);
      if (!firm) throw new NotFoundError(`Firm ${firmId} was not found`);
      const batch = `ea-recalls:${firm.code}:${clock.now().toISOString()}`;
      return db.transaction(async (tx) => {
        const rows = await repo.takeRecallsForFirm(firmId, batch, clock.now(), tx);
        const csv = writeRecalls(rows.map((r) => ({ referralId: Number(r.referral_id), accountReference: r.account_reference, debtorName: r.debtor_name, financialYear: r.financial_year, recalledOn: r.recalled_on, reason: r.reason, reasonText: RECALL_REASON_LABELS[r.reason as RecallReason] })));
        await audit.record(actor, { action: 'export.ea_recalls', entityType: 'ea_firm', entityId: firmId, authorityId: firm.authority_id, detail: { recalls: rows.length, batch } }, tx);
        return { recalls: rows.length, csv, fileName: `${firm.code}-recalls-${clock.today()}.csv` };
      });
    },

    async pendingRecalls(actor: Actor) {
      requirePermission(actor, 'cases.view');
      return repo.pendingRecallCounts(actor.authorityIds);
    },

    /** A senior officer allows or refuses a referral that the checks held for their decision. */
    async decide(actor: Actor, referralId: number, input: unknown) {
      requirePermission(actor, 'enforcement.decide');
      const d = parse(decisionSchema, input, 'Check the decision');
      await db.transaction(async (tx) => {
        const r = await requireReferral(actor, referralId, tx);
        if (r.status !== 'awaiting_decision') throw new ConflictError('This referral is not awaiting a decision');
        await repo.decide(referralId, d.allow ? 'ready' : 'refused', d.note, actor.userId, tx);
        await events.insert({ authorityId: r.authority_id, customerId: r.customer_id, accountId: r.account_id, type: 'enforcement', summary: `Senior decision: referral to ${r.firm_name} ${d.allow ? 'allowed' : 'refused'}. ${d.note}`, detail: { referralId }, byUserId: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: `decide.ea_referral`, entityType: 'ea_referral', entityId: referralId, authorityId: r.authority_id, detail: { allow: d.allow } }, tx);
      });
    },

    async getReferral(actor: Actor, id: number) {
      requirePermission(actor, 'cases.view');
      return requireReferral(actor, id);
    },

    async listReferrals(actor: Actor, status?: string) {
      requirePermission(actor, 'cases.view');
      return repo.list(actor.authorityIds, { status: status || undefined, limit: 200 });
    },

    /** Every ready case for the firm, as the CSV in docs/formats.md; they become 'exported'. */
    async exportForFirm(actor: Actor, firmId: number) {
      requirePermission(actor, 'enforcement.refer');
      const firm = await repo.findFirm(actor.authorityIds, firmId);
      if (!firm) throw new NotFoundError(`Firm ${firmId} was not found`);
      const batch = `ea-export:${firm.code}:${clock.now().toISOString()}`;
      return db.transaction(async (tx) => {
        const rows = await repo.takeForExport(firmId, batch, clock.now(), tx);
        const csv = writeExport(rows.map((r) => ({ referralId: Number(r.id), accountReference: r.account_reference, debtorName: r.debtor_name, addressLine1: r.line1, addressLine2: r.line2, town: r.town, postcode: r.postcode, financialYear: r.financial_year, liabilityOrderDate: r.lo_date, amountPence: Number(r.sum_pence), warning: r.warning })));
        await audit.record(actor, { action: 'export.ea_cases', entityType: 'ea_firm', entityId: firmId, authorityId: firm.authority_id, detail: { cases: rows.length, batch } }, tx);
        return { cases: rows.length, csv, fileName: `${firm.code}-${clock.today()}.csv` };
      });
    },

    /**
     * A returns file: each line's fee is checked against the 2014 scale for its stage (on the sum
     * referred, at the line's date) and flagged when over it; payments are posted to the ledger.
     * Lines that cannot be read, or name a referral not out with an agent, are reported, not posted.
     */
    async importReturns(actor: Actor, fileName: string, text: string) {
      requirePermission(actor, 'enforcement.refer');
      const { lines, problems } = parseReturns(text);
      return db.transaction(async (tx) => {
        const known = new Map((await repo.referralsForReturns(actor.authorityIds, [...new Set(lines.map((l) => l.referralId))], tx)).map((r) => [Number(r.id), r]));
        const good: Parameters<EnforcementRepository['applyReturns']>[1] = [];
        const overScale: { line: number; referralId: number; feePence: number; scaleFeePence: number }[] = [];
        for (const l of lines) {
          const r = known.get(l.referralId);
          if (!r) { problems.push({ line: l.line, message: `referral ${l.referralId} is not one of yours` }); continue; }
          if (!['exported', 'with_agent'].includes(r.status)) { problems.push({ line: l.line, message: `referral ${l.referralId} is ${r.status.replace('_', ' ')}, not with an agent` }); continue; }
          let scale: number | null = null;
          if (l.feeStage) scale = enforcementAgentFee({ stage: l.feeStage, sumToBeRecoveredPence: Number(r.sum_pence), on: l.date, nation: r.nation }).feePence;
          const over = scale !== null && l.feePence > scale;
          if (over) overScale.push({ line: l.line, referralId: l.referralId, feePence: l.feePence, scaleFeePence: scale! });
          good.push({ referral_id: l.referralId, line_no: l.line, status: l.status, returned_on: l.date, paid_pence: l.paidPence, fee_stage: l.feeStage, fee_pence: l.feePence, scale_fee_pence: scale, over_scale: over });
        }
        if (good.length) await repo.applyReturns(fileName, good, actor.userId, tx);
        await audit.record(actor, { action: 'import.ea_returns', entityType: 'ea_return', detail: { fileName, lines: good.length, problems: problems.length, overScale: overScale.length } }, tx);
        return { applied: good.length, collectedPence: good.reduce((t, g) => t + g.paid_pence, 0), overScale, problems };
      });
    },

    async performance(actor: Actor) {
      requirePermission(actor, 'cases.view');
      return repo.performance(actor.authorityIds);
    },
  };
}
export type EnforcementService = ReturnType<typeof createEnforcementService>;
