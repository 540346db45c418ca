// `levy payments …` and `levy dd …`: the same services as the pages and the API, acting as the system
// (a batch user with every authority; the audit trail records the CLI as the actor).
import fs from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { Runtime } from '../../runtime.ts';
import { ValidationError } from '../../errors.ts';
import type { Actor } from '../auth/context.ts';
import { PAYMENT_FORMATS, type ImportReport, type PaymentFormat } from './payments.service.ts';

type WithRuntime = <T>(fn: (runtime: Runtime) => Promise<T>) => Promise<T>;

const pounds = (pence: number) => `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export async function systemActor(runtime: Runtime, onsCode?: string): Promise<{ actor: Actor; authorityId: number }> {
  const authorities = await runtime.db.query<{ id: number; ons_code: string }>('select id, ons_code from billing_authorities order by id');
  const chosen = onsCode ? authorities.find((a) => a.ons_code === onsCode) : authorities.length === 1 ? authorities[0] : undefined;
  if (!chosen) {
    // ValidationError, not InvalidArgumentError: inside an action commander's errors are not printed
    throw new ValidationError(onsCode
      ? `--authority: no billing authority with ONS code "${onsCode}" (known: ${authorities.map((a) => a.ons_code).join(', ') || 'none'})`
      : `--authority is needed: there are ${authorities.length} billing authorities (${authorities.map((a) => a.ons_code).join(', ') || 'none'})`);
  }
  return { actor: { userId: null, username: 'levy-cli', role: 'recovery_manager', authorityIds: [chosen.id] }, authorityId: chosen.id };
}

export function formatImportReport(r: ImportReport): string {
  const row = (label: string, lines: number, pence: number) => `  ${label.padEnd(11)} ${String(lines).padStart(8)} lines ${pounds(pence).padStart(16)}`;
  return [
    `Import ${r.importId} of ${r.fileName} (${r.format}): ${r.status}${r.alreadyImported ? ' (this file was imported before: nothing posted twice)' : ''}`,
    row('lines', r.lines, r.amountPence),
    row('matched', r.matched.lines, r.matched.amountPence),
    row('suspense', r.suspense.lines, r.suspense.amountPence),
    row('exceptions', r.exceptions.lines, r.exceptions.amountPence),
    `  control totals ${r.balanced ? 'balance' : 'DO NOT BALANCE'}${r.declared.lines !== null || r.declared.amountPence !== null ? `; the file declares ${r.declared.lines ?? '?'} lines, ${r.declared.amountPence === null ? '?' : pounds(r.declared.amountPence)}` : ''}`,
    ...r.fileProblems.map((p) => `  REJECTED: ${p}`),
    ...r.warnings.map((w) => `  note: ${w}`),
  ].join('\n');
}

export function registerPaymentCommands(program: Command, withRuntime: WithRuntime) {
  const payments = program.command('payments').description('payment files, suspense and money-in reports');
  payments
    .command('import')
    .description('import a payment file: matched payments are allocated, the rest go to suspense or exceptions')
    .argument('<file>', 'the file to import')
    .requiredOption('--format <format>', `one of ${PAYMENT_FORMATS.join(', ')}`, (value: string) => {
      if (!(PAYMENT_FORMATS as readonly string[]).includes(value)) throw new InvalidArgumentError(`--format must be one of ${PAYMENT_FORMATS.join(', ')}; got "${value}"`);
      return value as PaymentFormat;
    })
    .option('--mapping <name>', 'saved column mapping (CSV files)')
    .option('--authority <onsCode>', 'billing authority the file belongs to (needed when there are several)')
    .option('--chunk-size <n>', 'lines posted per transaction', (v: string) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`--chunk-size must be a whole number of at least 1, got "${v}"`);
      return Number(v);
    })
    .option('--json', 'print JSON')
    .action((file: string, options: { format: PaymentFormat; mapping?: string; authority?: string; chunkSize?: number; json?: boolean }) =>
      withRuntime(async (runtime) => {
        if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new ValidationError(`<file>: "${file}" is not a file`);
        const { actor, authorityId } = await systemActor(runtime, options.authority);
        const report = await runtime.services.payments.importFile(
          actor,
          { name: path.basename(file), open: () => fs.createReadStream(file) },
          { format: options.format, mappingName: options.mapping, authorityId, chunkSize: options.chunkSize },
        );
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatImportReport(report)}\n`);
        if (report.status === 'rejected' || !report.balanced) process.exitCode = 1;
      }),
    );
}
