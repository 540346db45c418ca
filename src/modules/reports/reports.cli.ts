// `levy report <name>`: any report as JSON, CSV or XLSX, from the same service as the pages and the
// API, acting as the system (a manager's view of every authority, or the one --authority names).
// `levy report list | refresh | reconcile | rebuild` look after the report aggregates.
import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { Runtime } from '../../runtime.ts';
import { ValidationError } from '../../errors.ts';
import type { Actor } from '../auth/context.ts';
import { REPORT_NAMES, REPORTS } from './reports.service.ts';

type WithRuntime = <T>(fn: (runtime: Runtime) => Promise<T>) => Promise<T>;

const FORMATS = ['json', 'csv', 'xlsx'] as const;
const MAINTENANCE = ['list', 'refresh', 'reconcile', 'rebuild'] as const;

interface ReportOptions {
  format: (typeof FORMATS)[number];
  year?: string;
  authority?: string;
  stream?: string;
  from?: string;
  to?: string;
  meetingDate?: string;
  table?: string;
  out?: string;
}

async function cliActor(runtime: Runtime): Promise<Actor> {
  const rows = await runtime.db.query<{ id: number }>('select id from billing_authorities order by id');
  return { userId: null, username: 'levy-cli', role: 'recovery_manager', authorityIds: rows.map((r) => r.id) };
}

function write(options: ReportOptions, body: Buffer | string) {
  if (options.out) {
    fs.writeFileSync(options.out, body);
    process.stderr.write(`Wrote ${options.out} (${Buffer.byteLength(body).toLocaleString('en-GB')} bytes)\n`);
  } else {
    process.stdout.write(body);
  }
}

export function registerReportCommands(program: Command, withRuntime: WithRuntime) {
  program
    .command('report')
    .description(`run a report (${REPORT_NAMES.join(', ')}), or look after the report aggregates (${MAINTENANCE.join(', ')})`)
    .argument('<name>', `a report: ${REPORT_NAMES.join(', ')}; or list, refresh (fold pending ledger changes), reconcile (check against the ledger), rebuild`)
    .option('--format <format>', `one of ${FORMATS.join(', ')}`, (value: string) => {
      if (!(FORMATS as readonly string[]).includes(value)) throw new InvalidArgumentError(`--format must be one of ${FORMATS.join(', ')}; got "${value}"`);
      return value as ReportOptions['format'];
    }, 'json')
    .option('--year <year>', 'financial year, e.g. 2026/27 (default: this year)')
    .option('--authority <onsCode>', 'one billing authority by ONS code (default: every one)')
    .option('--stream <stream>', 'one stream, e.g. council_tax or business_rates')
    .option('--from <date>', 'start of the period, YYYY-MM-DD')
    .option('--to <date>', 'end of the period, YYYY-MM-DD')
    .option('--meeting-date <date>', "members' accounts: the meeting date, YYYY-MM-DD (default today)")
    .option('--table <key>', 'CSV: which table (default the first)')
    .option('--out <file>', 'write to this file instead of standard output')
    .action((name: string, options: ReportOptions) =>
      withRuntime(async (runtime) => {
        const reports = runtime.services.reports;
        if (name === 'list') {
          const list = REPORTS.map((r) => ({ name: r.name, title: r.title, filters: r.filters, description: r.description }));
          write(options, options.format === 'json' ? `${JSON.stringify(list, null, 2)}\n` : `${list.map((r) => `${r.name.padEnd(20)} ${r.title}`).join('\n')}\n`);
          return;
        }
        if (name === 'refresh') {
          const folded = await reports.fold();
          process.stdout.write(`Folded ${folded.toLocaleString('en-GB')} pending ledger changes into the report aggregates.\n`);
          return;
        }
        if (name === 'reconcile') {
          const differences = await reports.reconcile();
          if (options.format === 'json') process.stdout.write(`${JSON.stringify({ reconciled: differences.length === 0, differences }, null, 2)}\n`);
          else process.stdout.write(differences.length ? `${differences.length} differences:\n${differences.slice(0, 50).map((d) => `  ${d.what} ${d.key}: ledger ${d.ledger_pence}, aggregate ${d.aggregate_pence}`).join('\n')}\n` : 'The report aggregates reconcile with the ledger.\n');
          if (differences.length) process.exitCode = 1;
          return;
        }
        if (name === 'rebuild') {
          await reports.rebuild();
          process.stdout.write('Rebuilt the report aggregates from the ledger.\n');
          return;
        }
        if (!REPORT_NAMES.includes(name)) {
          throw new ValidationError(`<name>: no report called "${name}" (reports: ${REPORT_NAMES.join(', ')}; or ${MAINTENANCE.join(', ')})`, [{ field: 'name', message: `one of ${[...REPORT_NAMES, ...MAINTENANCE].join(', ')}` }]);
        }
        const actor = await cliActor(runtime);
        const filters = { year: options.year, authority: options.authority, stream: options.stream, from: options.from, to: options.to, meetingDate: options.meetingDate };
        if (options.format === 'json') {
          const { filters: _resolved, charts: _charts, ...result } = await reports.run(actor, name, filters);
          write(options, `${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const file = await reports.file(actor, name, filters, options.format, options.table);
        write(options, file.body);
      }),
    );
}
