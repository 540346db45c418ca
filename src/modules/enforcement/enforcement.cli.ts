// `levy ea export --firm <id>` and `levy ea import-returns FILE`: the enforcement agent files from the
// same service as the pages, acting as the system over every authority (docs/formats.md).
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Runtime } from '../../runtime.ts';
import type { Actor } from '../auth/context.ts';
import { parseCsv } from '../../integrations/open-data.ts';
import { RECALL_REASONS } from './enforcement.service.ts';

type WithRuntime = <T>(fn: (runtime: Runtime) => Promise<T>) => Promise<T>;

async function cliActor(runtime: Runtime): Promise<Actor> {
  const rows = await runtime.db.query<{ id: number }>('select id from billing_authorities order by id');
  return { userId: null, username: 'levy-cli', role: 'recovery_manager', authorityIds: rows.map((r) => r.id) };
}

const positive = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`--firm must be a firm id (a whole number), got "${value}"`);
  return Number(value);
};

/**
 * A file of cases: one line each, `account_reference[,financial_year]`, with or without that header;
 * the year as 2025 or 2025/26.
 */
export function readCasesFile(text: string): { accountReference: string; financialYear?: number }[] {
  const rows = parseCsv(text.replace(/^\uFEFF/, '')).filter((r) => r.some((c) => c.trim() !== ''));
  if (rows.length && /^account_reference$/i.test(rows[0][0].trim())) rows.shift();
  return rows.map((r) => {
    const year = (r[1] ?? '').trim();
    return { accountReference: r[0].trim(), ...(year ? { financialYear: /^\d{4}/.test(year) ? Number(year.slice(0, 4)) : Number.NaN } : {}) };
  });
}

export function registerEnforcementCommands(program: Command, withRuntime: WithRuntime) {
  const ea = program.command('ea').description('enforcement agents: refer and recall cases in bulk, export cases and recalls to a firm, import its returns, performance');

  ea.command('export')
    .description('write every case ready for the firm as CSV (they become exported)')
    .requiredOption('--firm <id>', 'the firm id', positive)
    .option('--out <file>', 'write to this file instead of standard output')
    .action((options: { firm: number; out?: string }) =>
      withRuntime(async (runtime) => {
        const result = await runtime.services.enforcement.exportForFirm(await cliActor(runtime), options.firm);
        if (options.out) {
          fs.writeFileSync(options.out, result.csv);
          process.stderr.write(`Wrote ${result.cases} case(s) to ${options.out}\n`);
        } else process.stdout.write(result.csv);
      }));

  ea.command('import-returns')
    .description('read a firm’s returns file: payments posted, fees checked against the 2014 scale')
    .argument('<file>', 'the CSV returns file')
    .option('--json', 'print the result as JSON')
    .action((file: string, options: { json?: boolean }) =>
      withRuntime(async (runtime) => {
        const result = await runtime.services.enforcement.importReturns(await cliActor(runtime), path.basename(file), fs.readFileSync(file, 'utf8'));
        if (options.json) return void process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        process.stdout.write(`${result.applied} line(s) applied, £${(result.collectedPence / 100).toFixed(2)} collected\n`);
        for (const o of result.overScale) process.stdout.write(`line ${o.line}: referral ${o.referralId} fee £${(o.feePence / 100).toFixed(2)} is over the scale fee £${(o.scaleFeePence / 100).toFixed(2)}\n`);
        for (const p of result.problems) process.stdout.write(`line ${p.line}: ${p.message}\n`);
      }));

  ea.command('refer')
    .description('refer the cases in a file (account_reference,financial_year) after the pre-referral checks; without --firm the allocation rules choose')
    .argument('<file>', 'CSV: account_reference,financial_year')
    .option('--firm <id>', 'send every case to this firm', positive)
    .option('--json', 'print the result as JSON')
    .action((file: string, options: { firm?: number; json?: boolean }) =>
      withRuntime(async (runtime) => {
        const cases = readCasesFile(fs.readFileSync(file, 'utf8'));
        const result = await runtime.services.enforcement.referMany(await cliActor(runtime), { firmId: options.firm, cases });
        if (options.json) return void process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        process.stdout.write(`${result.referred.length} referred (${result.referred.filter((r) => r.status === 'awaiting_decision').length} awaiting a senior decision), ${result.notReferred.length} not referred\n`);
        for (const r of result.referred) process.stdout.write(`${r.accountReference} ${r.financialYear}: ${r.firmName}${r.status === 'awaiting_decision' ? ' (awaiting a senior decision)' : ''}\n`);
        for (const r of result.notReferred) process.stdout.write(`${r.accountReference ?? '?'} ${r.financialYear}: not referred: ${r.reason}\n`);
      }));

  ea.command('recall')
    .description('recall from their firms the live referrals of the accounts in a file (account_reference[,financial_year])')
    .argument('<file>', 'CSV: account_reference, optionally financial_year')
    .requiredOption('--reason <reason>', `one of ${RECALL_REASONS.join(', ')}`)
    .option('--note <text>', 'a note recorded with each recall', '')
    .option('--json', 'print the result as JSON')
    .action((file: string, options: { reason: string; note: string; json?: boolean }) =>
      withRuntime(async (runtime) => {
        const cases = readCasesFile(fs.readFileSync(file, 'utf8'));
        const result = await runtime.services.enforcement.recallMany(await cliActor(runtime), { reason: options.reason, note: options.note, cases });
        if (options.json) return void process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        process.stdout.write(`${result.recalled.length} recalled (${result.recalled.filter((r) => r.firmToBeTold).length} for the firms’ next recall files), ${result.notFound.length} with no live referral\n`);
        for (const r of result.notFound) process.stdout.write(`${r.accountReference}${r.financialYear ? ` ${r.financialYear}` : ''}: no live referral\n`);
      }));

  ea.command('recall-file')
    .description('write the firm’s recall file: every recall it has not been told of (they become notified)')
    .requiredOption('--firm <id>', 'the firm id', positive)
    .option('--out <file>', 'write to this file instead of standard output')
    .action((options: { firm: number; out?: string }) =>
      withRuntime(async (runtime) => {
        const result = await runtime.services.enforcement.recallFileForFirm(await cliActor(runtime), options.firm);
        if (options.out) {
          fs.writeFileSync(options.out, result.csv);
          process.stderr.write(`Wrote ${result.recalls} recall(s) to ${options.out}\n`);
        } else process.stdout.write(result.csv);
      }));

  ea.command('performance')
    .description('collected, returned and average days by firm, as JSON')
    .action(() =>
      withRuntime(async (runtime) => {
        process.stdout.write(`${JSON.stringify(await runtime.services.enforcement.performance(await cliActor(runtime)), null, 2)}\n`);
      }));
}
