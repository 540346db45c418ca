// `levy write-offs report --format csv|xlsx --out FILE`: the write-off report (decisions from..to),
// the same rows as the page's CSV and Excel downloads.
import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { Runtime } from '../../runtime.ts';
import { ValidationError } from '../../errors.ts';
import { systemActor } from '../payments/payments.cli.ts';

type WithRuntime = <T>(fn: (runtime: Runtime) => Promise<T>) => Promise<T>;

export function registerWriteOffCommands(program: Command, withRuntime: WithRuntime) {
  const writeOffs = program.command('write-offs').description('write-offs');

  writeOffs.command('report')
    .description('write-offs approved or written back on, by decision date, as CSV or an Excel workbook')
    .option('--format <format>', 'csv or xlsx', (value: string) => {
      if (value !== 'csv' && value !== 'xlsx') throw new InvalidArgumentError(`--format must be csv or xlsx; got "${value}"`);
      return value;
    }, 'csv')
    .option('--from <date>', 'first decision date, YYYY-MM-DD (default 1 January this year)')
    .option('--to <date>', 'last decision date, YYYY-MM-DD (default today)')
    .option('--authority <onsCode>', 'the billing authority (needed when there is more than one)')
    .option('--out <file>', 'write to this file (needed for xlsx) instead of standard output')
    .action((options: { format: 'csv' | 'xlsx'; from?: string; to?: string; authority?: string; out?: string }) =>
      withRuntime(async (runtime) => {
        if (options.format === 'xlsx' && !options.out) throw new ValidationError('--out is needed for an xlsx report (a workbook is not written to the terminal)');
        const { actor } = await systemActor(runtime, options.authority);
        const today = runtime.services.clock.today();
        const from = options.from ?? `${today.slice(0, 4)}-01-01`;
        const to = options.to ?? today;
        const body = options.format === 'xlsx'
          ? await runtime.services.writeOffs.reportXlsx(actor, from, to)
          : await runtime.services.writeOffs.reportCsv(actor, from, to);
        if (options.out) {
          fs.writeFileSync(options.out, body);
          process.stderr.write(`Wrote ${options.out} (${Buffer.byteLength(body).toLocaleString('en-GB')} bytes)\n`);
        } else process.stdout.write(body);
      }));
}
