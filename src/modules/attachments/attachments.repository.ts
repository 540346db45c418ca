// Employers, attachment of earnings orders and their remittances: plain SQL.
import type { Db } from '../../db/database.ts';

export interface EmployerRow {
  id: number;
  authority_id: number;
  name: string;
  address_lines: string[];
  payroll_email: string | null;
  payroll_reference: string | null;
}

export interface OrderRow {
  id: number;
  authority_id: number;
  account_id: number;
  account_reference: string;
  customer_id: number;
  customer_name: string;
  employer_id: number;
  employer_name: string;
  works_number: string | null;
  made_on: string;
  pay_period: 'weekly' | 'monthly' | 'daily';
  net_earnings_pence: number;
  deduction_pence: number;
  rate: string;
  table_source: string;
  order_pence: number;
  status: 'active' | 'cleared' | 'ended';
  ended_on: string | null;
  end_reason: string | null;
  document_id: number | null;
  received_pence: number;
}

const RECEIVED = 'coalesce((select sum(r.amount_pence) from attachment_remittances r where r.order_id = o.id), 0)::bigint';
const ORDER_SELECT = `select o.id, o.authority_id, o.account_id, a.reference as account_reference, o.customer_id, c.display_name as customer_name,
    o.employer_id, e.name as employer_name, o.works_number, o.made_on, o.pay_period, o.net_earnings_pence, o.deduction_pence, o.rate,
    o.table_source, o.order_pence, o.status, o.ended_on, o.end_reason, o.document_id,
    ${RECEIVED} as received_pence
  from attachment_orders o join accounts a on a.id = o.account_id join customers c on c.id = o.customer_id join employers e on e.id = o.employer_id`;

/** The monitor's arithmetic over a select of orders: the deductions expected by $2 and the shortfall. */
const monitorOver = (orders: string) => `select x.*, greatest(0, x.expected_pence - x.received_pence)::bigint as shortfall_pence from (
    select o2.*, least(o2.order_pence, o2.deduction_pence * (case o2.pay_period
             when 'weekly' then greatest(0, ($2::date - o2.made_on) / 7)
             when 'daily' then greatest(0, $2::date - o2.made_on)
             else greatest(0, (extract(year from age($2::date, o2.made_on)) * 12 + extract(month from age($2::date, o2.made_on)))::int) end))::bigint as expected_pence
      from (${orders}) o2) x`;
/** Every active order in the authorities ($1) with what is expected by $2 and the shortfall; shared with the work queues. */
export const MONITOR_SELECT = monitorOver(`${ORDER_SELECT} where o.status = 'active' and o.authority_id = any($1::int[])`);
/** The same over the orders alone (no names joined): cheap enough for the work queue to sort every running order by shortfall. */
export const MONITOR_KEYS = monitorOver(`select o.id, o.authority_id, o.status, o.made_on, o.pay_period, o.deduction_pence, o.order_pence, ${RECEIVED} as received_pence
  from attachment_orders o where o.status = 'active' and o.authority_id = any($1::int[])`);

