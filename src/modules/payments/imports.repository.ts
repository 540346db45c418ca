// Payment imports: the file's row, its lines as read, and the set-based steps that turn pending
// lines into receipts (matched or suspense) or exceptions, a chunk of lines per transaction.
import type { Db } from '../../db/database.ts';

export interface ImportRow {
  id: number;
  authority_id: number;
  format: string;
  file_name: string;
  file_hash: string;
  mapping_name: string | null;
  status: 'staging' | 'staged' | 'posting' | 'completed' | 'rejected';
  declared_lines: number | null;
  declared_pence: number | null;
  file_problems: string[];
  warnings: string[];
  lines_total: number | null;
  amount_pence: number | null;
  matched_lines: number | null;
  matched_pence: number | null;
  suspense_lines: number | null;
  suspense_pence: number | null;
  exception_lines: number | null;
  exception_pence: number | null;
  started_at: Date;
  finished_at: Date | null;
  started_by_name: string | null;
}

export interface StagedLine {
  lineNo: number;
  sourceLine: number;
  raw: string;
  baseKey: string | null;
  reference: string | null;
  referenceValid: boolean;
  amountPence: number | null;
  currency: string | null;
  direction: string | null;
  paidOn: string | null;
  channel: string | null;
  payerName: string | null;
  payerAccount: string | null;
  narrative: string | null;
  status: 'pending' | 'exception';
  problem: string | null;
  exceptionCode: string | null;
}

export interface ImportLineRow {
  line_no: number;
  source_line: number;
  raw: string;
  reference: string | null;
  amount_pence: number | null;
  paid_on: string | null;
  channel: string | null;
  payer_name: string | null;
  status: string;
  problem: string | null;
  exception_code: string | null;
  account_id: number | null;
  account_reference: string | null;
  receipt_id: number | null;
}

const IMPORT_COLUMNS = `i.id, i.authority_id, i.format, i.file_name, i.file_hash, i.mapping_name, i.status, i.declared_lines, i.declared_pence,
  i.file_problems, i.warnings, i.lines_total, i.amount_pence, i.matched_lines, i.matched_pence, i.suspense_lines, i.suspense_pence,
  i.exception_lines, i.exception_pence, i.started_at, i.finished_at, u.display_name as started_by_name`;

