import type { Db } from '../../db/database.ts';
import type { LetterContent } from './letter.ts';

export interface DocumentRow {
  id: number;
  authority_id: number;
  customer_id: number | null;
  account_id: number | null;
  kind: string;
  title: string;
  content: LetterContent;
  batch_run_id: number | null;
  created_at: Date;
}

export interface OutboxRow {
  id: number;
  authority_id: number;
  customer_id: number | null;
  account_id: number | null;
  account_reference: string | null;
  document_id: number | null;
  channel: 'email' | 'sms' | 'letter';
  recipient: string;
  subject: string | null;
  body: string;
  status: string;
  error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export interface NewDocumentRow {
  id: number;
  authorityId: number;
  customerId: number;
  accountId: number | null;
  kind: string;
  title: string;
  content: LetterContent;
  batchRunId: number | null;
  createdBy: number | null;
  createdAt: Date; // from the injected clock, so time-travel tests and replays date letters correctly
}

export function createDocumentsRepository(db: Db) {
  return {
    /** Reserves ids first, so a batch can insert documents, messages and events in three statements. */
    async reserveIds(count: number, tx: Db = db): Promise<number[]> {
      const rows = await tx.query<{ id: number }>(`select nextval('documents_id_seq') as id from generate_series(1, $1)`, [count]);
      return rows.map((r) => r.id);
    },

    async insertDocuments(rows: NewDocumentRow[], tx: Db = db): Promise<void> {
      await tx.query(
        `insert into documents (id, authority_id, customer_id, account_id, kind, title, content, batch_run_id, created_by, created_at)
         select x.id, x.authority_id, x.customer_id, x.account_id, x.kind, x.title, x.content, x.batch_run_id, x.created_by, x.created_at
           from jsonb_to_recordset($1::jsonb) as x(id bigint, authority_id int, customer_id bigint, account_id bigint, kind text,
                title text, content jsonb, batch_run_id bigint, created_by int, created_at timestamptz)`,
        [JSON.stringify(rows.map((r) => ({
          id: r.id, authority_id: r.authorityId, customer_id: r.customerId, account_id: r.accountId, kind: r.kind,
          title: r.title, content: r.content, batch_run_id: r.batchRunId, created_by: r.createdBy, created_at: r.createdAt.toISOString(),
        })))],
      );
    },

    async insertMessages(rows: { authorityId: number; customerId: number; accountId: number | null; documentId: number | null; channel: string; recipient: string; subject: string | null; body: string; status: string }[], tx: Db = db) {
      if (!rows.length) return;
      await tx.query(
        `insert into outbox_messages (authority_id, customer_id, account_id, document_id, channel, recipient, subject, body, status)
         select x.authority_id, x.customer_id, x.account_id, x.document_id, x.channel, x.recipient, x.subject, x.body, x.status
           from jsonb_to_recordset($1::jsonb) as x(authority_id int, customer_id bigint, account_id bigint, document_id bigint,
                channel text, recipient text, subject text, body text, status text)`,
        [JSON.stringify(rows.map((r) => ({
          authority_id: r.authorityId, customer_id: r.customerId, account_id: r.accountId, document_id: r.documentId,
          channel: r.channel, recipient: r.recipient, subject: r.subject, body: r.body, status: r.status,
        })))],
      );
    },

    async findDocument(authorityIds: number[], id: number): Promise<DocumentRow | undefined> {
      const rows = await db.query<DocumentRow>(
        `select id, authority_id, customer_id, account_id, kind, title, content, batch_run_id, created_at
           from documents where id = $2 and authority_id = any($1::int[])`,
        [authorityIds, id],
      );
      return rows[0];
    },

    async documentsForAccount(accountId: number): Promise<Omit<DocumentRow, 'content'>[]> {
      return db.queryPrepared(
        `select id, authority_id, customer_id, account_id, kind, title, batch_run_id, created_at
           from documents where account_id = $1 order by id desc limit 200`,
        [accountId],
      );
    },

    async documentsForBatch(authorityIds: number[], batchRunId: number, afterId: number, limit: number): Promise<DocumentRow[]> {
      return db.query<DocumentRow>(
        `select id, authority_id, customer_id, account_id, kind, title, content, batch_run_id, created_at
           from documents where batch_run_id = $2 and authority_id = any($1::int[]) and id > $3 order by id limit $4`,
        [authorityIds, batchRunId, afterId, limit],
      );
    },

    async outbox(authorityIds: number[], filter: { status?: string; accountId?: number; limit: number }): Promise<OutboxRow[]> {
      return db.query<OutboxRow>(
        `select o.id, o.authority_id, o.customer_id, o.account_id, a.reference as account_reference, o.document_id, o.channel,
                o.recipient, o.subject, o.body, o.status, o.error, o.created_at, o.sent_at
           from outbox_messages o left join accounts a on a.id = o.account_id
          where o.authority_id = any($1::int[]) and ($2::text is null or o.status = $2) and ($3::bigint is null or o.account_id = $3)
          order by o.id desc limit $4`,
        [authorityIds, filter.status ?? null, filter.accountId ?? null, filter.limit],
      );
    },

    async queuedElectronic(limit: number) {
      return db.query<{ id: number; channel: 'email' | 'sms'; recipient: string; subject: string | null; body: string }>(
        `select id, channel, recipient, subject, body from outbox_messages
          where status = 'queued' and channel in ('email', 'sms') order by id limit $1`,
        [limit],
      );
    },

    async markMessage(id: number, result: { status: string; providerId?: string; error?: string }, at: Date) {
      await db.query(
        `update outbox_messages set status = $2, provider_id = $3, error = $4, sent_at = case when $2 = 'sent' then $5::timestamptz else sent_at end
          where id = $1`,
        [id, result.status, result.providerId ?? null, result.error ?? null, at],
      );
    },
  };
}
export type DocumentsRepository = ReturnType<typeof createDocumentsRepository>;
