// The daily recovery run as a job: `levy recovery run --as-of DATE [--dry-run] [--authority ONS]`,
// scheduled by cron (or any scheduler) once a day after the payment files are in. For each authority
// it first finishes any run a crash interrupted, then previews the new one; with --approve-as a
// named senior officer approves it (their permission is checked), otherwise it waits on the
// Recovery page for a senior officer.
import type { Db } from '../db/database.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Actor } from '../modules/auth/context.ts';
import { can, type Role } from '../modules/auth/roles.ts';
import type { RunReport } from '../modules/recovery/recovery.repository.ts';
import type { Services } from '../services.ts';
import { STAGE_LABELS } from '../domain/recovery/timetable.ts';
import { formatPence } from '../domain/money.ts';

export interface RecoveryJobOptions {
  asOf: string;
  dryRun?: boolean;
  /** ONS code; every authority when not given. */
  authority?: string;
  /** Username of the senior officer approving the run (scheduled, unattended running). */
  approveAs?: string;
  batchSize?: number;
}

export interface RecoveryJobResult {
  authority: string;
  resumedRunId: number | null;
  runId: number | null;
  status: string;
  report: RunReport;
  issued?: Record<string, number>;
}

/** The batch acting as the system: it may preview and resume, never approve on its own. */
function systemActor(authorityIds: number[]): Actor {
  return { userId: null, username: 'levy-recovery-run', role: 'recovery_officer', authorityIds };
}

async function userActor(db: Db, username: string, authorityId: number): Promise<Actor> {
  const [user] = await db.query<{ id: number; role: Role; active: boolean; authority_ids: number[] }>(
    `select u.id, u.role, u.active, coalesce(array_agg(ua.authority_id) filter (where ua.authority_id is not null), '{}') as authority_ids
       from users u left join user_authorities ua on ua.user_id = u.id where u.username = $1 group by u.id`, [username]);
  if (!user || !user.active) throw new NotFoundError(`--approve-as: no active user "${username}"`);
  if (!can(user.role, 'recovery.approve')) throw new ValidationError(`--approve-as: ${username} may not approve recovery runs (a senior recovery officer or manager may)`);
  if (!user.authority_ids.includes(authorityId)) throw new ValidationError(`--approve-as: ${username} does not work on this authority`);
  return { userId: user.id, username, role: user.role, authorityIds: user.authority_ids };
}

export async function runRecoveryJob(services: Services, options: RecoveryJobOptions): Promise<RecoveryJobResult[]> {
  const authorities = await services.db.query<{ id: number; ons_code: string; name: string }>(
    `select id, ons_code, name from billing_authorities where ($1::text is null or ons_code = $1) order by id`, [options.authority ?? null]);
  if (!authorities.length) throw new NotFoundError(options.authority ? `--authority: no billing authority with ONS code "${options.authority}"` : 'No billing authorities: seed a council first');
  const results: RecoveryJobResult[] = [];
  for (const authority of authorities) {
    const system = systemActor([authority.id]);
    const approver = options.approveAs ? await userActor(services.db, options.approveAs, authority.id) : null;
    let resumedRunId: number | null = null;
    // A run a crash interrupted half-way: finish it first (it was approved; every notice goes once).
    const [open] = await services.db.query<{ batch_run_id: number; status: string; as_of: string }>(
      `select batch_run_id, status, as_of from recovery_runs where authority_id = $1 and status in ('awaiting_approval', 'issuing')`, [authority.id]);
    if (open?.status === 'issuing' && !options.dryRun) {
      await services.recovery.resume(system, open.batch_run_id, { batchSize: options.batchSize });
      resumedRunId = open.batch_run_id;
    } else if (open && !options.dryRun) {
      throw new ConflictError(`${authority.name}: recovery run ${open.batch_run_id} (as of ${open.as_of}) is awaiting approval: approve or cancel it first`);
    }
    const preview = await services.recovery.preview(system, { asOf: options.asOf, authorityId: authority.id, dryRun: options.dryRun });
    let status = preview.status;
    let issued: Record<string, number> | undefined;
    if (preview.status === 'awaiting_approval' && approver) {
      const result = await services.recovery.approve(approver, preview.runId!, { batchSize: options.batchSize });
      status = result.status;
      issued = result.issueReport.steps;
    }
    results.push({ authority: `${authority.name} (${authority.ons_code})`, resumedRunId, runId: preview.runId, status, report: preview.report, issued });
  }
  return results;
}