export function createImportsRepository(db: Db) {
  return {
    async findByHash(authorityId: number, hash: string, tx: Db = db): Promise<ImportRow | undefined> {
      const rows = await tx.query<ImportRow>(
        `select ${IMPORT_COLUMNS} from payment_imports i left join users u on u.id = i.started_by where i.authority_id = $1 and i.file_hash = $2`,
        [authorityId, hash],
      );
      return rows[0];
    },

    async find(authorityIds: number[], id: number, tx: Db = db): Promise<ImportRow | undefined> {
      const rows = await tx.query<ImportRow>(
        `select ${IMPORT_COLUMNS} from payment_imports i left join users u on u.id = i.started_by where i.id = $2 and i.authority_id = any($1::int[])`,
        [authorityIds, id],
      );
      return rows[0];
    },

    async list(authorityIds: number[], limit: number): Promise<ImportRow[]> {
      return db.query<ImportRow>(
        `select ${IMPORT_COLUMNS} from payment_imports i left join users u on u.id = i.started_by
          where i.authority_id = any($1::int[]) order by i.started_at desc, i.id desc limit $2`,
        [authorityIds, limit],
      );
    },

    /** Creates the import, or returns the existing one for the same file (the race-safe way). */
    async create(input: { authorityId: number; format: string; fileName: string; hash: string; mappingName: string | null; userId: number | null; now: Date }): Promise<{ id: number; created: boolean }> {
      const inserted = await db.query<{ id: number }>(
        `insert into payment_imports (authority_id, format, file_name, file_hash, mapping_name, status, started_by, started_at)
         values ($1, $2, $3, $4, $5, 'staging', $6, $7) on conflict (authority_id, file_hash) do nothing returning id`,
        [input.authorityId, input.format, input.fileName, input.hash, input.mappingName, input.userId, input.now],
      );
      if (inserted.length) return { id: inserted[0].id, created: true };
      const [existing] = await db.query<{ id: number }>('select id from payment_imports where authority_id = $1 and file_hash = $2', [input.authorityId, input.hash]);
      return { id: existing.id, created: false };
    },

    /** Stores a chunk of lines as read. A re-run after a crash skips the lines already stored. */
    async stageLines(importId: number, lines: StagedLine[]): Promise<void> {
      if (!lines.length) return;
      const col = <K extends keyof StagedLine>(k: K) => lines.map((l) => l[k]);
      await db.query(
        `insert into payment_import_lines (import_id, line_no, source_line, raw, base_key, reference, reference_valid, amount_pence, currency,
                                           direction, paid_on, channel, payer_name, payer_account, narrative, status, problem, exception_code)
         select $1, * from unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::bigint[], $9::text[],
                                  $10::text[], $11::date[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[])
         on conflict (import_id, line_no) do nothing`,
        [importId, col('lineNo'), col('sourceLine'), col('raw'), col('baseKey'), col('reference'), col('referenceValid'), col('amountPence'), col('currency'),
          col('direction'), col('paidOn'), col('channel'), col('payerName'), col('payerAccount'), col('narrative'), col('status'), col('problem'), col('exceptionCode')],
      );
    },

    async markStaged(importId: number, facts: { declaredLines: number | null; declaredPence: number | null; problems: string[]; warnings: string[] }): Promise<void> {
      await db.query(
        `update payment_imports set status = 'staged', declared_lines = $2, declared_pence = $3, file_problems = $4, warnings = $5 where id = $1 and status = 'staging'`,
        [importId, facts.declaredLines, facts.declaredPence, JSON.stringify(facts.problems), JSON.stringify(facts.warnings)],
      );
    },

    /** A rejected file posts nothing: every line becomes an exception that names the file's problem. */
    async reject(importId: number, now: Date): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.query(
          `update payment_import_lines set status = 'exception', exception_code = coalesce(exception_code, 'file_rejected'),
                  problem = coalesce(problem, 'file rejected: ' || (select file_problems->>0 from payment_imports where id = $1))
            where import_id = $1 and status <> 'exception'`,
          [importId],
        );
        await tx.query(`update payment_imports set status = 'rejected' where id = $1`, [importId]);
        await finishTotals(tx, importId, now, 'rejected');
      });
    },

    /**
     * Gives every line its transaction key: the base key numbered by its occurrence in the file, so
     * two identical bureau lines in one file are two payments but the same line in another file is a
     * duplicate. Done once, over the whole file, as the import moves to posting.
     */
    async numberTransactionKeys(importId: number): Promise<void> {
      await db.transaction(async (tx) => {
        const [row] = await tx.query<{ status: string }>('select status from payment_imports where id = $1 for update', [importId]);
        if (row.status !== 'staged') return;
        await tx.query(
          `update payment_import_lines l set transaction_key = x.base_key || '#' || x.rn
             from (select line_no, base_key, row_number() over (partition by base_key order by line_no) as rn
                     from payment_import_lines where import_id = $1 and base_key is not null) x
            where l.import_id = $1 and l.line_no = x.line_no`,
          [importId],
        );
        await tx.query(`update payment_imports set status = 'posting' where id = $1`, [importId]);
      });
    },

    /**
     * The next chunk of pending lines, in one transaction: duplicates of receipts already taken become
     * exceptions; the rest become receipts, matched by reference to an account of the authority or put
     * in suspense with the reason. Returns the range handled and the receipts made (allocated ones
     * are then allocated by the caller inside the same transaction).
     */
    async postChunk(tx: Db, input: { importId: number; authorityId: number; size: number; now: Date; userId: number | null; partition?: { count: number; index: number } }) {
      const { importId, authorityId } = input;
      // Lines can be posted by several workers at once, each taking the references that hash to it:
      // every payment for one account is then posted by one worker, in line order.
      const part = input.partition ?? { count: 1, index: 0 };
      const mine = (alias: string) => `(${part.count} = 1 or mod(abs(hashtext(coalesce(${alias}.reference, ''))), ${part.count}) = ${part.index})`;
      const [range] = await tx.query<{ lo: number | null; hi: number | null }>(
        `select min(line_no) as lo, max(line_no) as hi
           from (select line_no from payment_import_lines l where import_id = $1 and status = 'pending' and ${mine('l')} order by line_no limit $2) c`,
        [importId, input.size],
      );
      if (range.lo === null) return null;
      const markDuplicates = () => tx.query(
        `update payment_import_lines l
            set status = 'exception', exception_code = 'duplicate',
                problem = 'already received' || case when r.import_id is not null then ' in import ' || r.import_id || ' line ' || r.import_line_no else ' (receipt ' || r.id || ')' end
           from receipts r
          where l.import_id = $1 and l.status = 'pending' and l.line_no between $2 and $3 and ${mine('l')}
            and r.authority_id = $4 and r.transaction_key = l.transaction_key`,
        [importId, range.lo, range.hi, authorityId],
      );
      await markDuplicates();
      const made = await tx.query<{ receipt_id: number; status: string }>(
        `with m as (
           select l.*, a.id as acc_id
             from payment_import_lines l
             left join accounts a on a.authority_id = $4 and l.reference_valid and a.reference = l.reference
            where l.import_id = $1 and l.status = 'pending' and l.line_no between $2 and $3 and ${mine('l')}
         ),
         ins as (
           insert into receipts (authority_id, transaction_key, channel, amount_pence, received_on, reference, payer_name, payer_account, narrative,
                                 import_id, import_line_no, account_id, status, suspense_reason, created_at, created_by)
           select $4, transaction_key, channel, amount_pence, paid_on, reference, payer_name, payer_account, narrative, $1, line_no, acc_id,
                  case when acc_id is not null then 'allocated' else 'suspense' end,
                  case when acc_id is not null then null
                       when reference is null then 'no account reference on the payment'
                       when not reference_valid then coalesce(problem, 'reference ' || reference || ' is not a valid account reference')
                       else 'no account with reference ' || reference end,
                  $5, $6
             from m
           on conflict (authority_id, transaction_key) do nothing
           returning id, import_line_no, account_id, status, suspense_reason
         )
         update payment_import_lines l
            set status = case when ins.status = 'allocated' then 'matched' else 'suspense' end,
                receipt_id = ins.id, account_id = ins.account_id, problem = ins.suspense_reason
           from ins
          where l.import_id = $1 and l.line_no = ins.import_line_no
         returning l.receipt_id, l.status`,
        [importId, range.lo, range.hi, authorityId, input.now, input.userId],
      );
      await markDuplicates(); // a receipt taken by another import between the two statements
      return { lo: range.lo, hi: range.hi, matched: made.filter((m) => m.status === 'matched').map((m) => m.receipt_id), receipts: made.length };
    },

    async complete(importId: number, now: Date): Promise<void> {
      await db.transaction(async (tx) => finishTotals(tx, importId, now, 'completed'));
    },

    async lines(importId: number, filter: { status?: string; limit: number; offset: number }): Promise<ImportLineRow[]> {
      return db.query<ImportLineRow>(
        `select l.line_no, l.source_line, l.raw, l.reference, l.amount_pence, l.paid_on, l.channel, l.payer_name, l.status, l.problem,
                l.exception_code, l.account_id, a.reference as account_reference, l.receipt_id
           from payment_import_lines l left join accounts a on a.id = l.account_id
          where l.import_id = $1 and ($2::text is null or l.status = $2)
          order by l.line_no limit $3 offset $4`,
        [importId, filter.status ?? null, filter.limit, filter.offset],
      );
    },

    async csvMapping(authorityId: number, name: string): Promise<Record<string, unknown> | undefined> {
      const rows = await db.query<{ mapping: Record<string, unknown> }>('select mapping from payment_csv_mappings where authority_id = $1 and name = $2', [authorityId, name]);
      return rows[0]?.mapping;
    },

    async saveCsvMapping(input: { authorityId: number; name: string; mapping: unknown; userId: number | null }): Promise<number> {
      const [row] = await db.query<{ id: number }>(
        `insert into payment_csv_mappings (authority_id, name, mapping, created_by) values ($1, $2, $3, $4)
         on conflict (authority_id, name) do update set mapping = excluded.mapping returning id`,
        [input.authorityId, input.name, JSON.stringify(input.mapping), input.userId],
      );
      return row.id;
    },

    async csvMappings(authorityIds: number[]): Promise<{ id: number; authority_id: number; name: string; mapping: Record<string, unknown> }[]> {
      return db.query('select id, authority_id, name, mapping from payment_csv_mappings where authority_id = any($1::int[]) order by name', [authorityIds]);
    },
  };
}
export type ImportsRepository = ReturnType<typeof createImportsRepository>;

/** Control totals from the lines themselves: lines = matched + suspense + exceptions, and the amounts. */
async function finishTotals(tx: Db, importId: number, now: Date, status: 'completed' | 'rejected'): Promise<void> {
  await tx.query(
    `update payment_imports i set status = $3, finished_at = $2,
            lines_total = t.lines, amount_pence = t.amount,
            matched_lines = t.matched, matched_pence = t.matched_pence,
            suspense_lines = t.suspense, suspense_pence = t.suspense_pence,
            exception_lines = t.exceptions, exception_pence = t.exception_pence
       from (select count(*)::int as lines, coalesce(sum(amount_pence), 0)::bigint as amount,
                    count(*) filter (where status = 'matched')::int as matched, coalesce(sum(amount_pence) filter (where status = 'matched'), 0)::bigint as matched_pence,
                    count(*) filter (where status = 'suspense')::int as suspense, coalesce(sum(amount_pence) filter (where status = 'suspense'), 0)::bigint as suspense_pence,
                    count(*) filter (where status = 'exception')::int as exceptions, coalesce(sum(amount_pence) filter (where status = 'exception'), 0)::bigint as exception_pence
               from payment_import_lines where import_id = $1) t
      where i.id = $1`,
    [importId, now, status],
  );
}
