// `levy ea export --firm <id>` and `levy ea import-returns FILE`: the enforcement agent files from the
// same service as the pages, acting as the system over every authority (docs/formats.md).
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Runtime } from '../../runtime.ts';
import type { Actor } from '../auth/context.ts';

type WithRuntime = <T>(fn: (runtime: Runtime) => Promise<T>) => Promise<T>;

async function cliActor(runtime: Runtime): Promise<Actor> {
  const rows = await runtime.db.query<{ id: number }>('select id from billing_authorities order by id');
  return { userId: null, username: 'levy-cli', role: 'recovery_manager', authorityIds: rows.map((r) => r.id) };
}

const positive = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`--firm must be a firm id (a whole number), got "${value}"`);
  return Number(value);
};

export function registerEnforcementCommands(program: Command, withRuntime: WithRuntime) {
  const ea = program.command('ea').description('enforcement agents: export cases to a firm, import its returns, performance');

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

  ea.command('performance')
    .description('collected, returned and average days by firm, as JSON')
    .action(() =>
      withRuntime(async (runtime) => {
        process.stdout.write(`${JSON.stringify(await runtime.services.enforcement.performance(await cliActor(runtime)), null, 2)}\n`);
      }));
}
