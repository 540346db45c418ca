// `levy billing …`: the annual run, the year's charges, recording legacy awards, VOA schedules.
// The same services as the pages and the API, acting as the system for one billing authority.
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { Runtime } from '../../runtime.ts';
import { ValidationError } from '../../errors.ts';
import { formatPence, parsePence } from '../../domain/money.ts';
import type { Actor } from '../auth/context.ts';
import { formatAnnualBilling, runAnnualBilling } from '../../jobs/annual-billing.ts';
import { parseYear } from './billing.service.ts';
import { preceptSharesOf } from './charge-calculation.ts';

type WithRuntime = <T>(fn: (runtime: Runtime) => Promise<T>) => Promise<T>;

async function billingActor(runtime: Runtime, onsCode?: string): Promise<{ actor: Actor; authorityId: number }> {
  const authorities = await runtime.db.query<{ id: number; ons_code: string }>('select id, ons_code from billing_authorities order by id');
  const chosen = onsCode ? authorities.find((a) => a.ons_code === onsCode) : authorities.length === 1 ? authorities[0] : undefined;
  if (!chosen) {
    throw new ValidationError(onsCode
      ? `--authority: no billing authority with ONS code "${onsCode}" (known: ${authorities.map((a) => a.ons_code).join(', ') || 'none'})`
      : `--authority is needed: there are ${authorities.length} billing authorities (${authorities.map((a) => a.ons_code).join(', ') || 'none'})`);
  }
  return { actor: { userId: null, username: 'levy-cli', role: 'recovery_manager', authorityIds: [chosen.id] }, authorityId: chosen.id };
}

const out = (data: unknown, json: boolean | undefined, text: () => string) => process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);

