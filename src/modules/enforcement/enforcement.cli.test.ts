import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCasesFile } from './enforcement.cli.ts';

test('a cases file: header optional, year as 2025 or 2025/26 or absent, blank lines skipped', () => {
  assert.deepEqual(readCasesFile('\uFEFFaccount_reference,financial_year\r\n100000001,2025/26\r\n\r\n100000002,2024\r\n100000003\r\n'), [
    { accountReference: '100000001', financialYear: 2025 },
    { accountReference: '100000002', financialYear: 2024 },
    { accountReference: '100000003' },
  ]);
  assert.deepEqual(readCasesFile('100000004,last year'), [{ accountReference: '100000004', financialYear: Number.NaN }], 'a bad year is left for the service to refuse');
});
