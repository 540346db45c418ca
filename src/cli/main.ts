// The `levy` command: serve the app, migrate, manage users, seed councils, check the law's vectors.
// Every command runs the same services as the web app. Errors become a message and an exit code.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from '../config.ts';
import { LevyError, ValidationError } from '../errors.ts';
import { startRuntime } from '../runtime.ts';
import { ROLES, type Role } from '../modules/auth/roles.ts';
import { ensureDemoCouncil, formatSignIns } from '../jobs/demo.ts';
import { seedCouncil } from '../jobs/seed-council.ts';
import { checkVectors, formatCheckVectorsReport } from './check-vectors.ts';
import { createApp } from '../web/app.ts';
import { registerBillingCommands } from '../modules/billing/billing.cli.ts';
import { registerPaymentCommands } from '../modules/payments/payments.cli.ts';
import { registerRecoveryCommands } from '../jobs/recovery-run.ts';
import { registerReportCommands } from '../modules/reports/reports.cli.ts';
import { registerEnforcementCommands } from '../modules/enforcement/enforcement.cli.ts';
import { registerWorkQueueCommands } from '../modules/work-queues/work-queues.cli.ts';
import { registerAttachmentCommands } from '../modules/attachments/attachments.cli.ts';
import { registerWriteOffCommands } from '../modules/write-offs/write-offs.cli.ts';

