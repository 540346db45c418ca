import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ForbiddenError } from '../../errors.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  // Liability order for 2025/26 on the Hughes dwelling: £260.00 outstanding under it.
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason) values ($1, $2, 2025, 'liability_order', '2026-05-01', 'granted')`, [f.authorities.wigan, f.accounts.hughesCt.id]);
});
after(() => db.close());

test('a charging order is refused below £1,000 under liability orders, and applied for at £1,000 or more', async () => {
  const senior = f.users.senior_recovery_officer.actor;
  await assert.rejects(f.services.remedies.apply(f.users.recovery_officer.actor, f.accounts.hughesCt.id, { kind: 'charging_order' }), ForbiddenError);
  const refused = await f.services.remedies.apply(senior, f.accounts.hughesCt.id, { kind: 'charging_order' });
  assert.equal(refused.status, 'refused');
  assert.equal(refused.outstandingPence, 26000);
  assert.deepEqual(refused.checks.filter((c) => !c.passed).map((c) => c.check), ['minimum']);
  assert.equal(refused.documentId, null);
  const [event] = await db.query<{ summary: string }>(`select summary from events where type = 'remedy' order by id desc limit 1`);
  assert.match(event.summary, /refused at the checks: At least £1,000\.00/);

  // 2026/27 gets its liability order too: £260.00 + £861.33 = £1,121.33.
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason) values ($1, $2, 2026, 'liability_order', '2026-11-01', 'granted')`, [f.authorities.wigan, f.accounts.hughesCt.id]);
  const applied = await f.services.remedies.apply(senior, f.accounts.hughesCt.id, { kind: 'charging_order' });
  assert.deepEqual([applied.status, applied.outstandingPence, applied.checks.every((c) => c.passed)], ['applied', 112133, true]);
  assert.ok(applied.documentId);
  const bankruptcy = await f.services.remedies.apply(senior, f.accounts.hughesCt.id, { kind: 'bankruptcy' });
  assert.equal(bankruptcy.status, 'refused', 'under £5,000');
  const committal = await f.services.remedies.apply(senior, f.accounts.hughesCt.id, { kind: 'committal', meansInquiryOn: '2026-11-20', finding: 'wilful_refusal' });
  assert.deepEqual(committal.checks.filter((c) => !c.passed).map((c) => c.check), ['enforcement_tried']);
  await f.services.remedies.recordOutcome(senior, applied.id, { outcome: 'granted', note: 'Interim charging order made' });
  assert.equal((await f.services.remedies.forAccount(senior, f.accounts.hughesCt.id)).find((a) => a.id === applied.id)!.status, 'granted');
});
