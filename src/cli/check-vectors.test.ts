import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkVectors, formatCheckVectorsReport } from './check-vectors.ts';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'levy-vectors-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const band = (name: string, expectedPence: number) => ({
  name,
  input: { band_d_pence: 215_300, band: 'A' },
  expected: { annual_pence: expectedPence },
});

test('a wrong case, an unknown file and broken JSON are all reported as failures; README is ignored', async () => {
  await withTempDir(async (dir) => {
    await writeFile(
      path.join(dir, 'council-tax-band-amounts.json'),
      JSON.stringify({ title: 't', source: 's', cases: [band('right', 143_533), band('deliberately wrong', 143_534)] }),
    );
    await writeFile(path.join(dir, 'parking-fines.json'), JSON.stringify({ title: 't', source: 's', cases: [band('x', 1)] }));
    await writeFile(path.join(dir, 'broken.json'), '{ "cases": [');
    await writeFile(path.join(dir, 'README.md'), '# not a vector file');

    const result = await checkVectors(dir);
    assert.equal(result.passed, 1);
    assert.equal(result.failed, 3);
    assert.ok(
      result.lines.includes('FAIL council-tax-band-amounts.json :: deliberately wrong: expected annual_pence=143534 got annual_pence=143533'),
      result.lines.join('\n'),
    );
    assert.ok(result.lines.some((l) => l.startsWith('FAIL parking-fines.json :: no Levy calculator')));
    assert.ok(result.lines.some((l) => l.startsWith('FAIL broken.json :: unreadable JSON')));
    assert.ok(!result.lines.some((l) => l.includes('README')));

    const text = formatCheckVectorsReport(result, false);
    assert.equal(text.split('\n').at(-1), '1 passed, 3 failed');
    assert.equal(text.split('\n').length, 4);
    assert.deepEqual(JSON.parse(formatCheckVectorsReport(result, true)), result);
  });
});

test('a folder of passing vectors reports no failure lines', async () => {
  await withTempDir(async (dir) => {
    await writeFile(path.join(dir, 'council-tax-band-amounts.json'), JSON.stringify({ cases: [band('A', 143_533)] }));
    const result = await checkVectors(dir);
    assert.deepEqual(result, { passed: 1, failed: 0, lines: [] });
    assert.equal(formatCheckVectorsReport(result, false), '1 passed, 0 failed');
  });
});

test('an empty or missing folder fails rather than passing vacuously', async () => {
  await withTempDir(async (dir) => {
    const empty = await checkVectors(dir);
    assert.equal(empty.failed, 1);
    assert.match(empty.lines[0], /no \.json vector files/);
    const missing = await checkVectors(path.join(dir, 'nope'));
    assert.equal(missing.failed, 1);
    assert.match(missing.lines[0], /cannot read the folder/);
  });
});

test('the shared statutory vectors all pass', async () => {
  const dir = process.env.LEVY_VECTORS_DIR ?? path.resolve(process.cwd(), '../shared/vectors');
  const result = await checkVectors(dir);
  assert.deepEqual(result.lines, []);
  assert.equal(result.failed, 0);
  assert.ok(result.passed >= 67);
});
