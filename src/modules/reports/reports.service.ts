// Reports and KPIs: the catalogue, the filters every report shares, running a report for an actor,
// its files (CSV, XLSX), the council's collection-rate targets, and the aggregates' upkeep.
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { STREAMS, type Stream } from '../../domain/account-reference.ts';
import { addMonths, financialYearOf, isIsoDate, parseFinancialYear } from '../../domain/calendar.ts';
import { NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import { tableToCsv } from '../../integrations/report-files/csv.ts';
import { tablesToXlsx } from '../../integrations/report-files/xlsx.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import { can } from '../auth/roles.ts';
import { buildArrears } from './arrears.report.ts';
import { buildCollectionRate, COLLECTABLE_STREAMS } from './collection-rate.report.ts';
import { buildEnforcement } from './enforcement.report.ts';
import { buildMembers } from './members.report.ts';
import { buildRefunds, buildSuspense, buildWriteOffs } from './money.report.ts';
import { buildPipeline } from './pipeline.report.ts';
import { fy, longDate, monthLabel, streamLabel, type ReportBuilder, type ResolvedFilters } from './report-context.ts';
import type { ReportInfo, ReportResult } from './report-model.ts';
import type { ReportsRepository } from './reports.repository.ts';
import { buildWorkload } from './workload.report.ts';

export const REPORTS: (ReportInfo & { build: ReportBuilder })[] = [
  {
    name: 'collection-rate', title: 'Collection rate', permission: 'reports.view', filters: ['authority', 'stream', 'year'], streams: 'collectable',
    description: 'In-year collection rate for council tax and business rates (QRC4), month by month against last year and the target.',
    build: buildCollectionRate,
  },
  {
    name: 'arrears', title: 'Arrears and aged debt', permission: 'reports.view', filters: ['authority', 'stream', 'year', 'from', 'to'], streams: 'all',
    description: 'What is owed by financial year and stream, how old it is, where it stands in recovery, and arrears collected in the year.',
    build: buildArrears,
  },
  {
    name: 'recovery-pipeline', title: 'Recovery pipeline', permission: 'reports.view', filters: ['authority', 'stream', 'year', 'from', 'to'], streams: 'collectable',
    description: 'Accounts and amounts at each recovery stage, steps taken each week, notices by run and court outcomes.',
    build: buildPipeline,
  },
  {
    name: 'arrangements-and-enforcement', title: 'Arrangements, attachments and enforcement agents', permission: 'reports.view', filters: ['authority', 'year', 'from', 'to'],
    description: 'Arrangements kept and broken, attachments of earnings in force and collected, and enforcement agents’ performance by firm.',
    build: buildEnforcement,
  },
  {
    name: 'members-accounts', title: 'Members’ accounts (s.106)', permission: 'reports.view', filters: ['authority', 'meetingDate'],
    description: 'Councillors with council tax unpaid for two months or more at a meeting date (s.106 Local Government Finance Act 1992).',
    build: buildMembers,
  },
  {
    name: 'suspense', title: 'Suspense by age', permission: 'reports.view', filters: ['authority'],
    description: 'Unidentified money waiting in suspense, by how long it has waited.',
    build: buildSuspense,
  },
  {
    name: 'refunds', title: 'Refunds', permission: 'reports.view', filters: ['authority', 'year', 'from', 'to'],
    description: 'Refunds and returns asked for each month and where they stand.',
    build: buildRefunds,
  },
  {
    name: 'write-offs', title: 'Write-offs by reason', permission: 'reports.view', filters: ['authority', 'stream', 'year', 'from', 'to'], streams: 'all',
    description: 'Debt written off (and written back on) in a period, by stream and reason.',
    build: buildWriteOffs,
  },
  {
    name: 'workload', title: 'Officer workload', permission: 'reports.workload', filters: ['authority', 'year', 'from', 'to'],
    description: 'Notes, contacts and other actions by officer, customers and accounts worked, and the team’s work queues.',
    build: buildWorkload,
  },
];
export const REPORT_NAMES = REPORTS.map((r) => r.name);

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const dateField = (label: string) =>
  z.preprocess(blank, z.string().trim().refine(isIsoDate, `Enter ${label} as a real date, YYYY-MM-DD`).optional());

/** The filters every report takes (each uses those its catalogue entry names); query-string friendly. */
export const reportQuerySchema = z.object({
  authority: z.preprocess(blank, z.string().trim().max(20, 'Choose a billing authority by its ONS code').optional()),
  stream: z.preprocess(blank, z.enum(STREAMS, { message: `Stream must be one of ${STREAMS.join(', ')}` }).optional()),
  year: z.preprocess(blank, z.string().trim().regex(/^\d{4}\/\d{2}$/, 'Enter the financial year like 2026/27').optional()),
  from: dateField('the start date'),
  to: dateField('the end date'),
  meetingDate: dateField('the meeting date'),
});
export type ReportQuery = z.infer<typeof reportQuerySchema>;

export const targetsQuerySchema = z.object({
  authority: z.preprocess(blank, z.string().trim().max(20).optional()),
  stream: z.preprocess(blank, z.enum(COLLECTABLE_STREAMS, { message: 'Choose council tax or business rates' }).default('council_tax')),
  year: z.preprocess(blank, z.string().trim().regex(/^\d{4}\/\d{2}$/, 'Enter the financial year like 2026/27').optional()),
});

const percentText = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : blank(v)),
  z.string().trim().regex(/^\d{1,3}(\.\d{1,2})?$/, 'Enter a percentage from 0 to 100, with up to two decimal places')
    .refine((t) => Number(t) <= 100, 'Enter a percentage from 0 to 100').optional(),
);
export const targetsInputSchema = targetsQuerySchema.extend({
  months: z.array(percentText).length(12, 'Give a target (or leave it blank) for each of the 12 months'),
});

