// Importing payment files: parse (streaming) → stage every line → number transaction keys → post in
// chunks (each chunk one transaction: duplicates, receipts, matching, allocation, timeline events)
// → control totals. Idempotent (the same file imports once; the same transaction in another file
// is an exception, not a second payment) and resumable (a re-run after a crash carries on from the
// first line not yet posted; every effect of a chunk commits together or not at all).
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { checkAccountReference } from '../../domain/account-reference.ts';
import { financialYearOf } from '../../domain/calendar.ts';
import { NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import { parseBureau } from '../../integrations/bureau/bureau.ts';
import { parseCamt } from '../../integrations/camt/camt.ts';
import { csvMappingSchema, parseMappedCsv } from '../../integrations/csv-mapping/csv-mapping.ts';
import { parseMt940 } from '../../integrations/mt940/mt940.ts';
import type { ParseItem, TextSource } from '../../integrations/payment-file.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { ImportRow, ImportsRepository, StagedLine } from './imports.repository.ts';
import type { ReceiptsRepository } from './receipts.repository.ts';

export const PAYMENT_FORMATS = ['camt053', 'camt054', 'mt940', 'bureau', 'csv'] as const;
export type PaymentFormat = (typeof PAYMENT_FORMATS)[number];
export const FORMAT_LABELS: Record<PaymentFormat, string> = {
  camt053: 'Bank statement (camt.053)',
  camt054: 'Bank notification (camt.054)',
  mt940: 'Bank statement (MT940)',
  bureau: 'Payment bureau (fixed width)',
  csv: 'CSV remittance (saved mapping)',
};

/** Where a file's bytes come from; opened twice (once to hash it, once to read it). */
export interface FileSource {
  name: string;
  open: () => AsyncIterable<Buffer | string> | Iterable<Buffer | string>;
}

export interface ImportOptions {
  format: PaymentFormat;
  authorityId?: number;
  mappingName?: string;
  /** Lines posted per transaction. */
  chunkSize?: number;
  /** Workers posting at once on PostgreSQL (default 2; PGlite always 1). */
  workers?: number;
  /** Test hook: called inside each posting transaction after its work; throwing rolls that chunk back. */
  failpoint?: (chunk: number) => void;
}

export interface ImportReport {
  importId: number;
  alreadyImported: boolean;
  status: ImportRow['status'];
  format: string;
  fileName: string;
  lines: number;
  amountPence: number;
  matched: { lines: number; amountPence: number };
  suspense: { lines: number; amountPence: number };
  exceptions: { lines: number; amountPence: number };
  declared: { lines: number | null; amountPence: number | null };
  fileProblems: string[];
  warnings: string[];
  /** lines = matched + suspense + exceptions, and the same for amounts. */
  balanced: boolean;
}

export function reportOf(row: ImportRow, alreadyImported: boolean): ImportReport {
  const n = (v: number | null) => v ?? 0;
  const report: ImportReport = {
    importId: row.id, alreadyImported, status: row.status, format: row.format, fileName: row.file_name,
    lines: n(row.lines_total), amountPence: n(row.amount_pence),
    matched: { lines: n(row.matched_lines), amountPence: n(row.matched_pence) },
    suspense: { lines: n(row.suspense_lines), amountPence: n(row.suspense_pence) },
    exceptions: { lines: n(row.exception_lines), amountPence: n(row.exception_pence) },
    declared: { lines: row.declared_lines, amountPence: row.declared_pence },
    fileProblems: row.file_problems, warnings: row.warnings, balanced: false,
  };
  report.balanced = report.lines === report.matched.lines + report.suspense.lines + report.exceptions.lines
    && report.amountPence === report.matched.amountPence + report.suspense.amountPence + report.exceptions.amountPence;
  return report;
}

const STAGE_CHUNK = 5000;

export async function hashSource(source: FileSource): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of source.open()) hash.update(chunk);
  return hash.digest('hex');
}

