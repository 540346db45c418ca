// `levy attachments dwp-requests --out FILE`: the bulk file of deduction-from-benefit requests for DWP
// (docs/formats.md), from the same service as the page. Each request goes in one file only, so a
// second run writes only the header unless new requests have been made since.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { Runtime } from '../../runtime.ts';
import { systemActor } from '../payments/payments.cli.ts';

type WithRuntime = <T>(fn: (runtime: Runtime) => Promise<T>) => Promise<T>;

export function registerAttachmentCommands(program: Command, withRuntime: WithRuntime) {
  const attachments = program.command('attachments').description('attachments of earnings and of benefits');

  attachments.command('dwp-requests')
    .description('write every deduction-from-benefit request not yet sent to DWP as one CSV file (they are marked as sent)')
    .option('--authority <onsCode>', 'the billing authority (needed when there is more than one)')
    .option('--out <file>', 'write to this file instead of standard output')
    .action((options: { authority?: string; out?: string }) =>
      withRuntime(async (runtime) => {
        const { actor } = await systemActor(runtime, options.authority);
        const file = await runtime.services.benefitAttachments.dwpRequestFile(actor);
        if (options.out) {
          fs.writeFileSync(options.out, file.csv);
          process.stderr.write(`Wrote ${file.requests} request(s) to ${options.out}\n`);
        } else process.stdout.write(file.csv);
      }));
}
