// Attachments of benefits (DWP deductions) and the deductions received: plain SQL.
import type { Db } from '../../db/database.ts';
import type { BenefitType, UcAllowance } from '../../domain/law/attachment-of-benefits.ts';

export type BenefitAttachmentStatus = 'requested' | 'accepted' | 'rejected' | 'cleared' | 'benefit_ended' | 'withdrawn';

export interface BenefitAttachmentRow {
  id: number;
  authority_id: number;
  account_id: number;
  account_reference: string;
  customer_id: number;
  customer_name: string;
  benefit_type: BenefitType;
  uc_allowance: UcAllowance | null;
  ni_number: string;
  requested_on: string;
  requested_pence: number;
  period: 'weekly' | 'monthly';
  deduction_pence: number;
  rule_source: string;
  status: BenefitAttachmentStatus;
  dwp_reference: string | null;
  decided_on: string | null;
  rejection_reason: string | null;
  first_deduction_on: string | null;
  ended_on: string | null;
  end_reason: string | null;
  document_id: number | null;
  dwp_file: string | null;
  received_pence: number;
}

const SELECT = `select b.id, b.authority_id, b.account_id, a.reference as account_reference, b.customer_id, c.display_name as customer_name,
    b.benefit_type, b.uc_allowance, b.ni_number, b.requested_on, b.requested_pence, b.period, b.deduction_pence, b.rule_source, b.status,
    b.dwp_reference, b.decided_on, b.rejection_reason, b.first_deduction_on, b.ended_on, b.end_reason, b.document_id, b.dwp_file,
    coalesce((select sum(r.amount_pence) from benefit_attachment_receipts r where r.attachment_id = b.id), 0)::bigint as received_pence
  from benefit_attachments b join accounts a on a.id = b.account_id join customers c on c.id = b.customer_id`;

/**
 * Every accepted attachment (set-based), as the AEO monitor does: the deductions expected by $2
 * (whole weeks or months since the first deduction date, capped at what was asked for: DWP pays
 * over in arrears, so a period is expected once it has passed) against what DWP has paid over.
 * $1 is the councils' ids.
 */
const MONITOR = `select x.*, greatest(0, x.expected_pence - x.received_pence)::bigint as shortfall_pence from (
    select b2.*, least(b2.requested_pence, b2.deduction_pence * (case
             when b2.period = 'weekly' then greatest(0, ($2::date - b2.first_deduction_on) / 7)
             else greatest(0, (extract(year from age($2::date, b2.first_deduction_on)) * 12 + extract(month from age($2::date, b2.first_deduction_on)))::int) end))::bigint as expected_pence
      from (${SELECT} where b.status = 'accepted' and b.authority_id = any($1::int[])) b2) x`;

/** One line of the bulk request file: the request with what DWP needs to find the claimant. */
export interface DwpRequestRow {
  id: number;
  ons_code: string;
  account_reference: string;
  ni_number: string;
  surname: string | null;
  forenames: string | null;
  display_name: string;
  date_of_birth: string | null;
  address_lines: string[];
  benefit_type: BenefitType;
  period: 'weekly' | 'monthly';
  deduction_pence: number;
  requested_pence: number;
  requested_on: string;
  lo_years: number[];
}

