// VOA schedules: import a file, show what it would change, apply each entry from its effective date
// with rebills. A file with malformed lines is held ('rejected') and nothing from it is applied
// until the officer fixes the file (imports it again) or excludes those lines.
import crypto from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { compareDates } from '../../domain/calendar.ts';
import { findAuthority } from '../../integrations/open-data.ts';
import { parseCtBandChanges, parseNndrListEntries, type CtBandChange, type LineProblem, type NndrListEntry } from '../../integrations/voa/voa-files.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { BillingCore } from './billing.service.ts';
import { RHL_DESCRIPTIONS, isRhlDescription } from './reductions.ts';
import type { ValuationPoint } from './charge-calculation.ts';

export type VoaKind = 'nndr_list' | 'ct_bands';

export interface VoaImportLine {
  line: number;
  raw: string;
  problem: string | null;
  excluded: boolean;
  action: 'change' | 'new_property' | 'unchanged' | 'no_property' | null;
  propertyId: number | null;
  propertyAddress: string | null;
  effectiveDate: string | null;
  current: string | null;
  proposed: string | null;
  accountsToRebill: string[];
  appliedAt: Date | null;
}

export interface VoaImportView {
  id: number;
  authorityId: number;
  kind: VoaKind;
  fileName: string;
  status: 'rejected' | 'ready' | 'applying' | 'applied';
  lineCount: number;
  problems: LineProblem[];
  excludedLines: number[];
  createdAt: Date;
  appliedAt: Date | null;
  report: { changed: number; created: number; unchanged: number; bills: number; failures: { line: number; message: string }[] } | null;
  counts: { change: number; new_property: number; unchanged: number; no_property: number; problems: number; excluded: number };
  lines: VoaImportLine[];
}

type Record_ = (NndrListEntry | CtBandChange) & { line: number };

function valueOn(points: ValuationPoint[], day: string): ValuationPoint | undefined {
  let found: ValuationPoint | undefined;
  for (const p of points) if (compareDates(p.effectiveFrom, day) <= 0 && (!found || compareDates(p.effectiveFrom, found.effectiveFrom) > 0)) found = p;
  return found;
}

const describe = (kind: VoaKind, v: { band?: string | null; rv?: number | null }) =>
  kind === 'ct_bands' ? `Band ${v.band}` : `RV £${(v.rv ?? 0).toLocaleString('en-GB')}`;