/** Turns a parsed record into the line to store: exceptions for what can never be a receipt. */
export function stagedLineOf(item: Extract<ParseItem, { kind: 'record' }>): StagedLine {
  const base: StagedLine = {
    lineNo: item.lineNo, sourceLine: item.sourceLine, raw: item.raw, baseKey: null, reference: null, referenceValid: false,
    amountPence: null, currency: null, direction: null, paidOn: null, channel: null, payerName: null, payerAccount: null, narrative: null,
    status: 'pending', problem: null, exceptionCode: null,
  };
  if (!item.ok) return { ...base, amountPence: item.amountPence ?? null, status: 'exception', problem: item.problem, exceptionCode: 'unreadable' };
  const f = item.fields;
  const line: StagedLine = {
    ...base, baseKey: f.baseKey, reference: f.reference, amountPence: f.amountPence, currency: f.currency, direction: f.direction, paidOn: f.paidOn,
    channel: f.channel, payerName: f.payerName ?? null, payerAccount: f.payerAccount ?? null, narrative: f.narrative ?? null,
  };
  if (f.currency !== 'GBP') return { ...line, status: 'exception', exceptionCode: 'currency', problem: `amount is in ${f.currency || 'an unstated currency'}: Levy takes payments in pounds sterling (GBP) only` };
  if (f.direction === 'debit') return { ...line, status: 'exception', exceptionCode: 'debit', problem: 'money out of the account (a debit), not a payment received' };
  if (f.reversal) return { ...line, status: 'exception', exceptionCode: 'reversal', problem: 'the bank reversed an earlier entry: find the payment it reverses and correct it by hand' };
  if (f.reference) {
    const check = checkAccountReference(f.reference);
    if (check.valid) return { ...line, reference: check.reference, referenceValid: true };
    return { ...line, problem: `reference ${f.reference} is not a valid account reference (${check.reason})` };
  }
  return line;
}