export function formatRecoveryJob(results: RecoveryJobResult[]): string {
  return results.map((r) => {
    const lines = [`${r.authority}: recovery ${r.runId ? `run ${r.runId}` : 'dry run'} as of ${r.report.asOf}: ${r.status.replace(/_/g, ' ')}`];
    if (r.resumedRunId) lines.push(`  finished interrupted run ${r.resumedRunId} first`);
    lines.push(`  ${r.report.candidates.toLocaleString('en-GB')} account-years selected, ${r.report.evaluated.toLocaleString('en-GB')} evaluated in ${r.report.seconds.total} s`);
    for (const a of r.report.actions) lines.push(`  ${STAGE_LABELS[a.stage].padEnd(32)} ${String(a.count).padStart(7)}   ${formatPence(a.demandPence).padStart(14)}${a.costsPence ? `   costs ${formatPence(a.costsPence)}` : ''}`);
    for (const o of r.report.outcomes) lines.push(`  ${`${STAGE_LABELS[o.stage]} ${o.outcome}`.padEnd(32)} ${String(o.count).padStart(7)}`);
    lines.push(`  held ${r.report.held.count}${r.report.held.byType.length ? ` (${r.report.held.byType.map((h) => `${h.label} ${h.count}`).join(', ')})` : ''}; exceptions ${r.report.exceptions}`);
    if (r.issued) lines.push(`  issued: ${Object.entries(r.issued).map(([k, v]) => `${STAGE_LABELS[k as keyof typeof STAGE_LABELS] ?? k} ${v}`).join(', ') || 'nothing'}`);
    return lines.join('\n');
  }).join('\n');
}

// -----------------------------------------------------------------------------------------------
// The `levy recovery …` commands.

type WithServices = <T>(fn: (runtime: { services: Services }) => Promise<T>) => Promise<T>;