export function createVoaService(deps: { db: Db; clock: Clock; billing: BillingCore; audit: AuditRepository }) {
  const { db, clock, billing, audit } = deps;

  async function requireImport(actor: Actor, id: number) {
    const [row] = await db.query<{ id: number; authority_id: number; kind: VoaKind; file_name: string; status: VoaImportView['status']; line_count: number; problems: LineProblem[]; excluded_lines: number[]; created_at: Date; applied_at: Date | null; report: VoaImportView['report'] }>(
      'select id, authority_id, kind, file_name, status, line_count, problems, excluded_lines, created_at, applied_at, report from voa_imports where id = $1 and authority_id = any($2::int[])',
      [id, actor.authorityIds]);
    if (!row) throw new NotFoundError(`VOA import ${id} was not found`);
    return row;
  }

  async function view(actor: Actor, id: number): Promise<VoaImportView> {
    requirePermission(actor, 'cases.view');
    const row = await requireImport(actor, id);
    const lines = await db.query<{ line_no: number; raw: string; parsed: Record_ | null; problem: string | null; property_id: number | null; action: VoaImportLine['action']; applied_at: Date | null; address: string | null }>(
      `select l.line_no, l.raw, l.parsed, l.problem, l.property_id, l.action, l.applied_at,
              case when p.id is null then null else concat_ws(', ', p.address_line1, p.address_line2, p.town, p.postcode) end as address
         from voa_import_lines l left join properties p on p.id = l.property_id where l.import_id = $1 order by l.line_no`, [id]);
    const propertyIds = [...new Set(lines.map((l) => l.property_id).filter((p): p is number => p !== null))];
    const valuations = propertyIds.length ? await billing.repo.valuations(propertyIds, RHL_DESCRIPTIONS) : {};
    const liable = propertyIds.length
      ? await db.query<{ property_id: number; reference: string; from_date: string; to_date: string | null }>(
        `select li.property_id, a.reference, li.from_date, li.to_date from liabilities li join accounts a on a.id = li.account_id where li.property_id = any($1::bigint[])`, [propertyIds])
      : [];
    const excluded = new Set(row.excluded_lines);
    const out: VoaImportLine[] = lines.map((l) => {
      const effective = l.parsed?.effectiveDate ?? null;
      const current = l.property_id && effective ? valueOn(valuations[l.property_id] ?? [], effective) : undefined;
      const proposed = l.parsed ? (row.kind === 'ct_bands' ? { band: (l.parsed as CtBandChange).band } : { rv: (l.parsed as NndrListEntry).rateableValuePounds }) : null;
      return {
        line: l.line_no, raw: l.raw, problem: l.problem, excluded: excluded.has(l.line_no), action: l.action, propertyId: l.property_id, propertyAddress: l.address,
        effectiveDate: effective,
        current: current ? describe(row.kind, { band: current.band, rv: current.rateableValuePounds }) : null,
        proposed: proposed ? describe(row.kind, proposed) : null,
        accountsToRebill: effective ? [...new Set(liable.filter((x) => x.property_id === l.property_id && (x.to_date === null || x.to_date >= effective)).map((x) => x.reference))] : [],
        appliedAt: l.applied_at,
      };
    });
    const count = (a: VoaImportLine['action']) => out.filter((l) => !l.problem && !l.excluded && l.action === a).length;
    return {
      id: row.id, authorityId: row.authority_id, kind: row.kind, fileName: row.file_name, status: row.status, lineCount: row.line_count,
      problems: row.problems, excludedLines: row.excluded_lines, createdAt: row.created_at, appliedAt: row.applied_at, report: row.report,
      counts: { change: count('change'), new_property: count('new_property'), unchanged: count('unchanged'), no_property: count('no_property'), problems: out.filter((l) => l.problem && !l.excluded).length, excluded: row.excluded_lines.length },
      lines: out,
    };
  }

  return {
    view,

    async imports(actor: Actor) {
      requirePermission(actor, 'cases.view');
      return db.query<{ id: number; kind: VoaKind; file_name: string; status: string; line_count: number; created_at: Date; applied_at: Date | null }>(
        'select id, kind, file_name, status, line_count, created_at, applied_at from voa_imports where authority_id = any($1::int[]) order by id desc limit 50', [actor.authorityIds]);
    },

    async importFile(actor: Actor, input: { authorityId: number; kind: VoaKind; fileName: string; content: string }): Promise<VoaImportView> {
      requirePermission(actor, 'billing.run');
      if (!actor.authorityIds.includes(input.authorityId)) throw new NotFoundError('Billing authority not found');
      if (!input.content.trim()) throw new ValidationError('The file is empty', [{ field: 'file', message: 'Choose a file with at least one line' }]);
      const hash = crypto.createHash('sha256').update(input.content).digest('hex');
      const [existing] = await db.query<{ id: number }>('select id from voa_imports where authority_id = $1 and file_hash = $2', [input.authorityId, hash]);
      if (existing) return view(actor, existing.id);
      const parsed = input.kind === 'nndr_list' ? parseNndrListEntries(input.content) : parseCtBandChanges(input.content);
      const problems = [...parsed.problems];
      const [authority] = await db.query<{ ons_code: string }>('select ons_code from billing_authorities where id = $1', [input.authorityId]);
      let baCode: string | null = null;
      try { baCode = findAuthority(authority.ons_code).baCode; } catch { baCode = null; }
      const records = (parsed.records as Record_[]).filter((r) => {
        if (baCode && r.baCode !== baCode) {
          problems.push({ line: r.line, message: `is for billing authority ${r.baCode}, not this council (${baCode})` });
          return false;
        }
        return true;
      });
      // Match each entry to a property: business rates by BA reference, council tax by UPRN.
      const keys = records.map((r) => ('baReference' in r ? r.baReference : r.uprn));
      const matches = await db.query<{ id: number; key: string }>(
        input.kind === 'nndr_list'
          ? `select id, ba_reference as key from properties where authority_id = $1 and kind = 'hereditament' and ba_reference = any($2::text[])`
          : `select id, uprn as key from properties where authority_id = $1 and kind = 'dwelling' and uprn = any($2::text[])`,
        [input.authorityId, keys]);
      const byKey = new Map(matches.map((m) => [m.key, m.id]));
      const valuations = matches.length ? await billing.repo.valuations(matches.map((m) => m.id), RHL_DESCRIPTIONS) : {};
      const rawLines = input.content.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
      const problemByLine = new Map(problems.map((p) => [p.line, p.message]));
      const recordByLine = new Map(records.map((r) => [r.line, r]));
      const rows = rawLines.map((raw, i) => ({ raw, line: i + 1 })).filter((l) => l.raw.trim()).map(({ raw, line }) => {
        const record = recordByLine.get(line);
        const problem = problemByLine.get(line) ?? null;
        let propertyId: number | null = null;
        let action: VoaImportLine['action'] = null;
        if (record && !problem) {
          propertyId = byKey.get('baReference' in record ? record.baReference : record.uprn) ?? null;
          if (!propertyId) action = 'new_property';
          else {
            const now = valueOn(valuations[propertyId] ?? [], record.effectiveDate);
            const same = 'band' in record ? now?.band === record.band : now?.rateableValuePounds === record.rateableValuePounds;
            action = same ? 'unchanged' : 'change';
          }
        }
        return { line_no: line, raw, parsed: record ?? null, problem, property_id: propertyId, action };
      });
      const status = problems.length ? 'rejected' : 'ready';
      return db.transaction(async (tx) => {
        const [imp] = await tx.query<{ id: number }>(
          `insert into voa_imports (authority_id, kind, file_name, file_hash, status, line_count, problems, created_at, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
          [input.authorityId, input.kind, input.fileName, hash, status, parsed.lines, JSON.stringify(problems.sort((a, b) => a.line - b.line)), clock.now(), actor.userId]);
        for (let i = 0; i < rows.length; i += 5_000) {
          await tx.query(
            `insert into voa_import_lines (import_id, line_no, raw, parsed, problem, property_id, action)
             select $1, x.line_no, x.raw, x.parsed, x.problem, x.property_id, x.action
               from jsonb_to_recordset($2::jsonb) as x(line_no int, raw text, parsed jsonb, problem text, property_id bigint, action text)`,
            [imp.id, JSON.stringify(rows.slice(i, i + 5_000))]);
        }
        await audit.record(actor, { action: 'create.voa_import', entityType: 'voa_import', entityId: imp.id, authorityId: input.authorityId, detail: { fileName: input.fileName, lines: parsed.lines, problems: problems.length } }, tx);
        return imp.id;
      }).then((id) => view(actor, id));
    },

    /** Leaves lines out of the file; once every malformed line is out (or none), the file can be applied. */
    async exclude(actor: Actor, importId: number, lines: number[]): Promise<VoaImportView> {
      requirePermission(actor, 'billing.run');
      const row = await requireImport(actor, importId);
      if (row.status === 'applied' || row.status === 'applying') throw new ValidationError('This file has been applied: lines can no longer be excluded');
      const known = new Set((await db.query<{ line_no: number }>('select line_no from voa_import_lines where import_id = $1', [importId])).map((l) => l.line_no));
      const bad = lines.filter((l) => !Number.isInteger(l) || !known.has(l));
      if (bad.length) throw new ValidationError(`The file has no line ${bad.join(', ')}`, [{ field: 'lines', message: `No line ${bad.join(', ')} in this file` }]);
      const excluded = [...new Set([...row.excluded_lines, ...lines])].sort((a, b) => a - b);
      const open = row.problems.filter((p) => !excluded.includes(p.line));
      await db.query('update voa_imports set excluded_lines = $2, status = $3 where id = $1', [importId, excluded, open.length ? 'rejected' : 'ready']);
      await audit.record(actor, { action: 'update.voa_import.exclude', entityType: 'voa_import', entityId: importId, authorityId: row.authority_id, detail: { lines } });
      return view(actor, importId);
    },

    /** Applies every line (except excluded and unchanged ones) from its effective date, oldest first. Resumable. */
    async apply(actor: Actor, importId: number): Promise<VoaImportView> {
      requirePermission(actor, 'billing.run');
      const row = await requireImport(actor, importId);
      if (row.status === 'rejected') {
        throw new ValidationError(`Nothing has been applied: ${row.problems.filter((p) => !row.excluded_lines.includes(p.line)).map((p) => `line ${p.line} ${p.message}`).join('; ')}. Fix the file and import it again, or exclude those lines.`);
      }
      if (row.status === 'applied') return view(actor, importId);
      await db.query(`update voa_imports set status = 'applying' where id = $1`, [importId]);
      const pending = await db.query<{ line_no: number; parsed: Record_; property_id: number | null; action: VoaImportLine['action'] }>(
        `select line_no, parsed, property_id, action from voa_import_lines
          where import_id = $1 and problem is null and applied_at is null and not (line_no = any($2::int[])) and action in ('change', 'new_property')`,
        [importId, row.excluded_lines]);
      pending.sort((a, b) => compareDates(a.parsed.effectiveDate, b.parsed.effectiveDate) || a.line_no - b.line_no);
      const report = row.report ?? { changed: 0, created: 0, unchanged: 0, bills: 0, failures: [] };
      report.unchanged = (await db.query<{ n: number }>(`select count(*)::int as n from voa_import_lines where import_id = $1 and action = 'unchanged'`, [importId]))[0].n;
      const bySystem = `voa-import:${importId}`;
      for (const line of pending) {
        try {
          await db.transaction(async (tx) => {
            const r = line.parsed;
            let propertyId = line.property_id;
            if (line.action === 'new_property' || !propertyId) {
              // The property may have been created by an earlier line of the same file.
              const key = 'baReference' in r ? r.baReference : r.uprn;
              const [found] = await tx.query<{ id: number }>(
                'baReference' in r ? `select id from properties where authority_id = $1 and ba_reference = $2` : `select id from properties where authority_id = $1 and uprn = $2`,
                [row.authority_id, key]);
              propertyId = found?.id ?? null;
              if (!propertyId) {
                const [p] = 'baReference' in r
                  ? await tx.query<{ id: number }>(
                    `insert into properties (authority_id, kind, uprn, address_line1, address_line2, town, postcode, rateable_value_pounds, description, scat_code, ba_reference)
                     values ($1, 'hereditament', null, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
                    [row.authority_id, [r.address.numberOrName, r.address.street].filter(Boolean).join(' ') || r.propertyIdentifier || r.baReference,
                      r.address.postalDistrict || null, r.address.town || '-', r.address.postcode || '-', r.rateableValuePounds, r.description || null, r.scatCode || null, r.baReference])
                  : await tx.query<{ id: number }>(
                    `insert into properties (authority_id, kind, uprn, address_line1, town, postcode, band) values ($1, 'dwelling', $2, $3, $4, $5, $6) returning id`,
                    [row.authority_id, r.uprn, r.address.split(',')[0]?.trim() || r.address, r.address.split(',').slice(1).join(',').trim() || '-', r.postcode || '-', r.band]);
                await tx.query(
                  `insert into property_valuations (property_id, effective_from, band, rateable_value_pounds, retail_hospitality_leisure, description, scat_code, source, reason, created_by)
                   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
                  [p.id, r.effectiveDate, 'band' in r ? r.band : null, 'band' in r ? null : r.rateableValuePounds, 'band' in r ? false : isRhlDescription(r.description),
                    'band' in r ? null : r.description || null, 'band' in r ? null : r.scatCode || null, bySystem, `VOA ${'band' in r ? r.scheduleReference || 'schedule' : `list entry ${r.entryNumber}`}`, actor.userId]);
                report.created++;
                await tx.query('update voa_import_lines set applied_at = $3, property_id = $4 where import_id = $1 and line_no = $2', [importId, line.line_no, clock.now(), p.id]);
                return;
              }
            }
            const input = 'band' in r
              ? { effectiveFrom: r.effectiveDate, band: r.band, reason: `VOA ${r.reason || 'band change'}${r.scheduleReference ? ` ${r.scheduleReference}` : ''}` }
              : { effectiveFrom: r.effectiveDate, rateableValuePounds: r.rateableValuePounds, description: r.description || undefined, scatCode: r.scatCode || undefined,
                  retailHospitalityLeisure: isRhlDescription(r.description), reason: `VOA list entry ${r.entryNumber}${r.caseNumber ? `, case ${r.caseNumber}` : ''}` };
            const result = await billing.changeValuation(actor, propertyId, input, { source: bySystem, bySystem, tx });
            report.changed++;
            report.bills += result.bills.length;
            await tx.query('update voa_import_lines set applied_at = $3, property_id = $4 where import_id = $1 and line_no = $2', [importId, line.line_no, clock.now(), propertyId]);
          });
        } catch (error) {
          report.failures.push({ line: line.line_no, message: (error as Error).message });
        }
      }
      await db.query(`update voa_imports set status = 'applied', applied_at = $2, applied_by = $3, report = $4 where id = $1`, [importId, clock.now(), actor.userId, JSON.stringify(report)]);
      await audit.record(actor, { action: 'update.voa_import.apply', entityType: 'voa_import', entityId: importId, authorityId: row.authority_id, detail: report });
      return view(actor, importId);
    },

    format(v: VoaImportView): string {
      const lines = [
        `VOA import ${v.id}: ${v.fileName} (${v.kind === 'nndr_list' ? 'business rates list entries' : 'council tax band changes'}), ${v.lineCount} lines: ${v.status}`,
        `  to change ${v.counts.change}, new properties ${v.counts.new_property}, unchanged ${v.counts.unchanged}, excluded ${v.counts.excluded}, malformed ${v.counts.problems}`,
      ];
      for (const p of v.problems) lines.push(`  line ${p.line}${v.excludedLines.includes(p.line) ? ' (excluded)' : ''}: ${p.message}`);
      for (const l of v.lines.filter((x) => x.action === 'change' || x.action === 'new_property')) {
        lines.push(`  line ${l.line}: ${l.propertyAddress ?? 'new property'} ${l.current ?? '-'} → ${l.proposed} from ${l.effectiveDate}${l.accountsToRebill.length ? `; rebills ${l.accountsToRebill.join(', ')}` : ''}${l.appliedAt ? ' (applied)' : ''}${l.excluded ? ' (excluded)' : ''}`);
      }
      if (v.report) {
        lines.push(`  applied: ${v.report.changed} changed, ${v.report.created} created, ${v.report.bills} bills issued`);
        for (const f of v.report.failures) lines.push(`  FAILED line ${f.line}: ${f.message}`);
      }
      if (v.status === 'rejected') lines.push('  Nothing applied: fix the file and import it again, or exclude the malformed lines (--exclude).');
      return lines.join('\n');
    },
  };
}
export type VoaService = ReturnType<typeof createVoaService>;