export function registerBillingCommands(program: Command, withRuntime: WithRuntime) {
  const billing = program.command('billing').description('council tax and business rates bills');

  billing
    .command('annual')
    .description('the annual billing run for a year: preview with --dry-run, then issue (re-run to finish a run that was stopped)')
    .requiredOption('--year <year>', 'financial year, e.g. 2027/28')
    .option('--dry-run', 'show what would be billed (counts and totals) and issue nothing')
    .option('--authority <onsCode>', 'ONS code of the billing authority (needed when there are several)')
    .option('--issue-date <date>', 'the date on the bills (default today)')
    .addOption(new Option('--no-letters', 'post the bills but leave the demand notices for a later run'))
    .option('--json', 'print JSON')
    .action((options: { year: string; dryRun?: boolean; authority?: string; issueDate?: string; letters: boolean; json?: boolean }) =>
      withRuntime(async (runtime) => {
        parseYear(options.year);
        if (options.issueDate && !/^\d{4}-\d{2}-\d{2}$/.test(options.issueDate)) throw new ValidationError('--issue-date must be YYYY-MM-DD');
        const { actor, authorityId } = await billingActor(runtime, options.authority);
        const result = await runAnnualBilling(runtime, actor, authorityId, {
          year: options.year, dryRun: Boolean(options.dryRun), issueDate: options.issueDate, letters: options.letters,
          onProgress: options.json ? undefined : (line) => process.stderr.write(`${line}\n`),
        });
        out(result, options.json, () => formatAnnualBilling(result));
      }));

  billing
    .command('charges')
    .description("show a year's Band D, precepts and discount rates; with --band-d, set them (precept shares scale from last year unless given)")
    .requiredOption('--year <year>', 'financial year, e.g. 2027/28')
    .option('--authority <onsCode>', 'ONS code of the billing authority')
    .option('--band-d <pounds>', 'the Band D amount including every precept, e.g. 2260.50')
    .option('--precept <name=pounds...>', 'a precepting authority and its Band D share (repeat for each)')
    .option('--source <text>', 'where the figures come from, e.g. "Council resolution 26 February 2027"')
    .option('--resolved-on <date>', 'the date of the council resolution')
    .option('--json', 'print JSON')
    .action((options: { year: string; authority?: string; bandD?: string; precept?: string[]; source?: string; resolvedOn?: string; json?: boolean }) =>
      withRuntime(async (runtime) => {
        const { actor, authorityId } = await billingActor(runtime, options.authority);
        const year = parseYear(options.year);
        if (options.bandD) {
          const bandDPence = parsePence(options.bandD);
          let precepts = (options.precept ?? []).map((p) => {
            const at = p.lastIndexOf('=');
            if (at < 1) throw new ValidationError(`--precept must look like "Police and Crime Commissioner=300.00", got "${p}"`);
            return { preceptor: p.slice(0, at).trim(), bandDPence: parsePence(p.slice(at + 1)) };
          });
          if (!precepts.length) {
            // Last year's shares (filled from the seed's record when the council was seeded with that year).
            await runtime.db.transaction((tx) => runtime.services.billing.councilTaxRates(authorityId, year - 1, tx)).catch(() => undefined);
            const previous = await runtime.services.billing.repo.chargeYear(authorityId, year - 1);
            if (!previous) throw new ValidationError(`Give the precepts with --precept: there is no ${year - 1} year to scale them from`);
            const shares = preceptSharesOf(bandDPence, previous.band_d_pence, previous.precepts);
            precepts = previous.precepts.map((p, i) => ({ preceptor: p.preceptor, bandDPence: shares[i] }));
          }
          await runtime.services.billing.setChargeYear(actor, authorityId, {
            financialYear: options.year, bandDPence, precepts, resolvedOn: options.resolvedOn, source: options.source ?? 'Set from the command line',
          });
        }
        const view = await runtime.services.billing.chargeYearView(actor, authorityId, options.year);
        if (!view.row && !options.bandD) {
          // Filled on first use for a year the council was seeded with.
          await runtime.db.transaction((tx) => runtime.services.billing.councilTaxRates(authorityId, year, tx)).catch(() => undefined);
        }
        const row = (await runtime.services.billing.chargeYearView(actor, authorityId, options.year)).row;
        out(row ?? null, options.json, () => row
          ? [`Council tax ${options.year}: Band D ${formatPence(row.band_d_pence)} (${row.source})`,
            ...row.precepts.map((p) => `  ${p.preceptor.padEnd(60)} ${formatPence(p.bandDPence).padStart(12)}`),
            ...row.rates.map((r) => `  ${r.kind.padEnd(9)} ${r.label.padEnd(58)} ${r.percent.padStart(7)}%`)].join('\n')
          : `No council tax charges are set for ${options.year}: set them with --band-d (and --precept).`);
      }));

  billing
    .command('adopt')
    .description('record the discounts and reliefs of accounts billed before Levy as awards (the annual run does this itself)')
    .option('--authority <onsCode>', 'ONS code of the billing authority')
    .action((options: { authority?: string }) =>
      withRuntime(async (runtime) => {
        const { authorityId } = await billingActor(runtime, options.authority);
        const n = await runtime.db.transaction((tx) => runtime.services.billing.adoptLegacyAwards(tx, { authorityId }));
        process.stdout.write(`${n.toLocaleString('en-GB')} accounts recorded.\n`);
      }));

  const voa = billing.command('voa').description('VOA schedules: council tax band changes and business rates list entries');
  voa
    .command('import')
    .description("read a VOA file and show what it would change; --apply applies it (bad lines must be fixed or --exclude'd first)")
    .argument('<file>', "the schedule: '*'-delimited list entries (--kind nndr) or band changes (--kind ct), see docs/formats.md")
    .requiredOption('--kind <kind>', 'nndr (list entries) or ct (band changes)')
    .option('--authority <onsCode>', 'ONS code of the billing authority')
    .option('--exclude <lines...>', 'line numbers to leave out')
    .option('--apply', 'apply the changes from their effective dates, with rebills')
    .option('--json', 'print JSON')
    .action((file: string, options: { kind: string; authority?: string; exclude?: string[]; apply?: boolean; json?: boolean }) =>
      withRuntime(async (runtime) => {
        if (options.kind !== 'nndr' && options.kind !== 'ct') throw new ValidationError('--kind must be nndr or ct');
        if (!fs.existsSync(file)) throw new ValidationError(`<file>: "${file}" does not exist`);
        const { actor, authorityId } = await billingActor(runtime, options.authority);
        const voaService = runtime.services.billing.voa;
        let imported = await voaService.importFile(actor, { authorityId, kind: options.kind === 'nndr' ? 'nndr_list' : 'ct_bands', fileName: path.basename(file), content: fs.readFileSync(file, 'latin1') });
        if (options.exclude?.length) imported = await voaService.exclude(actor, imported.id, options.exclude.map(Number));
        if (options.apply) imported = await voaService.apply(actor, imported.id);
        out(imported, options.json, () => voaService.format(imported));
        if (imported.status === 'rejected') process.exitCode = 2;
      }));
}
