// `levy billing annual`: the annual billing run from the command line. A dry run prints the preview
// (counts and totals); otherwise the run issues the bills and prints its report. Killed part-way,
// the same command finishes the job (see src/modules/billing/annual-run.ts).
import type { Runtime } from '../runtime.ts';
import type { Actor } from '../modules/auth/context.ts';
import type { AnnualPreview, AnnualRunReport } from '../modules/billing/annual-run.ts';
import { parseYear } from '../modules/billing/billing.service.ts';
import { formatPence } from '../domain/money.ts';

export interface AnnualBillingJobOptions {
  year: string;
  dryRun: boolean;
  issueDate?: string;
  letters: boolean;
  onProgress?: (line: string) => void;
}

export async function runAnnualBilling(runtime: Runtime, actor: Actor, authorityId: number, options: AnnualBillingJobOptions): Promise<AnnualPreview | AnnualRunReport> {
  const financialYear = parseYear(options.year);
  if (options.dryRun) return runtime.services.billing.annual.preview(actor, { authorityId, financialYear, issuedOn: options.issueDate });
  return runtime.services.billing.annual.run(actor, {
    authorityId, financialYear, issuedOn: options.issueDate, letters: options.letters,
    onProgress: options.onProgress ? (line) => options.onProgress!(line) : undefined,
  });
}

export function formatAnnualBilling(r: AnnualPreview | AnnualRunReport): string {
  const run = 'batchRunId' in r ? r : null;
  const lines = [
    run ? `Annual billing run ${run.batchRunId} for ${r.financialYear}: ${run.status}${run.resumedFrom ? ` (resumed ${run.resumedFrom})` : ''}` : `Preview of the annual billing for ${r.financialYear} (nothing issued)`,
    `  bills dated ${r.issuedOn}`,
    `  accounts to bill   ${r.accountsToBill.toLocaleString('en-GB').padStart(10)}  (${r.billedByTariff.toLocaleString('en-GB')} by tariff, ${r.billedOneByOne.toLocaleString('en-GB')} one by one, ${r.tariffs} tariffs)`,
    `  already billed     ${r.alreadyBilled.toLocaleString('en-GB').padStart(10)}`,
    ...r.notBilled.map((n) => `  not billed         ${n.accounts.toLocaleString('en-GB').padStart(10)}  ${n.reason}`),
  ];
  for (const [stream, t] of Object.entries(r.byStream)) {
    lines.push(`  ${stream.replace('_', ' ')}: ${t.accounts.toLocaleString('en-GB')} accounts, charge ${formatPence(t.gross)}` +
      `${t.premium ? `, premiums ${formatPence(t.premium)}` : ''}${t.discount ? `, discounts ${formatPence(-t.discount)}` : ''}` +
      `${t.relief ? `, reliefs ${formatPence(-t.relief)}` : ''}${t.ctr ? `, CTR ${formatPence(-t.ctr)}` : ''}, net ${formatPence(t.net)}`);
  }
  if (r.byBand.length) lines.push(`  by band: ${r.byBand.map((b) => `${b.band} ${b.accounts.toLocaleString('en-GB')}`).join(', ')}`);
  if (run) {
    lines.push(`  issued: ${run.billsIssued.toLocaleString('en-GB')} bills, ${run.ledgerEntries.toLocaleString('en-GB')} ledger entries, ` +
      `${run.instalmentPlans.toLocaleString('en-GB')} plans, ${run.instalments.toLocaleString('en-GB')} instalments, ${run.letters.toLocaleString('en-GB')} demand notices (${run.emails.toLocaleString('en-GB')} also emailed)`);
    lines.push(`  time: ${run.seconds.total} s (bills ${run.seconds.financial} s, notices ${run.seconds.letters} s)`);
    for (const failure of run.failures) lines.push(`  FAILED account ${failure.accountId}: ${failure.message}`);
    lines.push(`  print file: /runs/${run.batchRunId}/print-file`);
  }
  for (const w of r.warnings) lines.push(`  note: ${w}`);
  return lines.join('\n');
}
