import type { Db } from '../../db/database.ts';
import type { HoldRecord, HoldType } from '../../domain/recovery/holds.ts';

export interface HoldRow {
  id: number;
  authority_id: number;
  account_id: number | null;
  account_reference: string | null;
  customer_id: number | null;
  /** The customer the hold is about: the customer, or the account's lead customer. */
  subject_customer_id: number;
  subject_name: string;
  subject_warning: string | null;
  type: HoldType;
  reason: string;
  reference: string | null;
  starts_on: string;
  expires_on: string | null;
  review_on: string | null;
  ended_on: string | null;
  end_reason: string | null;
  decided_by_name: string | null;
  created_at: Date;
}

export interface HoldReviewRow {
  id: number;
  reviewed_on: string;
  note: string;
  next_review_on: string | null;
  reviewed_by_name: string | null;
  created_at: Date;
}

export interface NewHold {
  authorityId: number;
  accountId: number | null;
  customerId: number | null;
  type: HoldType;
  reason: string;
  reference: string | null;
  startsOn: string;
  expiresOn: string | null;
  reviewOn: string | null;
  decidedBy: number | null;
}

const HOLD_COLUMNS = `h.id, h.authority_id, h.account_id, a.reference as account_reference, h.customer_id,
  coalesce(h.customer_id, a.customer_id) as subject_customer_id, c.display_name as subject_name, c.warning as subject_warning,
  h.type, h.reason, h.reference, h.starts_on, h.expires_on, h.review_on, h.ended_on, h.end_reason,
  u.display_name as decided_by_name, h.created_at`;
const HOLD_FROM = `holds h left join accounts a on a.id = h.account_id
  join customers c on c.id = coalesce(h.customer_id, a.customer_id) left join users u on u.id = h.decided_by`;

export function toHoldRecord(row: Pick<HoldRow, 'id' | 'type' | 'reason' | 'starts_on' | 'expires_on' | 'ended_on' | 'review_on' | 'customer_id'>): HoldRecord {
  return {
    id: row.id, type: row.type, reason: row.reason, startsOn: row.starts_on, expiresOn: row.expires_on, endedOn: row.ended_on,
    reviewOn: row.review_on, on: row.customer_id ? 'customer' : 'account',
  };
}

