// `levy check-vectors DIR`: reads every *.json vector file in a folder and checks every case
// through Levy's own calculators (src/domain/vectors.ts). A council or its auditor can point it at
// their own published cases. Anything that cannot be checked — an unreadable file, invalid JSON, a
// file Levy has no calculator for, an empty folder — counts as a failure, so the check can fail.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { runVectorFile } from '../domain/vectors.ts';

export interface CheckVectorsResult {
  /** Cases that passed. */
  passed: number;
  /** Cases that failed, plus files that could not be checked at all. */
  failed: number;
  /** One line per failure: "FAIL <file> :: <case name>: expected X got Y". */
  lines: string[];
}

export async function checkVectors(dir: string): Promise<CheckVectorsResult> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    return { passed: 0, failed: 1, lines: [`FAIL ${dir} :: cannot read the folder: ${(error as Error).message}`] };
  }
  const files = entries.filter((name) => name.toLowerCase().endsWith('.json')).sort();
  if (files.length === 0) return { passed: 0, failed: 1, lines: [`FAIL ${dir} :: no .json vector files found`] };

  let passed = 0;
  let failed = 0;
  const lines: string[] = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
    } catch (error) {
      failed += 1;
      lines.push(`FAIL ${file} :: unreadable JSON: ${(error as Error).message}`);
      continue;
    }
    const result = runVectorFile(file, parsed);
    passed += result.passed;
    failed += result.failed;
    if (result.fileError) lines.push(`FAIL ${file} :: ${result.fileError}`);
    for (const c of result.cases) {
      if (!c.passed) lines.push(`FAIL ${file} :: ${c.name}: ${c.message ?? 'failed'}`);
    }
  }
  return { passed, failed, lines };
}

/** Text: the failure lines, then a closing line "N passed, M failed". JSON: the result object. */
export function formatCheckVectorsReport(result: CheckVectorsResult, json: boolean): string {
  if (json) return JSON.stringify(result, null, 2);
  return [...result.lines, `${result.passed} passed, ${result.failed} failed`].join('\n');
}
