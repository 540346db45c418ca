import type { Db } from '../../db/database.ts';

export interface EventRow {
  id: number;
  account_id: number | null;
  account_reference: string | null;
  at: Date;
  type: string;
  summary: string;
  detail: Record<string, unknown> | null;
  by_name: string | null;
}

export interface NewEvent {
  authorityId: number;
  customerId: number;
  accountId: number | null;
  type: string;
  summary: string;
  detail?: Record<string, unknown>;
  byUserId: number | null;
  bySystem?: string;
  at: Date;
}

const EVENT_COLUMNS = `e.id, e.account_id, a.reference as account_reference, e.at, e.type, e.summary, e.detail,
  coalesce(u.display_name, e.by_system) as by_name`;

export function createEventsRepository(db: Db) {
  return {
    async insert(event: NewEvent, tx: Db = db): Promise<number> {
      const [row] = await tx.query<{ id: number }>(
        `insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_user_id, by_system)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
        [
          event.authorityId,
          event.customerId,
          event.accountId,
          event.at,
          event.type,
          event.summary,
          event.detail ? JSON.stringify(event.detail) : null,
          event.byUserId,
          event.bySystem ?? null,
        ],
      );
      return row.id;
    },

    async forAccount(accountId: number, limit: number): Promise<EventRow[]> {
      return db.queryPrepared<EventRow>(
        `select ${EVENT_COLUMNS} from events e
           left join accounts a on a.id = e.account_id left join users u on u.id = e.by_user_id
          where e.account_id = $1 order by e.at desc, e.id desc limit $2`,
        [accountId, limit],
      );
    },

    async forCustomer(customerId: number, limit: number): Promise<EventRow[]> {
      return db.queryPrepared<EventRow>(
        `select ${EVENT_COLUMNS} from events e
           left join accounts a on a.id = e.account_id left join users u on u.id = e.by_user_id
          where e.customer_id = $1 order by e.at desc, e.id desc limit $2`,
        [customerId, limit],
      );
    },
  };
}
export type EventsRepository = ReturnType<typeof createEventsRepository>;
