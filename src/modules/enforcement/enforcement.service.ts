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
import { isHoldActiveOn, HOLD_LABELS } from '../../domain/recovery/holds.ts';
import { formatPence } from '../../domain/money.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { parseReturns, writeExport } from '../../integrations/enforcement-agents/ea-csv.ts';
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
export const referSchema = z.object({
  firmId: z.coerce.number({ message: 'Choose the firm' }).int().positive('Choose the firm'),
  financialYear: z.coerce.number({ message: 'Enter the financial year' }).int().min(1990).max(2100),
});
export const decisionSchema = z.object({
  allow: z.preprocess((v) => v === true || v === 'true' || v === 'yes', z.boolean()),
  note: z.string().trim().min(1, 'Record the reasons for the decision').max(2000),
});

export type CheckOutcome = { check: string; outcome: 'pass' | 'senior' | 'block'; detail: string };

export function createEnforcementService(deps: { db: Db; clock: Clock; repo: EnforcementRepository; holds: HoldsRepository; accounts: AccountsRepository; events: EventsRepository; audit: AuditRepository }) {
  const { db, clock, repo, holds, accounts, events, audit } = deps;

  async function requireReferral(actor: Actor, id: number, tx: Db = db) {
    const r = await repo.find(actor.authorityIds, id, tx);
    if (!r) throw new NotFoundError(`Referral ${id} was not found`);
    return r;
  }

  /** The pre-referral checks for an account, as at today. */
  async function checksFor(accountId: number, customerIds: number[], warnings: string[]): Promise<CheckOutcome[]> {
    const today = clock.today();
    const active = ((await holds.forAccounts([accountId])).get(accountId) ?? []).filter((h) => isHoldActiveOn(h, today));
    const out: CheckOutcome[] = [];
    const vulnerable = active.filter((h) => h.type === 'vulnerability');
    out.push(vulnerable.length ? { check: 'vulnerability', outcome: 'senior', detail: `Vulnerability: ${vulnerable.map((h) => h.reason).join('; ')}` } : { check: 'vulnerability', outcome: 'pass', detail: 'No vulnerability recorded' });
    out.push(warnings.length ? { check: 'warning', outcome: 'senior', detail: warnings.join('; ') } : { check: 'warning', outcome: 'pass', detail: 'No violent or abusive person warning' });
    const blocking = active.filter((h) => h.type !== 'vulnerability' && h.type !== 'arrangement');
    out.push(blocking.length ? { check: 'holds', outcome: 'block', detail: blocking.map((h) => `${HOLD_LABELS[h.type]}: ${h.reason}`).join('; ') } : { check: 'holds', outcome: 'pass', detail: 'No hold stops enforcement' });
    const arrangement = active.some((h) => h.type === 'arrangement') || (await db.query(`select 1 from arrangement_accounts aa join arrangements ar on ar.id = aa.arrangement_id where aa.account_id = $1 and ar.status = 'active'`, [accountId])).length > 0;
    out.push(arrangement ? { check: 'arrangement', outcome: 'block', detail: 'An arrangement is in place' } : { check: 'arrangement', outcome: 'pass', detail: 'No arrangement' });
    const aeo = await db.query<{ name: string }>(`select e.name from attachment_orders o join employers e on e.id = o.employer_id where o.customer_id = any($1::bigint[]) and o.status = 'active'`, [customerIds]);
    // A deduction from benefit asked of DWP or running is a remedy in progress too: one route at a time.
    const aob = await db.query<{ status: string }>(`select status from benefit_attachments where customer_id = any($1::bigint[]) and status in ('requested', 'accepted')`, [customerIds]);
    const running = [
      ...(aeo.length ? [`an attachment of earnings order is running (${aeo.map((a) => a.name).join(', ')})`] : []),
      ...aob.map((b) => (b.status === 'accepted' ? 'deductions from benefit are running' : 'deductions from benefit have been asked of DWP')),
    ];
    out.push(running.length ? { check: 'attachment', outcome: 'block', detail: `${running.join('; ').replace(/^./, (c) => c.toUpperCase())}` } : { check: 'attachment', outcome: 'pass', detail: 'No attachment running; consider whether one is possible before referring' });
    return out;
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
     * Refers an account-year with a liability order to a firm. A blocking check refuses (409, with
     * the reasons); a check needing a senior officer leaves the referral awaiting their decision.
     */
    async refer(actor: Actor, accountId: number, input: unknown) {
      requirePermission(actor, 'enforcement.refer');
      const r = parse(referSchema, input, 'Check the referral');
      const account = await accounts.findAccount(actor.authorityIds, accountId);
      if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
      const firm = await repo.findFirm(actor.authorityIds, r.firmId);
      if (!firm || !firm.active) throw new ValidationError('Check the referral', [{ field: 'firmId', message: 'Choose an active firm' }]);
      const [lo] = await db.query<{ balance: number }>(
        `select coalesce((select sum(amount_pence) from ledger_entries where account_id = $1 and financial_year = $2), 0)::bigint as balance
           from recovery_steps where account_id = $1 and financial_year = $2 and stage = 'liability_order'`, [accountId, r.financialYear]);
      if (!lo) throw new ConflictError(`Account ${account.reference} has no liability order for that year: it cannot go to an enforcement agent`);
      if (Number(lo.balance) <= 0) throw new ConflictError('Nothing is owed for that year');
      const parties = (await db.query<{ customer_id: number }>('select customer_id from customer_accounts where account_id = $1', [accountId])).map((p) => Number(p.customer_id));
      const checks = await checksFor(accountId, parties, account.warnings);
      const blocks = checks.filter((c) => c.outcome === 'block');
      if (blocks.length) throw new ConflictError(`Cannot refer ${account.reference}: ${blocks.map((b) => b.detail).join('; ')}`);
      const status = checks.some((c) => c.outcome === 'senior') ? 'awaiting_decision' : 'ready';
      return db.transaction(async (tx) => {
        const open = await tx.query(`select 1 from ea_referrals where account_id = $1 and financial_year = $2 and status in ('awaiting_decision', 'ready', 'exported', 'with_agent')`, [accountId, r.financialYear]);
        if (open.length) throw new ConflictError('That year is already referred');
        const id = await repo.insertReferral({ authorityId: account.authority_id, accountId, customerId: account.customer_id, financialYear: r.financialYear, firmId: firm.id, sumPence: Number(lo.balance), checks, status }, actor.userId, tx);
        await events.insert({ authorityId: account.authority_id, customerId: account.customer_id, accountId, type: 'enforcement',
          summary: status === 'ready' ? `Referred to ${firm.name} for ${formatPence(Number(lo.balance))}` : `Referral to ${firm.name} awaits a senior officer’s decision: ${checks.filter((c) => c.outcome === 'senior').map((c) => c.detail).join('; ')}`,
          detail: { referralId: id }, byUserId: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: 'create.ea_referral', entityType: 'ea_referral', entityId: id, authorityId: account.authority_id }, tx);
        return { id, status, checks };
      });
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