export function createAttachmentsRepository(db: Db) {
  return {
    async insertEmployer(e: { authorityId: number; name: string; addressLines: string[]; payrollEmail: string | null; payrollReference: string | null }, actorId: number | null, tx: Db = db) {
      const [row] = await tx.query<{ id: number }>(
        `insert into employers (authority_id, name, address_lines, payroll_email, payroll_reference, created_by) values ($1, $2, $3, $4, $5, $6) returning id`,
        [e.authorityId, e.name, e.addressLines, e.payrollEmail, e.payrollReference, actorId]);
      return row.id;
    },

    async findEmployer(authorityIds: number[], id: number, tx: Db = db) {
      const [row] = await tx.query<EmployerRow>('select id, authority_id, name, address_lines, payroll_email, payroll_reference from employers where id = $1 and authority_id = any($2::int[])', [id, authorityIds]);
      return row;
    },

    async listEmployers(authorityIds: number[]) {
      return db.query<EmployerRow & { active_orders: number }>(
        `select e.id, e.authority_id, e.name, e.address_lines, e.payroll_email, e.payroll_reference,
                (select count(*) from attachment_orders o where o.employer_id = e.id and o.status = 'active')::int as active_orders
           from employers e where e.authority_id = any($1::int[]) order by e.name limit 1000`, [authorityIds]);
    },

    /** What the liability orders on an account are for: the balance of each year with an order. */
    async liabilityOrderBalance(accountId: number, tx: Db = db) {
      const [row] = await tx.query<{ years: number[]; balance_pence: number }>(
        `select coalesce(array_agg(distinct s.financial_year order by s.financial_year), '{}') as years,
                coalesce((select sum(le.amount_pence) from ledger_entries le
                           where le.account_id = $1 and le.financial_year in (select financial_year from recovery_steps where account_id = $1 and stage = 'liability_order')), 0)::bigint as balance_pence
           from recovery_steps s where s.account_id = $1 and s.stage = 'liability_order'`, [accountId]);
      return { years: row.years.map(Number), balancePence: Number(row.balance_pence) };
    },

    /**
     * Money an attachment brought in (an employer's remittance, a DWP deduction): a ledger payment
     * against the earliest liability-order year still owed (else the earliest such year).
     */
    async postAttachmentPayment(p: { accountId: number; amountPence: number; on: string; source: string; reason: string }, actorId: number | null, tx: Db) {
      const [year] = await tx.query<{ financial_year: number }>(
        `select s.financial_year from recovery_steps s where s.account_id = $1 and s.stage = 'liability_order'
         order by (select coalesce(sum(le.amount_pence), 0) from ledger_entries le where le.account_id = s.account_id and le.financial_year = s.financial_year) <= 0, s.financial_year limit 1`,
        [p.accountId]);
      const [entry] = await tx.query<{ id: number }>(
        `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_by, source, reason)
         values ($1, 'payment', $2, $3, $4, $5, $6, $7) returning id`,
        [p.accountId, -p.amountPence, year.financial_year, p.on, actorId, p.source, p.reason]);
      return entry.id;
    },

    async activeOrdersForCustomer(customerId: number, tx: Db = db) {
      return (await tx.query<{ n: number }>(`select count(*)::int as n from attachment_orders where customer_id = $1 and status = 'active'`, [customerId]))[0].n;
    },

    async insertOrder(o: { authorityId: number; accountId: number; customerId: number; employerId: number; worksNumber: string | null; madeOn: string; payPeriod: string; netEarningsPence: number; deductionPence: number; rate: string; tableSource: string; orderPence: number }, actorId: number | null, tx: Db) {
      const [row] = await tx.query<{ id: number }>(
        `insert into attachment_orders (authority_id, account_id, customer_id, employer_id, works_number, made_on, pay_period, net_earnings_pence, deduction_pence, rate, table_source, order_pence, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id`,
        [o.authorityId, o.accountId, o.customerId, o.employerId, o.worksNumber, o.madeOn, o.payPeriod, o.netEarningsPence, o.deductionPence, o.rate, o.tableSource, o.orderPence, actorId]);
      return row.id;
    },

    async find(authorityIds: number[], id: number, tx: Db = db): Promise<OrderRow | undefined> {
      const [row] = await tx.query<OrderRow>(`${ORDER_SELECT} where o.id = $1 and o.authority_id = any($2::int[])`, [id, authorityIds]);
      return row;
    },

    async setDocument(id: number, documentId: number, tx: Db) {
      await tx.query('update attachment_orders set document_id = $2 where id = $1', [id, documentId]);
    },

    async insertRemittance(orderId: number, r: { receivedOn: string; amountPence: number; ledgerEntryId: number }, actorId: number | null, tx: Db) {
      await tx.query('insert into attachment_remittances (order_id, received_on, amount_pence, ledger_entry_id, created_by) values ($1, $2, $3, $4, $5)',
        [orderId, r.receivedOn, r.amountPence, r.ledgerEntryId, actorId]);
    },

    async remittances(orderId: number) {
      return db.query<{ id: number; received_on: string; amount_pence: number }>('select id, received_on, amount_pence from attachment_remittances where order_id = $1 order by received_on, id', [orderId]);
    },

    async close(id: number, status: 'cleared' | 'ended', on: string, reason: string, tx: Db) {
      await tx.query(`update attachment_orders set status = $2, ended_on = $3, end_reason = $4 where id = $1 and status = 'active'`, [id, status, on, reason]);
    },

    /**
     * Every active order (set-based): the deductions expected by asOf (whole pay periods since the
     * order was made, capped at what the order is for) against what the employer has remitted.
     */
    async monitor(authorityIds: number[], asOf: string, limit: number) {
      return db.query<OrderRow & { expected_pence: number; shortfall_pence: number }>(
        `select * from (${MONITOR_SELECT}) y order by shortfall_pence desc, id limit $3`,
        [authorityIds, asOf, limit]);
    },
  };
}
export type AttachmentsRepository = ReturnType<typeof createAttachmentsRepository>;
