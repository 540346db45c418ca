// Reports: the dashboard, each report as a page (SVG charts with their tables), CSV and XLSX
// downloads, the JSON API (each report, its CSV and XLSX), and the collection-rate targets.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { actorOf } from '../../web/guard.ts';
import { ValidationError } from '../../errors.ts';
import { STREAMS, STREAM_LABELS } from '../../domain/account-reference.ts';
import { financialYearOf } from '../../domain/calendar.ts';
import { formatPence } from '../../domain/money.ts';
import { can } from '../auth/roles.ts';
import { renderChart } from './charts.ts';
import { COLLECTABLE_STREAMS } from './collection-rate.report.ts';
import { fy, longDate } from './report-context.ts';
import { formatCount, formatPercent, formatPoints, type Cell, type ColumnType, type ReportResult } from './report-model.ts';
import { REPORTS, reportQuerySchema, targetsInputSchema, targetsQuerySchema } from './reports.service.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FOLD_EVERY_MS = 30_000;
const FOLD_BATCH = 100_000;

function formatCell(value: Cell, type: ColumnType): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (type === 'pence') return formatPence(value);
    if (type === 'percent') return formatPercent(value);
    if (type === 'points') return formatPoints(value);
    if (type === 'count') return formatCount(value);
    return String(value);
  }
  if (type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return longDate(value);
  return value;
}

const isNumeric = (type: ColumnType) => type === 'pence' || type === 'percent' || type === 'points' || type === 'count';

/** The page's view of a report: each table with its formatted cells and the charts drawn from it. */
function pageModel(result: ReportResult) {
  return result.tables.map((table) => ({
    key: table.key,
    title: table.title,
    empty: table.empty ?? 'Nothing to show.',
    headers: table.columns.map((c) => ({ text: c.label, numeric: isNumeric(c.type) })),
    rows: [...table.rows, ...(table.totals ? [table.totals] : [])].map((row, i, all) => ({
      total: Boolean(table.totals) && i === all.length - 1,
      cells: table.columns.map((c) => ({ text: formatCell(row[c.key] ?? null, c.type), numeric: isNumeric(c.type) })),
    })),
    hasRows: table.rows.length > 0,
    charts: result.charts
      .map((chart, index) => ({ chart, index }))
      .filter(({ chart }) => chart.table === table.key)
      .map(({ chart, index }) => ({ title: chart.title, svg: renderChart(chart, table, `chart-${index + 1}`) })),
  }));
}