const wholeNumber = (name: string, min = 0) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}, got "${value}"`);
  return Number(value);
};
const isoDate = (name: string) => (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError(`${name} must be a date as YYYY-MM-DD, got "${value}"`);
  return value;
};
const roleName = (value: string) => {
  if (!(ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`role must be one of ${ROLES.join(', ')}; got "${value}"`);
  return value as Role;
};

function print(data: unknown, json: boolean, text: () => string) {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}

async function withRuntime<T>(fn: (runtime: Awaited<ReturnType<typeof startRuntime>>, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const runtime = await startRuntime(config);
  try {
    return await fn(runtime, config);
  } finally {
    await runtime.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('levy')
    .description('Levy: revenues collection and debt recovery for UK councils')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('start the web app and API (first start on an empty database builds the demo council)')
    .option('--port <port>', 'port to listen on (default PORT or 3000)', wholeNumber('--port'))
    .action(async (options: { port?: number }) => {
      const config = loadConfig();
      const runtime = await startRuntime(config);
      const signIns = await ensureDemoCouncil(runtime, config, (line) => console.log(line));
      const app = await createApp({ services: runtime.services, logLevel: config.LOG_LEVEL, secureCookies: config.NODE_ENV === 'production' });
      const port = options.port ?? config.PORT;
      await app.listen({ port, host: config.HOST });
      console.log(`\nLevy is running at http://localhost:${port} (database: ${runtime.db.kind})`);
      if (signIns?.length) console.log(`Demo sign-ins (stored in ${config.dataDir}/demo-sign-ins.json):\n${formatSignIns(signIns)}\n`);
      const stop = async () => {
        await app.close();
        await runtime.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program
    .command('migrate')
    .description('apply database migrations')
    .action(() => withRuntime(async (runtime) => console.log(`Migrations up to date (${runtime.db.kind}).`)));

  const users = program.command('users').description('manage sign-ins');
  users
    .command('add')
    .description('add a user; the password is read from LEVY_NEW_PASSWORD, or generated and printed once')
    .requiredOption('--username <username>', 'sign-in name')
    .requiredOption('--name <name>', 'full name')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, roleName)
    .option('--authority <onsCode...>', 'ONS codes of the billing authorities they work on', [])
    .option('--json', 'print JSON')
    .action((options: { username: string; name: string; role: Role; authority: string[]; json?: boolean }) =>
      withRuntime(async (runtime) => {
        const authorities = await runtime.services.admin.listAuthorities();
        const authorityIds = options.authority.map((code) => {
          const found = authorities.find((a) => a.ons_code === code);
          if (!found) throw new ValidationError(`no billing authority with ONS code "${code}" (known: ${authorities.map((a) => a.ons_code).join(', ') || 'none'})`, [{ field: '--authority', message: `unknown ONS code ${code}` }]);
          return found.id;
        });
        const generated = !process.env.LEVY_NEW_PASSWORD;
        const password = process.env.LEVY_NEW_PASSWORD ?? crypto.randomUUID();
        const id = await runtime.services.auth.addUser(null, { username: options.username, displayName: options.name, password, role: options.role, authorityIds });
        print({ id, username: options.username, ...(generated ? { password } : {}) }, Boolean(options.json), () =>
          `Added user ${options.username} (id ${id}).${generated ? ` Password: ${password}` : ''}`);
      }),
    );
  users
    .command('list')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withRuntime(async (runtime) => {
        const rows = await runtime.db.query<{ username: string; display_name: string; role: string; active: boolean }>(
          'select username, display_name, role, active from users order by username');
        print(rows, Boolean(options.json), () => rows.map((u) => `${u.username.padEnd(20)} ${u.role.padEnd(26)} ${u.active ? 'active' : 'disabled'}  ${u.display_name}`).join('\n') || 'No users.');
      }),
    );

  program
    .command('seed')
    .description('build a synthetic council from the open data (real band mix and Band D level)')
    .requiredOption('--authority <onsCode>', 'ONS code, e.g. E08000010 for Wigan')
    .option('--dwellings <n>', 'number of dwellings', wholeNumber('--dwellings', 1), 10000)
    .option('--businesses <n>', 'number of business rates hereditaments', wholeNumber('--businesses'), 500)
    .option('--seed <s>', 'random seed (same seed, same council)', wholeNumber('--seed'), 1)
    .option('--as-of <date>', 'history runs up to this date (default today)', isoDate('--as-of'))
    .option('--json', 'print JSON')
    .action((options: { authority: string; dwellings: number; businesses: number; seed: number; asOf?: string; json?: boolean }) =>
      withRuntime(async (runtime) => {
        const report = await seedCouncil(runtime.db, {
          onsCode: options.authority, dwellings: options.dwellings, businesses: options.businesses, seed: options.seed,
          asOf: options.asOf ?? runtime.clock.today(),
          onProgress: options.json ? undefined : (line: string) => process.stderr.write(`${line}\n`),
        });
        print(report, Boolean(options.json), () =>
          Object.entries(report).map(([k, v]) => `${k}: ${v !== null && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v}`).join('\n'));
      }),
    );

  program
    .command('check-vectors')
    .description('run Levy’s statutory calculators over every vector file in a folder')
    .argument('<dir>', 'folder of vector JSON files (e.g. ../shared/vectors)')
    .option('--json', 'print JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ValidationError(`<dir>: "${dir}" is not a folder`);
      const result = await checkVectors(dir);
      process.stdout.write(`${formatCheckVectorsReport(result, Boolean(options.json))}\n`);
      if (result.failed > 0) process.exitCode = 1;
    });

  registerPaymentCommands(program, (fn) => withRuntime((runtime) => fn(runtime)));
  registerBillingCommands(program, (fn) => withRuntime((runtime) => fn(runtime)));
  registerRecoveryCommands(program, (fn) => withRuntime((runtime) => fn(runtime)));
  registerReportCommands(program, (fn) => withRuntime((runtime) => fn(runtime)));
  registerEnforcementCommands(program, (fn) => withRuntime((runtime) => fn(runtime)));
  registerWorkQueueCommands(program, (fn) => withRuntime((runtime) => fn(runtime)));
  registerAttachmentCommands(program, (fn) => withRuntime((runtime) => fn(runtime)));
  registerWriteOffCommands(program, (fn) => withRuntime((runtime) => fn(runtime)));
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      return 2; // commander has already printed the message naming the argument
    }
    if (error instanceof LevyError) {
      const fields = 'fields' in error ? (error as { fields: { field: string; message: string }[] }).fields : [];
      process.stderr.write(`error: ${error.message}${fields.map((f) => `\n  ${f.field}: ${f.message}`).join('')}\n`);
      return error.exitCode;
    }
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}
