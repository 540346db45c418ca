// Issuing letters: the document (as data), the messages that carry it (a printed letter always; an
// email too when the customer opted in), and an event on the account's history. Batches issue many
// at once in a few statements; officers reprint any document from the account page.
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { NotFoundError } from '../../errors.ts';
import type { Notifier } from '../../integrations/notify/notify.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { DocumentsRepository } from './documents.repository.ts';
import { letterAsText, renderLetterPdf, renderPrintFile, type LetterContent } from './letter.ts';

export interface LetterToIssue {
  authorityId: number;
  customerId: number;
  accountId: number | null;
  kind: string;
  title: string;
  content: LetterContent;
  /** Set when the customer has opted in to email: the letter is also sent there. */
  email?: string | null;
}

export interface IssueOptions {
  actor: Actor | null; // null when a batch issues the letters
  bySystem?: string; // the batch, e.g. 'billing-run:12'
  batchRunId?: number | null;
  tx?: Db;
}

export function createDocumentsService(deps: { db: Db; clock: Clock; repo: DocumentsRepository; audit: AuditRepository; notifier: Notifier }) {
  const { db, clock, repo, audit, notifier } = deps;

  async function issueLetters(letters: LetterToIssue[], options: IssueOptions): Promise<number[]> {
    if (!letters.length) return [];
    const work = async (tx: Db) => {
      const ids = await repo.reserveIds(letters.length, tx);
      const createdBy = options.actor?.userId ?? null;
      const createdAt = clock.now();
      await repo.insertDocuments(letters.map((l, i) => ({ ...l, id: ids[i], batchRunId: options.batchRunId ?? null, createdBy, createdAt })), tx);
      const messages = letters.flatMap((l, i) => {
        const base = { authorityId: l.authorityId, customerId: l.customerId, accountId: l.accountId, documentId: ids[i], subject: l.title };
        const letter = { ...base, channel: 'letter', recipient: [l.content.to.name, ...l.content.to.addressLines].join(', '), body: letterAsText(l.content), status: 'queued' };
        return l.email ? [letter, { ...base, channel: 'email', recipient: l.email, body: letterAsText(l.content), status: 'queued' }] : [letter];
      });
      await repo.insertMessages(messages, tx);
      await tx.query(
        `insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_user_id, by_system)
         select x.authority_id, x.customer_id, x.account_id, $2, 'document', x.title || ' issued',
                jsonb_build_object('documentId', x.id, 'kind', x.kind), $3, $4
           from jsonb_to_recordset($1::jsonb) as x(id bigint, authority_id int, customer_id bigint, account_id bigint, kind text, title text)`,
        [JSON.stringify(letters.map((l, i) => ({ id: ids[i], authority_id: l.authorityId, customer_id: l.customerId, account_id: l.accountId, kind: l.kind, title: l.title }))),
          createdAt, createdBy, options.bySystem ?? null],
      );
      if (options.actor) {
        for (const [i, l] of letters.entries()) {
          await audit.record(options.actor, { action: `create.document.${l.kind}`, entityType: 'document', entityId: ids[i], authorityId: l.authorityId }, tx);
        }
      }
      return ids;
    };
    return options.tx ? work(options.tx) : db.transaction(work);
  }

  return {
    issueLetters,

    async issueLetter(letter: LetterToIssue, options: IssueOptions): Promise<number> {
      const [id] = await issueLetters([letter], options);
      return id;
    },

    async renderPdf(actor: Actor, documentId: number): Promise<{ filename: string; pdf: Buffer; document: { title: string; accountId: number | null } }> {
      requirePermission(actor, 'cases.view');
      const document = await repo.findDocument(actor.authorityIds, documentId);
      if (!document) throw new NotFoundError(`Document ${documentId} was not found`);
      await audit.record(actor, { action: 'view.document', entityType: 'document', entityId: documentId, authorityId: document.authority_id });
      const pdf = await renderLetterPdf(document.content);
      const filename = `${document.kind}-${document.content.reference}-${document.id}.pdf`.replace(/[^A-Za-z0-9._-]/g, '_');
      return { filename, pdf, document: { title: document.title, accountId: document.account_id } };
    },

    /** The print file for a run: every letter the run issued, in order, one PDF. */
    async printFile(actor: Actor, batchRunId: number): Promise<Buffer> {
      requirePermission(actor, 'cases.view');
      const letters: LetterContent[] = [];
      let after = 0;
      for (;;) {
        const page = await repo.documentsForBatch(actor.authorityIds, batchRunId, after, 1000);
        if (!page.length) break;
        letters.push(...page.map((d) => d.content));
        after = page[page.length - 1].id;
      }
      if (!letters.length) throw new NotFoundError(`Run ${batchRunId} issued no letters you can see`);
      await audit.record(actor, { action: 'view.print_file', entityType: 'batch_run', entityId: batchRunId });
      return renderPrintFile(`Print file for run ${batchRunId}`, letters);
    },

    async documentsForAccount(actor: Actor, accountId: number) {
      requirePermission(actor, 'cases.view');
      return repo.documentsForAccount(accountId);
    },

    async outbox(actor: Actor, filter: { status?: string; accountId?: number; limit?: number }) {
      requirePermission(actor, 'cases.view');
      return repo.outbox(actor.authorityIds, { ...filter, limit: Math.min(filter.limit ?? 100, 500) });
    },

    /** Sends queued emails and texts through GOV.UK Notify, or holds them locally when it is not configured. */
    async deliverQueued(limit = 500): Promise<{ sent: number; held: number; failed: number }> {
      const counts = { sent: 0, held: 0, failed: 0 };
      for (const message of await repo.queuedElectronic(limit)) {
        const result = await notifier.send({ ...message, reference: `levy-outbox-${message.id}` });
        await repo.markMessage(message.id, result, clock.now());
        if (result.status === 'sent') counts.sent++;
        else if (result.status === 'held_locally') counts.held++;
        else counts.failed++;
      }
      return counts;
    },

    notifierIsLive: () => notifier.live,
  };
}
export type DocumentsService = ReturnType<typeof createDocumentsService>;

/** The council's letterhead, from its billing authority row. */
export async function letterheadFor(db: Db, authorityId: number): Promise<LetterContent['from']> {
  const [row] = await db.query<{ name: string; department: string; letter_address: string[]; phone: string | null; email: string | null; website: string | null }>(
    'select name, department, letter_address, phone, email, website from billing_authorities where id = $1', [authorityId]);
  if (!row) throw new NotFoundError(`Billing authority ${authorityId} was not found`);
  return { name: row.name.endsWith('Council') ? row.name : `${row.name} Council`, department: row.department, addressLines: row.letter_address, phone: row.phone, email: row.email, website: row.website };
}