export function registerReportRoutes({ app, services, api }: RouteContext) {
  // In the background: fold a backlog (after a billing run or a large import) batch after batch, then
  // look again every 30 seconds. Each batch is its own transaction, so pages interleave with it.
  let timer: NodeJS.Timeout | undefined;
  let closing = false;
  const foldInBackground = async () => {
    try {
      while (!closing && (await services.reports.fold(FOLD_BATCH)) === FOLD_BATCH);
    } catch (error) {
      app.log.error({ err: error }, 'folding report aggregates failed');
    }
    if (!closing) {
      timer = setTimeout(() => void foldInBackground(), FOLD_EVERY_MS);
      timer.unref();
    }
  };
  app.addHook('onReady', async () => {
    timer = setTimeout(() => void foldInBackground(), FOLD_EVERY_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    closing = true;
    clearTimeout(timer);
  });

  const query = (request: FastifyRequest) => (request.query ?? {}) as Record<string, string | undefined>;

  /** The filter form's choices, each select's current value marked (the year defaults to this one). */
  async function filterChoices(request: FastifyRequest, report: { filters: string[]; streams?: 'collectable' | 'all' }, values: Record<string, string>) {
    const authorities = await services.reports.authoritiesFor(actorOf(request));
    const thisYear = financialYearOf(services.clock.today()).startYear;
    const year = values.year || fy(thisYear);
    return {
      authorities: [{ value: '', text: 'All your authorities' }, ...authorities.map((a) => ({ value: a.ons_code, text: `${a.name} (${a.ons_code})`, selected: a.ons_code === values.authority }))],
      streams: [{ value: '', text: 'All' }, ...(report.streams === 'collectable' ? COLLECTABLE_STREAMS : STREAMS).map((s) => ({ value: s, text: STREAM_LABELS[s], selected: s === values.stream }))],
      years: Array.from({ length: 7 }, (_, i) => fy(thisYear + 1 - i)).map((y) => ({ value: y, text: y, selected: y === year })),
      show: Object.fromEntries(report.filters.map((f) => [f, true])),
    };
  }

  app.get('/reports', { config: { access: 'reports.view' } }, async (request, reply) => {
    const actor = actorOf(request);
    const catalogue = services.reports.catalogue(actor);
    const rate = await services.reports.run(actor, 'collection-rate', {});
    const suspense = await services.reports.run(actor, 'suspense', {});
    return reply.page('reports/views/dashboard.njk', {
      title: 'Reports', catalogue, headline: [...rate.headline, ...suspense.headline], today: services.clock.today(),
      canSetTargets: can(actor.role, 'reports.targets'),
    });
  });

  async function targetsPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(request);
    const q = { ...query(request), ...((extra.values as Record<string, unknown> | undefined) ?? {}) };
    const targets = await services.reports.targets(actor, { authority: q.authority, stream: q.stream, year: q.year });
    const thisYear = financialYearOf(services.clock.today()).startYear;
    return reply.page('reports/views/targets.njk', {
      title: 'Collection-rate targets', targets,
      streams: COLLECTABLE_STREAMS.map((s) => ({ value: s, text: STREAM_LABELS[s] })),
      years: Array.from({ length: 4 }, (_, i) => thisYear + 1 - i).map((y) => fy(y)),
      canEdit: can(actor.role, 'reports.targets'), saved: query(request).saved === '1', ...extra,
    }, status);
  }
  app.get('/reports/targets', { config: { access: 'reports.view' } }, (request, reply) => targetsPage(request, reply));
  app.post('/reports/targets', { config: { access: 'reports.targets' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string | undefined>;
    const input = { authority: body.authority, stream: body.stream, year: body.year, months: Array.from({ length: 12 }, (_, i) => body[`month${i + 1}`] ?? '') };
    try {
      const saved = await services.reports.saveTargets(actorOf(request), input);
      return reply.redirect(`/reports/targets?authority=${encodeURIComponent(saved.authority)}&stream=${saved.stream}&year=${encodeURIComponent(saved.year)}&saved=1`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const errors = error.fields.map((f) => (/^months\.\d+$/.test(f.field) ? { ...f, field: `month${Number(f.field.split('.')[1]) + 1}` } : f));
      return targetsPage(request, reply, { errors, values: { authority: body.authority, stream: body.stream, year: body.year }, entered: input.months }, 400);
    }
  });

  api.add(app, {
    method: 'GET', url: '/api/v1/reports', tag: 'Reports', access: 'signed-in',
    summary: 'The reports you may run, with the filters each takes',
    response: z.object({ reports: z.array(z.object({ name: z.string(), title: z.string(), description: z.string(), filters: z.array(z.string()), jsonUrl: z.string(), csvUrl: z.string(), xlsxUrl: z.string() })) }),
    handler: async ({ request }) => ({
      reports: services.reports.catalogue(actorOf(request)).map((r) => ({
        name: r.name, title: r.title, description: r.description, filters: r.filters,
        jsonUrl: `/api/v1/reports/${r.name}`, csvUrl: `/api/v1/reports/${r.name}/csv`, xlsxUrl: `/api/v1/reports/${r.name}/xlsx`,
      })),
    }),
  });

  const targetsJson = z.object({
    authority: z.string(), stream: z.string(), year: z.string(),
    months: z.array(z.object({ monthNo: z.number(), month: z.string(), percent: z.number().nullable() })),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/reports/targets', tag: 'Reports', access: 'reports.view',
    summary: 'A year’s monthly collection-rate targets for one authority and stream (month 1 is April)',
    query: targetsQuerySchema, response: targetsJson,
    handler: async ({ query: q, request }) => {
      const t = await services.reports.targets(actorOf(request), q);
      return { authority: t.authority.ons_code, stream: t.stream, year: t.yearLabel, months: t.months.map((m) => ({ monthNo: m.monthNo, month: m.month, percent: m.percent === null ? null : Number(m.percent) })) };
    },
  });
  api.add(app, {
    method: 'PUT', url: '/api/v1/reports/targets', tag: 'Reports', access: 'reports.targets',
    summary: 'Set a year’s monthly collection-rate targets (12 percentages, April first; null for none)',
    body: targetsInputSchema, response: z.object({ authority: z.string(), stream: z.string(), year: z.string(), months: z.array(z.object({ monthNo: z.number(), percent: z.number().nullable() })) }),
    handler: async ({ body, request }) => services.reports.saveTargets(actorOf(request), body),
  });

  const resultJson = z.object({
    name: z.string(), title: z.string(), description: z.string(), asAt: z.string(),
    applied: z.array(z.object({ label: z.string(), value: z.string() })),
    headline: z.array(z.object({ label: z.string(), value: z.string() })),
    tables: z.array(z.object({
      key: z.string(), title: z.string(),
      columns: z.array(z.object({ key: z.string(), label: z.string(), type: z.string() })),
      rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
      totals: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
    })),
    notes: z.array(z.string()),
  });

  for (const report of REPORTS) {
    const base = `/reports/${report.name}`;
    app.get(base, { config: { access: report.permission } }, async (request, reply) => {
      const actor = actorOf(request);
      const q = query(request);
      const values = { authority: q.authority ?? '', stream: q.stream ?? '', year: q.year ?? '', from: q.from ?? '', to: q.to ?? '', meetingDate: q.meetingDate ?? '' };
      const choices = await filterChoices(request, report, values);
      const search = new URLSearchParams(Object.entries(values).filter(([, v]) => v) as [string, string][]).toString();
      try {
        const result = await services.reports.run(actor, report.name, q);
        return reply.page('reports/views/report.njk', {
          title: report.title, report, result, tables: pageModel(result), choices, values,
          xlsxHref: `${base}/download?${search ? `${search}&` : ''}format=xlsx`,
          csvHref: (table: string) => `${base}/download?${search ? `${search}&` : ''}format=csv&table=${table}`,
          canSeeAll: can(actor.role, 'reports.view'),
        });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return reply.page('reports/views/report.njk', { title: report.title, report, choices, values, errors: error.fields, canSeeAll: can(actor.role, 'reports.view') }, 400);
      }
    });

    app.get(`${base}/download`, { config: { access: report.permission } }, async (request, reply) => {
      const { format, table, ...filters } = query(request);
      if (format !== 'csv' && format !== 'xlsx') throw new ValidationError('format must be csv or xlsx', [{ field: 'format', message: 'Choose csv or xlsx' }]);
      const file = await services.reports.file(actorOf(request), report.name, filters, format, table);
      return reply.type(file.contentType).header('content-disposition', `attachment; filename="${file.fileName}"`).send(file.body);
    });

    api.add(app, {
      method: 'GET', url: `/api/v1/reports/${report.name}`, tag: 'Reports', access: report.permission,
      summary: `${report.title}: ${report.description} Money in pence; percentages to two decimals.`,
      query: reportQuerySchema, response: resultJson,
      handler: async ({ query: q, request }) => {
        const { filters: _filters, charts: _charts, ...result } = await services.reports.run(actorOf(request), report.name, q);
        return result;
      },
    });
    for (const format of ['csv', 'xlsx'] as const) {
      api.add(app, {
        method: 'GET', url: `/api/v1/reports/${report.name}/${format}`, tag: 'Reports', access: report.permission,
        summary: format === 'csv' ? `${report.title} as CSV (the first table, or the one named by table)` : `${report.title} as an Excel workbook (every table)`,
        query: reportQuerySchema.extend({ table: z.string().max(40).optional() }), response: z.any(), produces: format === 'csv' ? 'text/csv; charset=utf-8' : XLSX,
        handler: async ({ query: q, request }, reply) => {
          const { table, ...filters } = q;
          const file = await services.reports.file(actorOf(request), report.name, filters, format, table);
          reply.header('content-disposition', `attachment; filename="${file.fileName}"`);
          return file.body;
        },
      });
    }
  }
}
