// Direct Debit: mandates (set up by an officer on a call, or by the resident online), AUDDIS
// lodgement (0N new, 0S converted paper instruction, 0C cancel), advance notices of amounts and
// dates, the collection run (a Bacs Standard 18 file per collection date: 01 first, 17 regular,
// 18 re-presentation, 19 final), and the Bacs reports coming back: ARUDD (unpaid: the payment is
// reversed, the instalment is then unpaid, the customer is told, recovery picks the account up) and
// ADDACS (the payer's bank cancelled or amended the instruction).
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { addWorkingDays, financialYearOf, isWorkingDay, nextWorkingDayOnOrAfter } from '../../domain/calendar.ts';
import { formatPence } from '../../domain/money.ts';
import { ConflictError, NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import { checkBankDetails } from '../../integrations/bacs/bank-details.ts';
import { parseAddacs, parseArudd } from '../../integrations/bacs/reports.ts';
import { writeStandard18, type Standard18Record } from '../../integrations/bacs/standard18.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import { letterheadFor, type DocumentsService } from '../documents/documents.service.ts';
import type { LetterBlock } from '../documents/letter.ts';
import type { ImportsRepository } from '../payments/imports.repository.ts';
import { hashSource, reportOf, type FileSource } from '../payments/payments.service.ts';
import type { ReceiptsRepository } from '../payments/receipts.repository.ts';
import { paymentSettings } from '../payments/settings.ts';

export const mandateSchema = z.object({
  payerName: z.string().trim().min(2, 'Enter the account holder’s name').max(60),
  sortCode: z.string().trim(),
  accountNumber: z.string().trim(),
  collectionDay: z.coerce.number().int('Choose a collection day'),
  setUpBy: z.enum(['officer', 'online', 'paper']).default('officer'),
});

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a date as YYYY-MM-DD');

export interface MandateRow {
  id: number;
  authority_id: number;
  account_id: number;
  account_reference: string;
  customer_name: string;
  reference: string;
  payer_name: string;
  sort_code: string;
  account_number: string;
  collection_day: number;
  set_up_by: string;
  status: string;
  lodgement_code: string;
  cancel_requested: boolean;
  cancelled_reason: string | null;
  created_at: Date;
}

function parse<T>(schema: z.ZodType<T>, input: unknown, message: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(message, fieldProblemsFromZod(parsed.error.issues));
  return parsed.data;
}

const ending = (accountNumber: string) => `account ending ${accountNumber.slice(-4)}`;

export function createDirectDebitService(deps: {
  db: Db; clock: Clock; events: EventsRepository; audit: AuditRepository; receipts: ReceiptsRepository; imports: ImportsRepository; documents: DocumentsService;
}) {
  const { db, clock, events, audit, receipts, imports, documents } = deps;
  const ctxFor = (actor: Actor) => ({ now: clock.now(), userId: actor.userId, bySystem: null, currentYear: financialYearOf(clock.today()).startYear });

  function authorityFor(actor: Actor, authorityId?: number) {
    const id = authorityId ?? (actor.authorityIds.length === 1 ? actor.authorityIds[0] : undefined);
    if (id === undefined) throw new ValidationError('Choose the billing authority', [{ field: 'authorityId', message: 'Choose the billing authority' }]);
    if (!actor.authorityIds.includes(id)) throw new NotFoundError(`Billing authority ${id} was not found`);
    return id;
  }

  async function event(tx: Db, actor: Actor | null, accountId: number, summary: string, detail: Record<string, unknown>, bySystem?: string) {
    const [a] = await tx.query<{ authority_id: number; customer_id: number }>('select authority_id, customer_id from accounts where id = $1', [accountId]);
    await events.insert({ authorityId: a.authority_id, customerId: a.customer_id, accountId, type: 'direct_debit', summary, detail, byUserId: actor?.userId ?? null, bySystem, at: clock.now() }, tx);
  }

  /** A letter to the account's lead customer at their current correspondence address. */
  async function letterTo(tx: Db, accountId: number, kind: string, title: string, blocks: LetterBlock[], actor: Actor | null, bySystem: string) {
    const [a] = await tx.query<{ authority_id: number; customer_id: number; reference: string; name: string; email: string | null; notify_by_email: boolean; lines: string[] | null }>(
      `select a.authority_id, a.customer_id, a.reference, c.display_name as name, c.email, c.notify_by_email,
              (select array_remove(array[ca.address_line1, ca.address_line2, ca.town, ca.postcode], null) from customer_addresses ca
                where ca.customer_id = c.id and ca.to_date is null order by (ca.kind = 'correspondence') desc, ca.from_date desc limit 1) as lines
         from accounts a join customers c on c.id = a.customer_id where a.id = $1`, [accountId]);
    await documents.issueLetters([{
      authorityId: a.authority_id, customerId: a.customer_id, accountId, kind, title, email: a.notify_by_email ? a.email : null,
      content: { from: await letterheadFor(tx, a.authority_id), to: { name: a.name, addressLines: a.lines ?? [] }, date: clock.today(), reference: a.reference, title, blocks },
    }], { actor, bySystem, tx });
  }

  async function findMandate(actor: Actor, id: number, tx: Db = db): Promise<MandateRow> {
    const rows = await tx.query<MandateRow>(
      `select m.*, a.reference as account_reference, c.display_name as customer_name from dd_mandates m join accounts a on a.id = m.account_id
         join customers c on c.id = a.customer_id where m.id = $2 and m.authority_id = any($1::int[])`, [actor.authorityIds, id]);
    if (!rows[0]) throw new NotFoundError(`Direct Debit instruction ${id} was not found`);
    return rows[0];
  }

  async function storeBacsFile(tx: Db, actor: Actor, input: { authorityId: number; kind: 'auddis' | 'collection'; processingDate: string; name: string; text: string; count: number; total: number }) {
    const [file] = await tx.query<{ id: number }>(
      `insert into bacs_files (authority_id, kind, processing_date, file_name, content, record_count, total_pence, created_at, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
      [input.authorityId, input.kind, input.processingDate, input.name, input.text, input.count, input.total, clock.now(), actor.userId]);
    await audit.record(actor, { action: `create.bacs_file.${input.kind}`, entityType: 'bacs_file', entityId: file.id, authorityId: input.authorityId, detail: { records: input.count, totalPence: input.total } }, tx);
    return file.id;
  }

  /** Lines of a Bacs report import: processed items are 'matched', the rest exceptions with the reason. */
  async function reportImport(actor: Actor, source: FileSource, format: 'arudd' | 'addacs', authorityId: number) {
    const hash = await hashSource(source);
    const { id, created } = await imports.create({ authorityId, format, fileName: source.name, hash, mappingName: null, userId: actor.userId, now: clock.now() });
    return { id, created };
  }

  return {
    findMandate,

    async createMandate(actor: Actor, accountId: number, input: unknown) {
      requirePermission(actor, 'direct_debit.manage');
      const data = parse(mandateSchema, input, 'Check the Direct Debit details');
      const bank = checkBankDetails(data.sortCode, data.accountNumber);
      if (!bank.valid) throw new ValidationError('Check the bank details', bank.problems);
      return db.transaction(async (tx) => {
        const [account] = await tx.query<{ id: number; authority_id: number; reference: string }>(
          'select id, authority_id, reference from accounts where id = $1 and authority_id = any($2::int[])', [accountId, actor.authorityIds]);
        if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
        const settings = await paymentSettings(tx, account.authority_id);
        if (!settings.dd_collection_days.includes(data.collectionDay)) {
          throw new ValidationError('Choose one of the council’s collection days', [{ field: 'collectionDay', message: `Collection day must be one of ${settings.dd_collection_days.join(', ')}` }]);
        }
        const live = await tx.query('select 1 from dd_mandates where account_id = $1 and status <> $2', [accountId, 'cancelled']);
        if (live.length) throw new ConflictError(`Account ${account.reference} already has a Direct Debit instruction: cancel it first`);
        const [m] = await tx.query<{ id: number }>(
          `insert into dd_mandates (authority_id, account_id, reference, payer_name, sort_code, account_number, collection_day, set_up_by, status, lodgement_code, created_at, created_by, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11, $10) returning id`,
          [account.authority_id, accountId, account.reference, data.payerName, bank.sortCode, bank.accountNumber, data.collectionDay, data.setUpBy,
            data.setUpBy === 'paper' ? '0S' : '0N', clock.now(), actor.userId]);
        await tx.query(`update accounts set payment_method = 'direct_debit', updated_at = $2 where id = $1`, [accountId, clock.now()]);
        const how = data.setUpBy === 'online' ? 'online by the resident' : data.setUpBy === 'paper' ? 'from a paper instruction' : 'by phone with an officer';
        await event(tx, actor, accountId, `Direct Debit set up ${how}: collections on day ${data.collectionDay} from ${ending(bank.accountNumber)}`, { mandateId: m.id });
        await audit.record(actor, { action: 'create.dd_mandate', entityType: 'dd_mandate', entityId: m.id, authorityId: account.authority_id }, tx);
        return { mandateId: m.id };
      });
    },

    async cancelMandate(actor: Actor, mandateId: number, input: unknown) {
      requirePermission(actor, 'direct_debit.manage');
      const { reason } = parse(z.object({ reason: z.string().trim().min(3, 'Give the reason') }), input, 'Check the cancellation');
      return db.transaction(async (tx) => {
        const m = await findMandate(actor, mandateId, tx);
        if (m.status === 'cancelled') throw new ConflictError('This instruction is already cancelled');
        // lodged instructions are cancelled with Bacs too (0C in the next AUDDIS file)
        await tx.query(`update dd_mandates set status = 'cancelled', cancel_requested = $2, cancelled_reason = $3, updated_at = $4 where id = $1`,
          [mandateId, m.status !== 'pending', reason, clock.now()]);
        await tx.query(`update accounts set payment_method = 'cash', updated_at = $2 where id = $1`, [m.account_id, clock.now()]);
        await event(tx, actor, m.account_id, `Direct Debit cancelled: ${reason}`, { mandateId });
        await audit.record(actor, { action: 'update.dd_mandate.cancel', entityType: 'dd_mandate', entityId: mandateId, authorityId: m.authority_id }, tx);
      });
    },

    async listMandates(actor: Actor, status?: string) {
      requirePermission(actor, 'payments.view');
      return db.query<MandateRow>(
        `select m.*, a.reference as account_reference, c.display_name as customer_name from dd_mandates m join accounts a on a.id = m.account_id
           join customers c on c.id = a.customer_id where m.authority_id = any($1::int[]) and ($2::text is null or m.status = $2)
          order by m.created_at desc, m.id desc limit 500`, [actor.authorityIds, status ?? null]);
    },

    /** The AUDDIS lodgement file: new (0N) and converted (0S) instructions, and cancellations (0C). */
    async lodgeInstructions(actor: Actor, input: { processingDate: string; authorityId?: number }) {
      requirePermission(actor, 'direct_debit.run');
      const processingDate = parse(isoDate, input.processingDate, 'Check the processing date');
      const authorityId = authorityFor(actor, input.authorityId);
      return db.transaction(async (tx) => {
        const settings = await paymentSettings(tx, authorityId);
        await tx.query('select id from dd_mandates where authority_id = $1 and (auddis_file_id is null or cancel_file_id is null) for update', [authorityId]);
        const toLodge = await tx.query<{ id: number; account_id: number; reference: string; payer_name: string; sort_code: string; account_number: string; code: '0N' | '0S' | '0C' }>(
          `select id, account_id, reference, payer_name, sort_code, account_number, lodgement_code as code from dd_mandates
            where authority_id = $1 and status = 'pending' and auddis_file_id is null
           union all
           select id, account_id, reference, payer_name, sort_code, account_number, '0C' from dd_mandates
            where authority_id = $1 and status = 'cancelled' and cancel_requested and cancel_file_id is null
           order by 1`, [authorityId]);
        if (!toLodge.length) throw new ConflictError('There are no instructions to lodge or cancel');
        const [{ n }] = await tx.query<{ n: number }>('select count(*)::int + 1 as n from bacs_files where authority_id = $1', [authorityId]);
        const { text } = writeStandard18({
          serviceUserNumber: settings.bacs_service_user_number, serviceUserName: settings.bacs_service_user_name,
          originSortCode: settings.bank_sort_code, originAccountNumber: settings.bank_account_number,
          processingDate, creationDate: clock.today(), fileNumber: n,
          records: toLodge.map((m) => ({ sortCode: m.sort_code, accountNumber: m.account_number, transactionCode: m.code, amountPence: 0, reference: m.reference, accountName: m.payer_name })),
        });
        const fileId = await storeBacsFile(tx, actor, { authorityId, kind: 'auddis', processingDate, name: `auddis-${processingDate}-${n}.txt`, text, count: toLodge.length, total: 0 });
        const lodged = toLodge.filter((m) => m.code !== '0C').map((m) => m.id);
        const cancelled = toLodge.filter((m) => m.code === '0C').map((m) => m.id);
        await tx.query(`update dd_mandates set status = 'active', auddis_file_id = $2, updated_at = $3 where id = any($1::bigint[])`, [lodged, fileId, clock.now()]);
        await tx.query(`update dd_mandates set cancel_file_id = $2, updated_at = $3 where id = any($1::bigint[])`, [cancelled, fileId, clock.now()]);
        for (const m of toLodge) await event(tx, actor, m.account_id, m.code === '0C' ? 'Direct Debit cancellation lodged with Bacs (AUDDIS 0C)' : `Direct Debit instruction lodged with Bacs (AUDDIS ${m.code})`, { mandateId: m.id, bacsFileId: fileId }, `auddis:${fileId}`);
        return { fileId, lodged: lodged.length, cancelled: cancelled.length };
      });
    },

    /**
     * Advance notices for active instructions whose account has a current instalment plan not yet
     * notified: the dates and amounts to be collected, as a letter and an event.
     */
    async sendAdvanceNotices(actor: Actor, input: { asOf?: string; authorityId?: number } = {}) {
      requirePermission(actor, 'direct_debit.run');
      const authorityId = authorityFor(actor, input.authorityId);
      const asOf = input.asOf ?? clock.today();
      return db.transaction(async (tx) => {
        const due = await tx.query<{ mandate_id: number; account_id: number; plan_id: number; financial_year: number; schedule: { dueDate: string; amountPence: number }[] }>(
          `select m.id as mandate_id, m.account_id, ip.id as plan_id, ip.financial_year,
                  (select json_agg(json_build_object('dueDate', i.due_date, 'amountPence', i.amount_pence) order by i.seq)
                     from instalments i where i.plan_id = ip.id and i.due_date >= $2) as schedule
             from dd_mandates m join instalment_plans ip on ip.account_id = m.account_id and ip.superseded_at is null
            where m.authority_id = $1 and m.status = 'active'
              and exists (select 1 from instalments i where i.plan_id = ip.id and i.due_date >= $2)
              and not exists (select 1 from dd_advance_notices n where n.mandate_id = m.id and n.plan_id = ip.id)`, [authorityId, asOf]);
        for (const d of due) {
          await tx.query('insert into dd_advance_notices (mandate_id, plan_id, sent_on, schedule) values ($1, $2, $3, $4)', [d.mandate_id, d.plan_id, asOf, JSON.stringify(d.schedule)]);
          const first = d.schedule[0];
          const summary = `Advance notice of Direct Debit: ${d.schedule.length} collection${d.schedule.length === 1 ? '' : 's'} from ${first.dueDate}, first ${formatPence(first.amountPence)}`;
          await event(tx, actor, d.account_id, summary, { mandateId: d.mandate_id, planId: d.plan_id, schedule: d.schedule }, 'dd-advance-notice');
          await letterTo(tx, d.account_id, 'dd_advance_notice', 'Your Direct Debit payments', [
            { type: 'paragraph', text: `We will collect these amounts by Direct Debit for ${d.financial_year}/${String((d.financial_year + 1) % 100).padStart(2, '0')}. If a date falls on a weekend or bank holiday, we collect on the next working day.` },
            { type: 'table', columns: ['Date', 'Amount'], rows: d.schedule.map((s) => [s.dueDate, formatPence(s.amountPence)]), numericColumns: [1] },
          ], actor, 'dd-advance-notice');
        }
        return { notices: due.length };
      });
    },

    /**
     * The collection run for one date: every active instruction whose current plan has an instalment
     * due then (and whose advance notice was given in time), plus re-presentations when asked.
     * Each collection is posted as a payment to its instalment's year on the collection date;
     * the Bacs file carries them all. Running the same date again adds nothing.
     */
    async runCollections(actor: Actor, input: { collectionDate: string; authorityId?: number; represent?: boolean }) {
      requirePermission(actor, 'direct_debit.run');
      const collectionDate = parse(isoDate, input.collectionDate, 'Check the collection date');
      if (!isWorkingDay(collectionDate)) throw new ValidationError(`${collectionDate} is not a working day: collect on ${nextWorkingDayOnOrAfter(collectionDate)}`, [{ field: 'collectionDate', message: 'Choose a working day' }]);
      const authorityId = authorityFor(actor, input.authorityId);
      return db.transaction(async (tx) => {
        if (tx.kind === 'postgres') await tx.query('select pg_advisory_xact_lock(7275005, $1)', [authorityId]);
        const settings = await paymentSettings(tx, authorityId);
        // instalments due on this date, or on a weekend/holiday just before it (collected on the next working day)
        let from = collectionDate;
        while (true) {
          const prev = new Date(`${from}T00:00:00Z`);
          prev.setUTCDate(prev.getUTCDate() - 1);
          const p = prev.toISOString().slice(0, 10);
          if (isWorkingDay(p)) break;
          from = p;
        }
        const noticeBy = addWorkingDays(collectionDate, -settings.dd_advance_notice_working_days);
        const candidates = await tx.query<{ mandate_id: number; account_id: number; financial_year: number; amount: number; seq: number; last_seq: number; first: boolean; notified: boolean; payer_name: string; sort_code: string; account_number: string; reference: string; owed: number }>(
          `select m.id as mandate_id, m.account_id, ip.financial_year, i.amount_pence as amount, i.seq,
                  (select max(seq) from instalments x where x.plan_id = ip.id) as last_seq,
                  not exists (select 1 from dd_collections c where c.mandate_id = m.id) as first,
                  exists (select 1 from dd_advance_notices n where n.mandate_id = m.id and n.plan_id = ip.id and n.sent_on <= $4) as notified,
                  m.payer_name, m.sort_code, m.account_number, m.reference,
                  (select coalesce(sum(l.amount_pence), 0) from ledger_entries l where l.account_id = m.account_id and l.financial_year = ip.financial_year)::bigint as owed
             from dd_mandates m
             join instalment_plans ip on ip.account_id = m.account_id and ip.superseded_at is null
             join instalments i on i.plan_id = ip.id and i.due_date between $2 and $3
            where m.authority_id = $1 and m.status = 'active'
              and not exists (select 1 from dd_collections c where c.mandate_id = m.id and c.collection_date = $3)
            order by m.id, ip.financial_year`, [authorityId, from, collectionDate, noticeBy]);
        const skipped: { reference: string; reason: string }[] = [];
        const planned: { mandateId: number; accountId: number; year: number; amount: number; code: '01' | '17' | '18' | '19'; representsId: number | null; rec: Omit<Standard18Record, 'transactionCode' | 'amountPence'> }[] = [];
        const seen = new Set<number>();
        for (const c of candidates) {
          if (seen.has(c.mandate_id)) { skipped.push({ reference: c.reference, reason: 'two instalments due on one date: collected the first' }); continue; }
          if (!c.notified) { skipped.push({ reference: c.reference, reason: `no advance notice given by ${noticeBy}` }); continue; }
          const amount = Math.min(c.amount, c.owed);
          if (amount <= 0) { skipped.push({ reference: c.reference, reason: 'nothing owed for the year' }); continue; }
          seen.add(c.mandate_id);
          const code = c.first ? settings.dd_first_collection_code : c.seq === c.last_seq ? '19' : '17';
          planned.push({ mandateId: c.mandate_id, accountId: c.account_id, year: c.financial_year, amount, code, representsId: null, rec: { sortCode: c.sort_code, accountNumber: c.account_number, reference: c.reference, accountName: c.payer_name } });
        }
        if (input.represent) {
          // returned "refer to payer" collections not yet re-presented: once more, code 18
          const again = await tx.query<{ id: number; mandate_id: number; account_id: number; financial_year: number; amount_pence: number; payer_name: string; sort_code: string; account_number: string; reference: string }>(
            `select c.id, c.mandate_id, c.account_id, c.financial_year, c.amount_pence, m.payer_name, m.sort_code, m.account_number, m.reference
               from dd_collections c join dd_mandates m on m.id = c.mandate_id
              where c.authority_id = $1 and c.status = 'returned' and c.return_code = '0' and m.status = 'active' and c.collection_date < $2
                and not exists (select 1 from dd_collections r where r.represents_id = c.id)
                and not exists (select 1 from dd_collections d where d.mandate_id = c.mandate_id and d.collection_date = $2)`, [authorityId, collectionDate]);
          for (const a of again) {
            if (seen.has(a.mandate_id)) continue;
            seen.add(a.mandate_id);
            planned.push({ mandateId: a.mandate_id, accountId: a.account_id, year: a.financial_year, amount: a.amount_pence, code: '18', representsId: a.id, rec: { sortCode: a.sort_code, accountNumber: a.account_number, reference: a.reference, accountName: a.payer_name } });
          }
        }
        if (!planned.length) return { fileId: null, collections: 0, totalPence: 0, skipped };
        const [{ n }] = await tx.query<{ n: number }>('select count(*)::int + 1 as n from bacs_files where authority_id = $1', [authorityId]);
        const { text, totals } = writeStandard18({
          serviceUserNumber: settings.bacs_service_user_number, serviceUserName: settings.bacs_service_user_name,
          originSortCode: settings.bank_sort_code, originAccountNumber: settings.bank_account_number,
          processingDate: addWorkingDays(collectionDate, -2), creationDate: clock.today(), fileNumber: n,
          records: planned.map((p) => ({ ...p.rec, transactionCode: p.code, amountPence: p.amount })),
        });
        const total = planned.reduce((s, p) => s + p.amount, 0);
        const fileId = await storeBacsFile(tx, actor, { authorityId, kind: 'collection', processingDate: collectionDate, name: `dd-${collectionDate}-${n}.txt`, text, count: planned.length, total });
        const ctx = ctxFor(actor);
        for (const p of planned) {
          const [receipt] = await tx.query<{ id: number }>(
            `insert into receipts (authority_id, transaction_key, channel, amount_pence, received_on, reference, payer_name, account_id, status, created_at, created_by)
             values ($1, $2, 'direct_debit', $3, $4, $5, $6, $7, 'allocated', $8, $9) returning id`,
            [authorityId, `dd:${p.mandateId}:${collectionDate}`, p.amount, collectionDate, p.rec.reference, p.rec.accountName, p.accountId, clock.now(), actor.userId]);
          await tx.query(
            `insert into dd_collections (authority_id, mandate_id, account_id, collection_date, financial_year, amount_pence, transaction_code, status, bacs_file_id, receipt_id, represents_id, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, 'submitted', $8, $9, $10, $11)`,
            [authorityId, p.mandateId, p.accountId, collectionDate, p.year, p.amount, p.code, fileId, receipt.id, p.representsId, clock.now()]);
          // a Direct Debit collects an instalment of its year: it pays that year
          await receipts.allocate(tx, [receipt.id], ctx, { onlyYear: p.year });
          await receipts.writePaymentEvents(tx, [receipt.id], { ...ctx, bySystem: `dd-run:${fileId}` }, `Direct Debit collection of ${formatPence(p.amount)} (Bacs code ${p.code})`);
        }
        void totals;
        return { fileId, collections: planned.length, totalPence: total, skipped };
      });
    },

    /** ARUDD: each returned debit reverses its collection's payment; the customer is told; the mandate is cancelled when the bank says it is gone. */
    async importArudd(actor: Actor, source: FileSource, input: { authorityId?: number } = {}) {
      requirePermission(actor, 'payments.import');
      const authorityId = authorityFor(actor, input.authorityId);
      const { id, created } = await reportImport(actor, source, 'arudd', authorityId);
      const existing = (await imports.find([authorityId], id))!;
      if (existing.status === 'completed' || existing.status === 'rejected') return reportOf(existing, true);
      let text = '';
      for await (const chunk of source.open()) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const parsed = parseArudd(text);
      const lines = [
        ...parsed.items.map((i) => ({ index: i.index, raw: i.raw, item: i, problem: null as string | null })),
        ...parsed.rejected.map((r) => ({ index: r.index, raw: r.raw, item: null, problem: r.problem })),
      ].sort((a, b) => a.index - b.index);
      await imports.stageLines(id, lines.map((l) => ({
        lineNo: l.index, sourceLine: l.index, raw: l.raw, baseKey: l.item ? `arudd:${l.item.reference}:${l.item.originalProcessingDate}:${l.item.amountPence}` : null,
        reference: l.item?.reference ?? null, referenceValid: false, amountPence: l.item?.amountPence ?? null, currency: 'GBP', direction: 'debit',
        paidOn: l.item?.originalProcessingDate ?? null, channel: 'direct_debit', payerName: l.item?.payerName ?? null, payerAccount: null,
        narrative: l.item ? `${l.item.returnCode}: ${l.item.returnReason}` : null, status: l.item ? 'pending' : 'exception', problem: l.problem, exceptionCode: l.item ? null : 'unreadable',
      })));
      await imports.markStaged(id, { declaredLines: null, declaredPence: null, problems: parsed.problems, warnings: [] });
      if (parsed.problems.length) {
        await imports.reject(id, clock.now());
        return reportOf((await imports.find([authorityId], id))!, false);
      }
      await db.transaction(async (tx) => {
        const ctx = ctxFor(actor);
        for (const item of parsed.items) {
          const [line] = await tx.query<{ status: string }>('select status from payment_import_lines where import_id = $1 and line_no = $2', [id, item.index]);
          if (line.status !== 'pending') continue;
          const mark = (status: 'matched' | 'exception', problem: string | null, accountId: number | null = null, receiptId: number | null = null) =>
            tx.query('update payment_import_lines set status = $3, problem = $4, exception_code = $5, account_id = $6, receipt_id = $7 where import_id = $1 and line_no = $2',
              [id, item.index, status, problem, status === 'exception' ? 'no_collection' : null, accountId, receiptId]);
          const [c] = await tx.query<{ id: number; account_id: number; receipt_id: number; amount_pence: number; status: string; mandate_id: number; collection_date: string }>(
            `select c.id, c.account_id, c.receipt_id, c.amount_pence, c.status, c.mandate_id, c.collection_date from dd_collections c join dd_mandates m on m.id = c.mandate_id
              where c.authority_id = $1 and m.reference = $2 and c.collection_date between $3 and $4 and c.amount_pence = $5
              order by (c.status = 'submitted') desc, c.collection_date desc limit 1`,
            [authorityId, item.reference, item.originalProcessingDate, addWorkingDays(item.originalProcessingDate, 3), item.amountPence]);
          if (!c) { await mark('exception', `no Direct Debit collection of ${formatPence(item.amountPence)} for ${item.reference} around ${item.originalProcessingDate}`); continue; }
          if (c.status === 'returned') { await mark('exception', `collection ${c.id} was already returned`, c.account_id); continue; }
          await tx.query(`update dd_collections set status = 'returned', return_code = $2, return_reason = $3 where id = $1`, [c.id, item.returnCode, item.returnReason]);
          await receipts.reverse(tx, [c.receipt_id], { ...ctx, effectiveDate: clock.today(), reason: `Direct Debit returned unpaid: ${item.returnReason}`, source: `arudd:${id}` });
          await tx.query(`update receipts set status = 'returned' where id = $1`, [c.receipt_id]);
          await event(tx, actor, c.account_id, `Direct Debit returned: ${item.returnReason} (${formatPence(item.amountPence)} collected ${c.collection_date} is unpaid)`, { collectionId: c.id, returnCode: item.returnCode, importId: id }, `arudd:${id}`);
          if (['1', '2', '5', '6', 'B'].includes(item.returnCode)) {
            await tx.query(`update dd_mandates set status = 'cancelled', cancelled_reason = $2, updated_at = $3 where id = $1`, [c.mandate_id, `ARUDD: ${item.returnReason}`, clock.now()]);
            await tx.query(`update accounts set payment_method = 'cash', updated_at = $2 where id = $1`, [c.account_id, clock.now()]);
            await event(tx, actor, c.account_id, `Direct Debit instruction ended: ${item.returnReason}`, { mandateId: c.mandate_id }, `arudd:${id}`);
          }
          await letterTo(tx, c.account_id, 'dd_returned', 'Your Direct Debit payment was not made', [
            { type: 'paragraph', text: `Your bank returned the Direct Debit payment of ${formatPence(item.amountPence)} we collected on ${c.collection_date}. The reason given was: ${item.returnReason}.` },
            { type: 'notice', text: 'Please pay this amount now to keep your right to pay by instalments. If you cannot pay, contact us straight away.' },
          ], actor, `arudd:${id}`);
          await mark('matched', null, c.account_id, c.receipt_id);
        }
      });
      await imports.complete(id, clock.now());
      return reportOf((await imports.find([authorityId], id))!, !created);
    },

    /** ADDACS: the payer's bank cancelled, amended or reinstated an instruction. */
    async importAddacs(actor: Actor, source: FileSource, input: { authorityId?: number } = {}) {
      requirePermission(actor, 'payments.import');
      const authorityId = authorityFor(actor, input.authorityId);
      const { id, created } = await reportImport(actor, source, 'addacs', authorityId);
      const existing = (await imports.find([authorityId], id))!;
      if (existing.status === 'completed' || existing.status === 'rejected') return reportOf(existing, true);
      let text = '';
      for await (const chunk of source.open()) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const parsed = parseAddacs(text);
      const lines = [
        ...parsed.items.map((i) => ({ index: i.index, raw: i.raw, item: i, problem: null as string | null })),
        ...parsed.rejected.map((r) => ({ index: r.index, raw: r.raw, item: null, problem: r.problem })),
      ].sort((a, b) => a.index - b.index);
      await imports.stageLines(id, lines.map((l) => ({
        lineNo: l.index, sourceLine: l.index, raw: l.raw, baseKey: null, reference: l.item?.reference ?? null, referenceValid: false, amountPence: null,
        currency: null, direction: null, paidOn: l.item?.effectiveDate ?? null, channel: 'direct_debit', payerName: l.item?.payerName ?? null, payerAccount: null,
        narrative: l.item ? `${l.item.reasonCode}: ${l.item.reason}` : null, status: l.item ? 'pending' : 'exception', problem: l.problem, exceptionCode: l.item ? null : 'unreadable',
      })));
      await imports.markStaged(id, { declaredLines: null, declaredPence: null, problems: parsed.problems, warnings: [] });
      if (parsed.problems.length) {
        await imports.reject(id, clock.now());
        return reportOf((await imports.find([authorityId], id))!, false);
      }
      await db.transaction(async (tx) => {
        for (const item of parsed.items) {
          const mark = (status: 'matched' | 'exception', problem: string | null, accountId: number | null = null) =>
            tx.query('update payment_import_lines set status = $3, problem = $4, exception_code = $5, account_id = $6 where import_id = $1 and line_no = $2 and status = $7',
              [id, item.index, status, problem, status === 'exception' ? 'no_mandate' : null, accountId, 'pending']);
          const [m] = await tx.query<{ id: number; account_id: number; status: string }>(
            `select id, account_id, status from dd_mandates where authority_id = $1 and reference = $2 order by (status <> 'cancelled') desc, id desc limit 1`, [authorityId, item.reference]);
          if (!m) { await mark('exception', `no Direct Debit instruction with reference ${item.reference}`); continue; }
          const why = `${item.reason} (ADDACS ${item.reasonCode})`;
          if (item.effect === 'cancel') {
            await tx.query(`update dd_mandates set status = 'cancelled', cancelled_reason = $2, updated_at = $3 where id = $1`, [m.id, why, clock.now()]);
            await tx.query(`update accounts set payment_method = 'cash', updated_at = $2 where id = $1`, [m.account_id, clock.now()]);
            await event(tx, actor, m.account_id, `Direct Debit cancelled by the payer’s bank: ${why}`, { mandateId: m.id, importId: id }, `addacs:${id}`);
          } else if (item.effect === 'amend') {
            const bank = checkBankDetails(item.newSortCode ?? item.sortCode, item.newAccountNumber ?? item.accountNumber);
            if (!bank.valid) { await mark('exception', `new bank details are not valid: ${bank.problems.map((p) => p.message).join('; ')}`, m.account_id); continue; }
            await tx.query(`update dd_mandates set sort_code = $2, account_number = $3, payer_name = coalesce($4, payer_name), updated_at = $5 where id = $1`,
              [m.id, bank.sortCode, bank.accountNumber, item.newName, clock.now()]);
            await event(tx, actor, m.account_id, `Direct Debit bank details changed by the payer’s bank: now ${ending(bank.accountNumber)} (${why})`, { mandateId: m.id, importId: id }, `addacs:${id}`);
          } else if (item.effect === 'reinstate') {
            await tx.query(`update dd_mandates set status = 'active', cancelled_reason = null, updated_at = $2 where id = $1`, [m.id, clock.now()]);
            await tx.query(`update accounts set payment_method = 'direct_debit', updated_at = $2 where id = $1`, [m.account_id, clock.now()]);
            await event(tx, actor, m.account_id, `Direct Debit reinstated: ${why}`, { mandateId: m.id, importId: id }, `addacs:${id}`);
          } else {
            await event(tx, actor, m.account_id, `Direct Debit advance notice disputed by the payer: check the amounts and dates (${why})`, { mandateId: m.id, importId: id }, `addacs:${id}`);
          }
          await mark('matched', null, m.account_id);
        }
      });
      await imports.complete(id, clock.now());
      return reportOf((await imports.find([authorityId], id))!, !created);
    },

    async bacsFiles(actor: Actor) {
      requirePermission(actor, 'payments.view');
      return db.query<{ id: number; kind: string; processing_date: string; file_name: string; record_count: number; total_pence: number; created_at: Date }>(
        `select id, kind, processing_date, file_name, record_count, total_pence, created_at from bacs_files where authority_id = any($1::int[]) order by created_at desc, id desc limit 100`,
        [actor.authorityIds]);
    },

    async bacsFile(actor: Actor, id: number) {
      requirePermission(actor, 'direct_debit.run');
      const [row] = await db.query<{ id: number; authority_id: number; file_name: string; content: string }>(
        'select id, authority_id, file_name, content from bacs_files where id = $2 and authority_id = any($1::int[])', [actor.authorityIds, id]);
      if (!row) throw new NotFoundError(`Bacs file ${id} was not found`);
      await audit.record(actor, { action: 'view.bacs_file', entityType: 'bacs_file', entityId: id, authorityId: row.authority_id });
      return row;
    },
  };
}
export type DirectDebitService = ReturnType<typeof createDirectDebitService>;