export function createHoldsRepository(db: Db) {
  return {
    /** Tells the daily run to look at these accounts' recovery cases again from a date (they resume). */
    async wakeRecoveryCases(accountIds: number[], on: string, tx: Db = db): Promise<void> {
      if (!accountIds.length) return;
      await tx.query(
        `update recovery_cases set review_on = case when review_on is null or review_on > $2 then $2::date else review_on end
          where account_id = any($1::bigint[])`,
        [accountIds, on],
      );
    },

    async insert(hold: NewHold, actorId: number | null, tx: Db = db): Promise<number> {
      const [row] = await tx.query<{ id: number }>(
        `insert into holds (authority_id, account_id, customer_id, type, reason, reference, starts_on, expires_on, review_on, decided_by, created_by, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) returning id`,
        [hold.authorityId, hold.accountId, hold.customerId, hold.type, hold.reason, hold.reference, hold.startsOn, hold.expiresOn, hold.reviewOn, hold.decidedBy, actorId],
      );
      return row.id;
    },

    async find(authorityIds: number[], id: number, tx: Db = db): Promise<HoldRow | undefined> {
      const rows = await tx.query<HoldRow>(`select ${HOLD_COLUMNS} from ${HOLD_FROM} where h.id = $2 and h.authority_id = any($1::int[])`, [authorityIds, id]);
      return rows[0];
    },

    /** Holds on the account itself and on anyone liable on it. */
    async forAccount(accountId: number): Promise<HoldRow[]> {
      return db.queryPrepared<HoldRow>(
        `select ${HOLD_COLUMNS} from ${HOLD_FROM}
          where h.account_id = $1 or h.customer_id in (select customer_id from customer_accounts where account_id = $1)
          order by h.ended_on is null desc, h.starts_on desc, h.id desc`,
        [accountId],
      );
    },

    /** Holds on the customer and on any account they are liable on. */
    async forCustomer(customerId: number): Promise<HoldRow[]> {
      return db.queryPrepared<HoldRow>(
        `select ${HOLD_COLUMNS} from ${HOLD_FROM}
          where h.customer_id = $1 or h.account_id in (select account_id from customer_accounts where customer_id = $1)
          order by h.ended_on is null desc, h.starts_on desc, h.id desc`,
        [customerId],
      );
    },

    async list(authorityIds: number[], filter: { state: 'open' | 'review_due' | 'ended'; today: string; limit: number }): Promise<HoldRow[]> {
      const where = filter.state === 'ended'
        ? `(h.ended_on is not null and h.ended_on <= $2) or (h.expires_on is not null and h.expires_on < $2)`
        : filter.state === 'review_due'
          ? `h.ended_on is null and (h.expires_on is null or h.expires_on >= $2) and h.review_on <= $2`
          : `(h.ended_on is null or h.ended_on > $2) and (h.expires_on is null or h.expires_on >= $2)`;
      return db.query<HoldRow>(
        `select ${HOLD_COLUMNS} from ${HOLD_FROM} where h.authority_id = any($1::int[]) and (${where})
          order by h.review_on nulls last, h.starts_on desc, h.id desc limit $3`,
        [authorityIds, filter.today, filter.limit],
      );
    },

    async reviews(holdId: number): Promise<HoldReviewRow[]> {
      return db.query<HoldReviewRow>(
        `select r.id, r.reviewed_on, r.note, r.next_review_on, u.display_name as reviewed_by_name, r.created_at
           from hold_reviews r left join users u on u.id = r.reviewed_by where r.hold_id = $1 order by r.id desc`,
        [holdId],
      );
    },

    async addReview(holdId: number, review: { reviewedOn: string; note: string; nextReviewOn: string | null }, actorId: number | null, tx: Db) {
      await tx.query(`insert into hold_reviews (hold_id, reviewed_on, note, next_review_on, reviewed_by) values ($1, $2, $3, $4, $5)`,
        [holdId, review.reviewedOn, review.note, review.nextReviewOn, actorId]);
      await tx.query(`update holds set review_on = $2, updated_at = now(), updated_by = $3 where id = $1`, [holdId, review.nextReviewOn, actorId]);
    },

    async end(holdId: number, end: { endedOn: string | null; expiresOn: string | null; reason: string }, actorId: number | null, tx: Db) {
      await tx.query(
        `update holds set ended_on = coalesce($2, ended_on), expires_on = coalesce($3, expires_on), end_reason = $4, updated_at = now(), updated_by = $5 where id = $1`,
        [holdId, end.endedOn, end.expiresOn, end.reason, actorId],
      );
    },

    /** Accounts a hold covers: the account, or every account the customer is liable on. */
    async coveredAccounts(hold: { account_id: number | null; customer_id: number | null }, tx: Db = db): Promise<number[]> {
      if (hold.account_id) return [hold.account_id];
      const rows = await tx.query<{ account_id: number }>('select account_id from customer_accounts where customer_id = $1', [hold.customer_id]);
      return rows.map((r) => r.account_id);
    },

    /** Every hold (past and present) on each account or anyone liable on it: one query for a batch. */
    async forAccounts(accountIds: number[], tx: Db = db): Promise<Map<number, HoldRecord[]>> {
      const map = new Map<number, HoldRecord[]>();
      if (!accountIds.length) return map;
      const rows = await tx.query<Pick<HoldRow, 'id' | 'type' | 'reason' | 'starts_on' | 'expires_on' | 'ended_on' | 'review_on' | 'customer_id'> & { covered_account_id: number }>(
        `select x.covered_account_id, h.id, h.type, h.reason, h.starts_on, h.expires_on, h.ended_on, h.review_on, h.customer_id
           from (select h.id, h.account_id as covered_account_id from holds h where h.account_id = any($1::bigint[])
                 union
                 select h.id, ca.account_id from holds h join customer_accounts ca on ca.customer_id = h.customer_id
                  where h.customer_id is not null and ca.account_id = any($1::bigint[])) x
           join holds h on h.id = x.id`,
        [accountIds],
      );
      for (const row of rows) {
        const list = map.get(row.covered_account_id) ?? [];
        list.push(toHoldRecord(row));
        map.set(row.covered_account_id, list);
      }
      return map;
    },
  };
}
export type HoldsRepository = ReturnType<typeof createHoldsRepository>;
// The work queues (src/modules/work-queues) page these with the assignee added.
export { HOLD_COLUMNS, HOLD_FROM };