export function createBenefitAttachmentsRepository(db: Db) {
  return {
    async insert(b: { authorityId: number; accountId: number; customerId: number; benefitType: BenefitType; ucAllowance: UcAllowance | null; niNumber: string; requestedOn: string; requestedPence: number; period: string; deductionPence: number; ruleSource: string }, actorId: number | null, tx: Db) {
      const [row] = await tx.query<{ id: number }>(
        `insert into benefit_attachments (authority_id, account_id, customer_id, benefit_type, uc_allowance, ni_number, requested_on, requested_pence, period, deduction_pence, rule_source, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
        [b.authorityId, b.accountId, b.customerId, b.benefitType, b.ucAllowance, b.niNumber, b.requestedOn, b.requestedPence, b.period, b.deductionPence, b.ruleSource, actorId]);
      return row.id;
    },

    async find(authorityIds: number[], id: number, tx: Db = db): Promise<BenefitAttachmentRow | undefined> {
      const [row] = await tx.query<BenefitAttachmentRow>(`${SELECT} where b.id = $1 and b.authority_id = any($2::int[])`, [id, authorityIds]);
      return row;
    },

    async openForCustomer(customerId: number, tx: Db = db) {
      const [row] = await tx.query<{ id: number }>(`select id from benefit_attachments where customer_id = $1 and status in ('requested', 'accepted')`, [customerId]);
      return row?.id;
    },

    async setDocument(id: number, documentId: number, tx: Db) {
      await tx.query('update benefit_attachments set document_id = $2 where id = $1', [id, documentId]);
    },

    async accept(id: number, d: { decidedOn: string; dwpReference: string | null; period: string; deductionPence: number; firstDeductionOn: string }, tx: Db) {
      await tx.query(
        `update benefit_attachments set status = 'accepted', decided_on = $2, dwp_reference = $3, period = $4, deduction_pence = $5, first_deduction_on = $6
          where id = $1 and status = 'requested'`, [id, d.decidedOn, d.dwpReference, d.period, d.deductionPence, d.firstDeductionOn]);
    },

    async reject(id: number, d: { decidedOn: string; dwpReference: string | null; reason: string }, tx: Db) {
      await tx.query(`update benefit_attachments set status = 'rejected', decided_on = $2, dwp_reference = $3, rejection_reason = $4 where id = $1 and status = 'requested'`,
        [id, d.decidedOn, d.dwpReference, d.reason]);
    },

    async close(id: number, status: 'cleared' | 'benefit_ended' | 'withdrawn', on: string, reason: string, tx: Db) {
      await tx.query(`update benefit_attachments set status = $2, ended_on = $3, end_reason = $4 where id = $1 and status in ('requested', 'accepted')`, [id, status, on, reason]);
    },

    async insertReceipt(attachmentId: number, r: { receivedOn: string; amountPence: number; ledgerEntryId: number }, actorId: number | null, tx: Db) {
      await tx.query('insert into benefit_attachment_receipts (attachment_id, received_on, amount_pence, ledger_entry_id, created_by) values ($1, $2, $3, $4, $5)',
        [attachmentId, r.receivedOn, r.amountPence, r.ledgerEntryId, actorId]);
    },

    async receipts(attachmentId: number) {
      return db.query<{ id: number; received_on: string; amount_pence: number }>('select id, received_on, amount_pence from benefit_attachment_receipts where attachment_id = $1 order by received_on, id', [attachmentId]);
    },

    /**
     * Takes every request not yet in a file (set-based): marks them with the file's name and returns
     * them with the claimant's details. A request marked here is never taken again.
     */
    async takeForDwpFile(authorityIds: number[], file: string, at: Date, tx: Db) {
      return tx.query<DwpRequestRow>(
        `with taken as (
           update benefit_attachments b set dwp_file = $2, dwp_file_at = $3
            where b.status = 'requested' and b.dwp_file is null and b.authority_id = any($1::int[])
           returning b.*)
         select t.id, ba.ons_code, a.reference as account_reference, t.ni_number, c.surname, c.forenames, c.display_name, c.date_of_birth,
                coalesce((select array_remove(array[ca.address_line1, ca.address_line2, ca.town, ca.postcode], null) from customer_addresses ca
                           where ca.customer_id = c.id and ca.to_date is null
                           order by case ca.kind when 'residential' then 0 when 'correspondence' then 1 else 2 end, ca.from_date desc limit 1), '{}') as address_lines,
                t.benefit_type, t.period, t.deduction_pence, t.requested_pence, t.requested_on,
                array(select distinct s.financial_year from recovery_steps s where s.account_id = t.account_id and s.stage = 'liability_order' order by 1) as lo_years
           from taken t join accounts a on a.id = t.account_id join customers c on c.id = t.customer_id join billing_authorities ba on ba.id = t.authority_id
          order by t.id`,
        [authorityIds, file, at]);
    },

    /** Open requests and attachments, newest first; a status narrows it. */
    async list(authorityIds: number[], filter: { statuses: BenefitAttachmentStatus[]; limit: number }) {
      return db.query<BenefitAttachmentRow>(`${SELECT} where b.authority_id = any($1::int[]) and b.status = any($2::text[]) order by b.id desc limit $3`,
        [authorityIds, filter.statuses, filter.limit]);
    },

    /** Every accepted attachment against what DWP has paid over (MONITOR), biggest shortfall first. */
    async monitor(authorityIds: number[], asOf: string, limit: number) {
      return db.query<BenefitAttachmentRow & { expected_pence: number; shortfall_pence: number }>(
        `select * from (${MONITOR}) y order by shortfall_pence desc, id limit $3`,
        [authorityIds, asOf, limit]);
    },

    /** The monitor's figures for the hub: accepted attachments running, and how many are behind (no cap). */
    async monitorCounts(authorityIds: number[], asOf: string) {
      const [row] = await db.query<{ running: string; behind: string }>(
        `select count(*) as running, count(*) filter (where shortfall_pence > 0) as behind from (${MONITOR}) y`,
        [authorityIds, asOf]);
      return { running: Number(row.running), behind: Number(row.behind) };
    },
  };
}
export type BenefitAttachmentsRepository = ReturnType<typeof createBenefitAttachmentsRepository>;