export function registerRecoveryCommands(program: import('commander').Command, withRuntime: WithServices) {
  const isoDate = (name: string) => (value: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidArgument(`${name} must be a date as YYYY-MM-DD, got "${value}"`);
    return value;
  };
  const whole = (name: string) => (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgument(`${name} must be a whole number of at least 1, got "${value}"`);
    return Number(value);
  };
  const recovery = program.command('recovery').description('the daily recovery run: reminders, final notices, summonses');

  recovery
    .command('run')
    .description('preview today’s recovery (and issue it with --approve-as); finishes an interrupted run first')
    .requiredOption('--as-of <date>', 'the date the run is for (not after today; never before the last run)', isoDate('--as-of'))
    .option('--dry-run', 'evaluate and report; record and issue nothing')
    .option('--authority <onsCode>', 'one billing authority (default: every one)')
    .option('--approve-as <username>', 'a senior recovery officer or manager who approves it now (unattended runs)')
    .option('--batch-size <n>', 'account-years per transaction when issuing', whole('--batch-size'))
    .option('--json', 'print JSON')
    .action((options: { asOf: string; dryRun?: boolean; authority?: string; approveAs?: string; batchSize?: number; json?: boolean }) =>
      withRuntime(async ({ services }) => {
        const results = await runRecoveryJob(services, options);
        process.stdout.write(options.json ? `${JSON.stringify(results, null, 2)}\n` : `${formatRecoveryJob(results)}\n`);
      }));

  recovery
    .command('approve')
    .description('approve a run awaiting approval, as a named senior officer: its notices are issued')
    .argument('<runId>', 'the run', whole('<runId>'))
    .requiredOption('--as <username>', 'the approving senior recovery officer or manager')
    .option('--batch-size <n>', 'account-years per transaction', whole('--batch-size'))
    .action((runId: number, options: { as: string; batchSize?: number }) =>
      withRuntime(async ({ services }) => {
        const [run] = await services.db.query<{ authority_id: number }>('select authority_id from recovery_runs where batch_run_id = $1', [runId]);
        if (!run) throw new NotFoundError(`Recovery run ${runId} was not found`);
        const actor = await userActor(services.db, options.as, run.authority_id);
        const result = await services.recovery.approve(actor, runId, { batchSize: options.batchSize });
        process.stdout.write(`Run ${runId} issued: ${Object.entries(result.issueReport.steps).map(([k, v]) => `${STAGE_LABELS[k as keyof typeof STAGE_LABELS] ?? k} ${v}`).join(', ') || 'nothing'}; ${result.issueReport.letters} letters; costs ${formatPence(result.issueReport.costsPence)}.\n`);
      }));

  recovery
    .command('cancel')
    .description('cancel a run awaiting approval')
    .argument('<runId>', 'the run', whole('<runId>'))
    .action((runId: number) =>
      withRuntime(async ({ services }) => {
        const [run] = await services.db.query<{ authority_id: number }>('select authority_id from recovery_runs where batch_run_id = $1', [runId]);
        if (!run) throw new NotFoundError(`Recovery run ${runId} was not found`);
        await services.recovery.cancel(systemActor([run.authority_id]), runId);
        process.stdout.write(`Run ${runId} cancelled.\n`);
      }));

  recovery
    .command('status')
    .description('recent runs and the stage pipeline')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withRuntime(async ({ services }) => {
        const ids = (await services.db.query<{ id: number }>('select id from billing_authorities')).map((r) => r.id);
        const actor = systemActor(ids);
        const [runs, pipeline] = await Promise.all([services.recovery.listRuns(actor, 10), services.recovery.pipeline(actor)]);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ runs: runs.map((r) => ({ id: r.batch_run_id, authority: r.authority_name, asOf: r.as_of, status: r.status })), pipeline }, null, 2)}\n`);
          return;
        }
        const lines = runs.map((r) => `run ${r.batch_run_id}  ${r.authority_name}  as of ${r.as_of}  ${r.status.replace(/_/g, ' ')}`);
        for (const p of pipeline) lines.push(`${p.stream}: ${p.stages.filter((s) => s.count).map((s) => `${s.label} ${s.count}`).join(', ') || 'no cases'}`);
        process.stdout.write(`${lines.join('\n') || 'No recovery runs yet.'}\n`);
      }));
}

class InvalidArgument extends ValidationError {}

/**
 * A new authority's recovery set-up: the statutory default timetables (the database also adds them
 * when the authority is inserted; this is idempotent) and, for a demo council, a year of weekly
 * magistrates' court hearings so summonses have somewhere to go.
 */
export async function setUpRecoveryForAuthority(db: Db, authorityId: number, options: { demoHearingsFrom?: string } = {}) {
  await db.query('select levy_default_recovery_timetables($1)', [authorityId]);
  if (!options.demoHearingsFrom) return;
  const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from court_hearings where authority_id = $1', [authorityId]);
  if (n > 0) return;
  // Every Wednesday for a year, 250 cases a sitting, at the council's nearest magistrates' court.
  await db.query(
    `insert into court_hearings (authority_id, court_name, court_address, hearing_on, hearing_time, capacity)
     select $1, b.name || ' Magistrates’ Court', 'Court House, ' || b.name, d::date, '10:00', 250
       from billing_authorities b, generate_series($2::date, $2::date + 364, interval '1 day') d
      where b.id = $1 and extract(isodow from d) = 3`,
    [authorityId, options.demoHearingsFrom]);
}