function parse<T>(schema: z.ZodType<T>, input: unknown, message: string): T {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw new ValidationError(message, fieldProblemsFromZod(parsed.error.issues));
  return parsed.data;
}

export function createReportsService(deps: { db: Db; clock: Clock; repo: ReportsRepository; audit: AuditRepository }) {
  const { db, clock, repo, audit } = deps;

  function find(name: string) {
    const report = REPORTS.find((r) => r.name === name);
    if (!report) throw new NotFoundError(`There is no report called "${name}" (there are: ${REPORT_NAMES.join(', ')})`);
    return report;
  }

  async function resolveAuthorities(actor: Actor, onsCode: string | undefined) {
    const mine = await repo.authorities(actor.authorityIds);
    if (!onsCode) return mine;
    const chosen = mine.filter((a) => a.ons_code === onsCode);
    if (!chosen.length) {
      throw new ValidationError(`You do not work on a billing authority with ONS code ${onsCode}`, [{ field: 'authority', message: `Choose one of ${mine.map((a) => a.ons_code).join(', ') || 'your authorities'}` }]);
    }
    return chosen;
  }

  function yearOf(text: string | undefined, today: string): number {
    if (!text) return financialYearOf(today).startYear;
    try {
      return parseFinancialYear(text).startYear;
    } catch (error) {
      throw new ValidationError((error as Error).message, [{ field: 'year', message: 'Enter the financial year like 2026/27' }]);
    }
  }

  async function resolve(actor: Actor, report: ReportInfo, query: ReportQuery): Promise<ResolvedFilters> {
    const today = clock.today();
    const authorities = await resolveAuthorities(actor, query.authority);
    const year = yearOf(query.year, today);
    if (query.stream && report.streams === 'collectable' && !(COLLECTABLE_STREAMS as readonly string[]).includes(query.stream)) {
      throw new ValidationError('This report covers council tax and business rates only', [{ field: 'stream', message: 'Choose council tax or business rates' }]);
    }
    const yearStart = `${year}-04-01`;
    const yearEnd = `${year + 1}-03-31`;
    const to = query.to ?? (today >= yearStart && today < yearEnd ? today : yearEnd);
    const from = query.from ?? (to < yearStart ? `${financialYearOf(to).startYear}-04-01` : yearStart);
    if (from > to) throw new ValidationError('The start date must be on or before the end date', [{ field: 'from', message: 'The start date must be on or before the end date' }]);
    return {
      authorities, authorityIds: authorities.map((a) => a.id), stream: report.streams ? ((query.stream as Stream | undefined) ?? null) : null,
      year, from, to, meetingDate: query.meetingDate ?? today, today,
    };
  }

  function applied(report: ReportInfo, f: ResolvedFilters): { label: string; value: string }[] {
    const out: { label: string; value: string }[] = [
      { label: 'Billing authority', value: f.authorities.map((a) => `${a.name} (${a.ons_code})`).join(', ') || 'None' },
    ];
    if (report.filters.includes('stream')) out.push({ label: 'Stream', value: f.stream ? streamLabel(f.stream) : 'All' });
    if (report.filters.includes('year')) out.push({ label: 'Financial year', value: fy(f.year) });
    if (report.filters.includes('from')) out.push({ label: 'Period', value: `${longDate(f.from)} to ${longDate(f.to)}` });
    if (report.filters.includes('meetingDate')) out.push({ label: 'Meeting date', value: longDate(f.meetingDate) });
    return out;
  }

  async function run(actor: Actor, name: string, input: unknown): Promise<ReportResult & { filters: ResolvedFilters }> {
    const report = find(name);
    requirePermission(actor, report.permission);
    const query = parse(reportQuerySchema, input, 'Check the report filters');
    const filters = await resolve(actor, report, query);
    await repo.fold();
    const built = await report.build({ repo, actor, filters });
    if (report.name === 'members-accounts') {
      // Councillors' council tax is personal data: every view and download is on the audit trail.
      await audit.record(actor, { action: 'view.report.members', entityType: 'report', entityId: report.name, authorityId: filters.authorityIds.length === 1 ? filters.authorityIds[0] : null, detail: { meetingDate: filters.meetingDate, authorities: filters.authorities.map((a) => a.ons_code) } });
    }
    return { name: report.name, title: report.title, description: report.description, asAt: filters.today, applied: applied(report, filters), ...built, filters };
  }

  function fileName(result: ReportResult & { filters: ResolvedFilters }, extension: string, table?: string) {
    const codes = result.filters.authorities.map((a) => a.ons_code).join('-') || 'none';
    return `levy-${result.name}${table ? `-${table}` : ''}-${codes}-${result.filters.today}.${extension}`;
  }

  return {
    reports: REPORTS,

    /** The reports this actor may open. */
    catalogue(actor: Actor): ReportInfo[] {
      return REPORTS.filter((r) => can(actor.role, r.permission)).map(({ build: _build, ...info }) => info);
    },

    info(name: string): ReportInfo {
      const { build: _build, ...info } = find(name);
      return info;
    },

    async authoritiesFor(actor: Actor) {
      return repo.authorities(actor.authorityIds);
    },

    run,

    /** The report as CSV (one table: the first unless `table` names another) or as an XLSX workbook (every table). */
    async file(actor: Actor, name: string, input: unknown, format: 'csv' | 'xlsx', tableKey?: string) {
      const result = await run(actor, name, input);
      if (format === 'csv') {
        const table = tableKey ? result.tables.find((t) => t.key === tableKey) : result.tables[0];
        if (!table) throw new ValidationError(`The ${result.title.toLowerCase()} report has no table "${tableKey}" (it has ${result.tables.map((t) => t.key).join(', ')})`, [{ field: 'table', message: `Choose one of ${result.tables.map((t) => t.key).join(', ')}` }]);
        return { fileName: fileName(result, 'csv', table.key === result.tables[0].key ? undefined : table.key), contentType: 'text/csv; charset=utf-8', body: Buffer.from(tableToCsv(table), 'utf8') };
      }
      const body = await tablesToXlsx({
        title: result.title,
        description: result.description,
        about: [...result.applied.map((a) => [a.label, a.value] as [string, string]), ['Produced', `${longDate(result.asAt)} by Levy`], ...result.headline.map((h) => [h.label, h.value] as [string, string])],
        notes: result.notes,
        tables: result.tables,
        created: clock.now(),
      });
      return { fileName: fileName(result, 'xlsx'), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body };
    },

    /** A year's monthly targets for one authority and stream (blank months have none). */
    async targets(actor: Actor, input: unknown) {
      requirePermission(actor, 'reports.view');
      const query = parse(targetsQuerySchema, input, 'Check the target filters');
      const authorities = await resolveAuthorities(actor, query.authority);
      if (!authorities.length) throw new NotFoundError('You do not work on any billing authority');
      const authority = authorities[0];
      const year = yearOf(query.year, clock.today());
      const rows = await repo.targets(authority.id, [query.stream], year);
      const months = Array.from({ length: 12 }, (_, i) => {
        const monthNo = i + 1;
        const row = rows.find((r) => r.month_no === monthNo);
        return { monthNo, month: monthLabel(addMonths(`${year}-04-01`, i)), percent: row ? row.target_percent : null };
      });
      const last = rows.reduce<(typeof rows)[number] | null>((a, r) => (!a || r.updated_at > a.updated_at ? r : a), null);
      return { authority, authorities, stream: query.stream, year, yearLabel: fy(year), months, updatedAt: last?.updated_at ?? null, updatedBy: last?.updated_by_name ?? null };
    },

    /** Sets a year's monthly targets (a blank month removes its target). Managers only. */
    async saveTargets(actor: Actor, input: unknown) {
      requirePermission(actor, 'reports.targets');
      const data = parse(targetsInputSchema, input, 'Check the targets');
      const authorities = await resolveAuthorities(actor, data.authority);
      if (!authorities.length) throw new NotFoundError('You do not work on any billing authority');
      if (!data.authority && authorities.length > 1) throw new ValidationError('Choose the billing authority the targets are for', [{ field: 'authority', message: 'Choose a billing authority' }]);
      const authority = authorities[0];
      const year = yearOf(data.year, clock.today());
      const months = data.months.map((percent, i) => ({ monthNo: i + 1, percent: percent ?? null }));
      await db.transaction(async (tx) => {
        await repo.saveTargets(tx, { authorityId: authority.id, stream: data.stream, year, months, userId: actor.userId, now: clock.now() });
        await audit.record(actor, { action: 'update.collection_targets', entityType: 'collection_targets', entityId: `${authority.ons_code}/${data.stream}/${fy(year)}`, authorityId: authority.id, detail: { months: data.months } }, tx);
      });
      return { authority: authority.ons_code, stream: data.stream, year: fy(year), months: months.map((m) => ({ monthNo: m.monthNo, percent: m.percent === null ? null : Number(m.percent) })) };
    },

    /** Folds pending aggregate deltas (the background job and `levy report refresh`). */
    fold: (limit: number | null = null) => repo.fold(limit),
    pendingDeltas: () => repo.pendingDeltas(),
    /** Differences between the aggregates and the ledger; none when they reconcile. */
    reconcile: () => repo.reconcile(),
    rebuild: () => repo.rebuild(),
  };
}
export type ReportsService = ReturnType<typeof createReportsService>;