export function createPaymentsService(deps: { db: Db; clock: Clock; imports: ImportsRepository; receipts: ReceiptsRepository; audit: AuditRepository }) {
  const { db, clock, imports, receipts, audit } = deps;

  function authorityFor(actor: Actor, authorityId: number | undefined): number {
    if (authorityId !== undefined) {
      if (!actor.authorityIds.includes(authorityId)) throw new NotFoundError(`Billing authority ${authorityId} was not found`);
      return authorityId;
    }
    if (actor.authorityIds.length !== 1) throw new ValidationError('Choose the billing authority the file belongs to', [{ field: 'authorityId', message: 'Choose the billing authority' }]);
    return actor.authorityIds[0];
  }

  async function parserFor(format: PaymentFormat, authorityId: number, mappingName: string | undefined) {
    switch (format) {
      case 'camt053':
      case 'camt054':
        return (input: TextSource) => parseCamt(input, format);
      case 'mt940':
        return parseMt940;
      case 'bureau':
        return parseBureau;
      case 'csv': {
        if (!mappingName) throw new ValidationError('A CSV file needs a saved column mapping', [{ field: 'mapping', message: 'Choose the column mapping for this CSV file' }]);
        const saved = await imports.csvMapping(authorityId, mappingName);
        if (!saved) throw new NotFoundError(`No CSV mapping called "${mappingName}"`);
        const mapping = csvMappingSchema.parse(saved);
        return (input: TextSource) => parseMappedCsv(input, mapping, mappingName);
      }
    }
  }

  async function stage(importId: number, source: FileSource, parse: (input: TextSource) => AsyncGenerator<ParseItem>) {
    let batch: StagedLine[] = [];
    const problems: string[] = [];
    const warnings: string[] = [];
    let declaredLines: number | null = null;
    let declaredPence: number | null = null;
    for await (const item of parse(source.open())) {
      if (item.kind === 'record') {
        batch.push(stagedLineOf(item));
        if (batch.length >= STAGE_CHUNK) {
          await imports.stageLines(importId, batch);
          batch = [];
        }
      } else if (item.kind === 'file-problem') problems.push(item.sourceLine ? `${item.message} (line ${item.sourceLine})` : item.message);
      else if (item.kind === 'warning') warnings.push(item.message);
      else {
        declaredLines = item.lines ?? declaredLines;
        declaredPence = item.amountPence ?? declaredPence;
      }
    }
    await imports.stageLines(importId, batch);
    await imports.markStaged(importId, { declaredLines, declaredPence, problems, warnings });
    return problems;
  }

  async function post(actor: Actor, importId: number, authorityId: number, options: ImportOptions) {
    const size = options.chunkSize ?? 5000;
    const currentYear = financialYearOf(clock.today()).startYear;
    // On PostgreSQL two workers post at once, each owning the references that hash to it (so each
    // account's payments are still allocated in order by one worker); PGlite has one connection.
    const workers = db.kind === 'postgres' ? (options.workers ?? 2) : 1;
    let chunks = 0;
    let failed = false;
    const worker = async (index: number) => {
      while (!failed) {
        const done = await db.transaction(async (tx) => {
          // one poster per authority and partition at a time, so allocation sees every earlier payment
          if (tx.kind === 'postgres') await tx.query('select pg_advisory_xact_lock(7275004, $1)', [authorityId * 16 + index]);
          const [row] = await tx.query<{ status: string }>('select status from payment_imports where id = $1 for share', [importId]);
          if (row.status !== 'posting') return true;
          const now = clock.now();
          const result = await imports.postChunk(tx, { importId, authorityId, size, now, userId: actor.userId, partition: { count: workers, index } });
          if (!result) return true;
          const ctx = { now, userId: actor.userId, bySystem: `import:${importId}`, currentYear };
          await receipts.allocate(tx, result.matched, ctx);
          await receipts.writePaymentEvents(tx, result.matched, ctx);
          options.failpoint?.(++chunks);
          return false;
        });
        if (done) return;
      }
    };
    const results = await Promise.allSettled(Array.from({ length: workers }, (_, i) => worker(i).catch((error) => {
      failed = true; // the others stop after their current chunk; a re-run finishes the import
      throw error;
    })));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  async function getImport(actor: Actor, importId: number) {
    requirePermission(actor, 'payments.view');
    const row = await imports.find(actor.authorityIds, importId);
    if (!row) throw new NotFoundError(`Import ${importId} was not found`);
    return { import: row, report: reportOf(row, false) };
  }

  return {
    getImport,

    async importFile(actor: Actor, source: FileSource, options: ImportOptions): Promise<ImportReport> {
      requirePermission(actor, 'payments.import');
      if (!(PAYMENT_FORMATS as readonly string[]).includes(options.format)) {
        throw new ValidationError(`Format must be one of ${PAYMENT_FORMATS.join(', ')}`, [{ field: 'format', message: 'Choose the file format' }]);
      }
      const authorityId = authorityFor(actor, options.authorityId);
      const parse = await parserFor(options.format, authorityId, options.mappingName);
      const hash = await hashSource(source);
      const { id, created } = await imports.create({
        authorityId, format: options.format, fileName: source.name, hash, mappingName: options.mappingName ?? null, userId: actor.userId, now: clock.now(),
      });
      let row = (await imports.find([authorityId], id))!;
      if (row.status === 'completed' || row.status === 'rejected') return reportOf(row, true);
      if (created) await audit.record(actor, { action: 'create.payment_import', entityType: 'payment_import', entityId: id, authorityId, detail: { format: options.format, fileName: source.name } });

      if (row.status === 'staging') {
        const problems = await stage(id, source, parse);
        if (problems.length) {
          await imports.reject(id, clock.now());
          return reportOf((await imports.find([authorityId], id))!, false);
        }
      }
      await imports.numberTransactionKeys(id);
      await post(actor, id, authorityId, options);
      await imports.complete(id, clock.now());
      row = (await imports.find([authorityId], id))!;
      return reportOf(row, !created);
    },

    async importLines(actor: Actor, importId: number, filter: { status?: string; page?: number }) {
      const { import: row } = await getImport(actor, importId);
      const limit = 100;
      const page = Math.max(1, filter.page ?? 1);
      return { import: row, lines: await imports.lines(row.id, { status: filter.status, limit, offset: (page - 1) * limit }), page, limit };
    },

    async listImports(actor: Actor) {
      requirePermission(actor, 'payments.view');
      return (await imports.list(actor.authorityIds, 50)).map((row) => reportOf(row, false));
    },

    async saveCsvMapping(actor: Actor, input: { name: string; mapping: unknown; authorityId?: number }) {
      requirePermission(actor, 'payments.settings');
      const authorityId = authorityFor(actor, input.authorityId);
      const name = z.string().trim().min(1, 'Name the mapping').max(60).safeParse(input.name);
      if (!name.success) throw new ValidationError('Check the mapping name', fieldProblemsFromZod(name.error.issues.map((i) => ({ ...i, path: ['name'] }))));
      const mapping = csvMappingSchema.safeParse(input.mapping);
      if (!mapping.success) throw new ValidationError('Check the column mapping', fieldProblemsFromZod(mapping.error.issues));
      const id = await imports.saveCsvMapping({ authorityId, name: name.data, mapping: mapping.data, userId: actor.userId });
      await audit.record(actor, { action: 'update.csv_mapping', entityType: 'payment_csv_mapping', entityId: id, authorityId, detail: { name: name.data } });
      return id;
    },

    async csvMappings(actor: Actor) {
      requirePermission(actor, 'payments.view');
      return imports.csvMappings(actor.authorityIds);
    },
  };
}
export type PaymentsService = ReturnType<typeof createPaymentsService>;
