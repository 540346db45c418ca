// PDF demand notices: how many a minute, and what one costs in CPU. No database: the letters are
// built by the real code (calculateCharge → buildDemandNotice) from a spread of accounts, then
// rendered by the documents module's renderLetterPdf.
//
//   npx tsx bench/demand-notices.bench.ts [--pdfs 3000] [--threads N]
//
// Prints (1) CPU milliseconds per document on one thread (process.cpuUsage, so other load on the
// machine slows the wall clock but not this figure) and (2) notices per minute on N worker threads
// (default one per CPU) against the 10,000/min target, with the load average beside it.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { renderLetterPdf, type LetterContent, type RenderOptions } from '../src/modules/documents/letter.ts';
import { sampleDemandNotices } from '../test/support/demand-notices.ts';

const { values } = parseArgs({
  options: {
    pdfs: { type: 'string', default: '3000' },
    threads: { type: 'string' },
  },
});
const PDFS = Number(values.pdfs);
const THREADS = Number(values.threads ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length));

async function cpuPerDocument(letters: LetterContent[], options: RenderOptions): Promise<{ cpuMs: number; wallMs: number; bytes: number }> {
  for (const letter of letters.slice(0, 50)) await renderLetterPdf(letter, options); // warm up the JIT
  const cpu = process.cpuUsage();
  const started = performance.now();
  let bytes = 0;
  for (const letter of letters) bytes += (await renderLetterPdf(letter, options)).length;
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000 / letters.length, wallMs: (performance.now() - started) / letters.length, bytes: bytes / letters.length };
}

/** Worker threads, each rendering its share; timed from when every worker is warm. */
async function perMinuteOnThreads(letters: LetterContent[], threads: number, options: RenderOptions): Promise<number> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const { tsImport } = await import('tsx/esm/api');
      const { renderLetterPdf } = await tsImport(workerData.module, workerData.module);
      for (const letter of workerData.letters.slice(0, 20)) await renderLetterPdf(letter, workerData.options);
      parentPort.postMessage('ready');
      parentPort.once('message', async () => {
        for (const letter of workerData.letters) await renderLetterPdf(letter, workerData.options);
        parentPort.postMessage('done');
      });
    })();`;
  const module = new URL('../src/modules/documents/letter.ts', import.meta.url).href;
  const shares = Array.from({ length: threads }, (_, i) => letters.filter((_, k) => k % threads === i));
  const workers = shares.map((share) => new Worker(source, { eval: true, workerData: { module, letters: share, options } }));
  const next = (w: Worker) => new Promise<void>((resolve, reject) => { w.once('message', () => resolve()); w.once('error', reject); });
  await Promise.all(workers.map(next));
  const started = performance.now();
  const finished = workers.map(next);
  workers.forEach((w) => w.postMessage('go'));
  await Promise.all(finished);
  const ms = performance.now() - started;
  await Promise.all(workers.map((w) => w.terminate()));
  return Math.round(letters.length / (ms / 60_000));
}

async function main() {
  const letters = sampleDemandNotices(PDFS);
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`demand notices: ${PDFS.toLocaleString('en-GB')} letters, ${os.cpus().length} CPUs, load average ${load()}`);
  // pdfkit's default (a font object per document) beside Levy's shared font metrics, same letters.
  for (const [label, options] of [['pdfkit fonts per document', { sharedFonts: false }], ['shared font metrics', {}]] as const) {
    const one = await cpuPerDocument(letters.slice(0, Math.min(PDFS, 1000)), options);
    const perMinute = await perMinuteOnThreads(letters, THREADS, options);
    console.log(`  ${label}: ${one.cpuMs.toFixed(2)} ms CPU per PDF on one thread (${one.wallMs.toFixed(2)} ms wall, ` +
      `${(one.bytes / 1024).toFixed(1)} KB each); ${THREADS} threads: ${perMinute.toLocaleString('en-GB')} PDFs/min ` +
      `(target 10,000/min → ${perMinute >= 10_000 ? 'met' : 'NOT met'}); load average ${load()}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
