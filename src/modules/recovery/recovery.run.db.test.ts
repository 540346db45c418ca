// The recovery run as a batch: preview and approval, what changes between them, dry runs, the print
// file and letters, and crashes: a run killed half-way and run again issues each notice exactly once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTestDb, testEngine } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { openPostgres, type Db } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { addMonths } from '../../domain/calendar.ts';
import { defaultTimetables } from '../../domain/recovery/default-timetables.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { recoveryWorld, type RecoveryWorld, type TestAccount } from './scenario-support.ts';

let db: Db;
let f: FixtureCouncil;
let w: RecoveryWorld;
const missedMay: TestAccount[] = [];

const hasPdftotext = (() => { try { execFileSync('pdftotext', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } })();
const pdfText = (pdf: Buffer) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'levy-recovery-')), 'x.pdf');
  fs.writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
};

before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  w = recoveryWorld(db, f);
  f.clock.set('2026-04-01');
  for (let i = 0; i < 23; i++) {
    const acc = await w.account({ name: `Mae Missed${i}` });
    await w.pay(acc, '2026-04-01', 10_000);
    missedMay.push(acc);
  }
});
after(() => db.close());

test('the SQL defaults match the domain’s defaults for both nations', async () => {
  const list = await f.services.recovery.timetables(f.users.recovery_manager.actor);
  const wigan = list.filter((t) => t.authorityId === f.authorities.wigan);
  const strip = (t: { stream: string; nation: string; name: string; effectiveFrom: string; summonsServiceDays: number; hearingMinDaysAfterService: number; limitationYears: number; stages: readonly { stage: string }[] }) =>
    ({ stream: t.stream, nation: t.nation, name: t.name, effectiveFrom: t.effectiveFrom, summonsServiceDays: t.summonsServiceDays, hearingMinDaysAfterService: t.hearingMinDaysAfterService, limitationYears: t.limitationYears, stages: [...t.stages].sort((a, b) => a.stage.localeCompare(b.stage)) });
  const byStream = <T extends { stream: string }>(list: T[]) => [...list].sort((x, y) => x.stream.localeCompare(y.stream));
  assert.deepEqual(byStream(wigan.map(strip)), byStream(defaultTimetables('england').map(strip)));
  const cardiff = await (await import('./recovery.repository.ts')).createRecoveryRepository(db).timetables([f.authorities.cardiff]);
  assert.deepEqual(byStream(cardiff.map(strip)), byStream(defaultTimetables('wales').map(strip)));
  assert.ok(wigan.every((t) => t.problems.length === 0 && t.inForce));
});

test('a dry run reports and writes nothing', async () => {
  const count = async () => (await db.query<{ n: number }>(`select (select count(*) from batch_runs) + (select count(*) from recovery_steps) + (select count(*) from documents) + (select count(*) from events) as n`))[0].n;
  const before = await count();
  f.clock.set('2026-05-08');
  const dry = await f.services.recovery.preview(w.officer, { asOf: '2026-05-08', dryRun: true });
  assert.equal(dry.runId, null);
  assert.equal(dry.status, 'dry_run');
  assert.equal(dry.report.actions.find((a) => a.stage === 'reminder_1')?.count, 23);
  assert.equal(await count(), before);
});

test('a payment or a hold between preview and approval wins: that notice is not issued', async () => {
  f.clock.set('2026-05-08');
  const preview = await f.services.recovery.preview(w.officer, { asOf: '2026-05-08' });
  assert.equal(preview.status, 'awaiting_approval');
  assert.deepEqual(preview.report.actions.find((a) => a.stage === 'reminder_1'), { stage: 'reminder_1', count: 23, demandPence: 23 * 10_000, costsPence: 0 });
  // After the preview: one pays, one is put on hold.
  await w.pay(missedMay[0], '2026-05-08', 10_000);
  await f.services.holds.createHold(w.officer, { accountId: missedMay[1].id }, { type: 'dispute', reason: 'Band appeal lodged with the VOA' });
  const { issueReport } = await f.services.recovery.approve(w.senior, preview.runId!);
  assert.equal(issueReport.steps.reminder_1, 21);
  assert.equal(issueReport.skipped, 2);
  const items = await f.services.recovery.runItems(w.officer, preview.runId!, { kind: 'action', stage: 'reminder_1' });
  const skipped = items.items.filter((i) => i.status === 'skipped');
  assert.deepEqual(skipped.map((i) => i.account_id).sort(), [missedMay[0].id, missedMay[1].id].sort());
  assert.ok(skipped.every((i) => /changed since the preview/.test(i.result!)));
  assert.deepEqual(await w.steps(missedMay[0]), []);
  assert.deepEqual(await w.steps(missedMay[1]), []);
  const run = await f.services.recovery.getRun(w.officer, preview.runId!);
  assert.equal(run.status, 'completed');
  assert.equal(run.approved_by_name, 'Test senior_recovery_officer');
});

test('the run’s print file has every letter it issued; a reminder says what to pay and by when', async (t) => {
  const [run] = await db.query<{ id: number }>(`select batch_run_id as id from recovery_runs where status = 'completed' order by batch_run_id desc limit 1`);
  const pdf = await f.services.documents.printFile(w.officer, run.id);
  const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from documents where batch_run_id = $1`, [run.id]);
  assert.equal(n, 21 + 1, '21 reminders and the fixture account’s final notice for 2025/26 (its balance-due step has no letter)');
  if (!hasPdftotext) return t.skip('pdftotext not installed');
  const text = pdfText(pdf);
  assert.equal(text.split('Council Tax reminder notice').length - 1, 21);
  const [doc] = await db.query<{ id: number }>(`select document_id as id from recovery_steps where account_id = $1`, [missedMay[2].id]);
  const one = pdfText((await f.services.documents.renderPdf(w.officer, doc.id)).pdf);
  for (const expected of ['Mae Missed2', missedMay[2].reference, 'Pay £100.00 by 15 May 2026.', '1 May 2026', 'whole balance for the year, £900.00, will become', 'due on 22 May 2026', 'StepChange']) {
    assert.ok(one.includes(expected), `letter should contain "${expected}":\n${one}`);
  }
});

test('a run killed half-way and run again issues each notice exactly once', async () => {
  const accounts: TestAccount[] = [];
  f.clock.set('2026-06-01');
  for (let i = 0; i < 17; i++) {
    const acc = await w.account({ name: `Kim Killed${i}` });
    await w.pay(acc, '2026-04-01', 10_000);
    await w.pay(acc, '2026-05-01', 10_000);
    accounts.push(acc);
  }
  f.clock.set('2026-06-08');
  const preview = await f.services.recovery.preview(w.officer, { asOf: '2026-06-08' });
  const reminders = preview.report.actions.filter((a) => a.stage.startsWith('reminder')).reduce((s, a) => s + a.count, 0);
  assert.ok(reminders >= 17);
  // Crash inside the third batch of five, after its letters were written but before it committed.
  await assert.rejects(f.services.recovery.approve(w.senior, preview.runId!, { batchSize: 5, simulateCrashInBatch: 3 }), /simulated crash/);
  assert.equal((await f.services.recovery.getRun(w.officer, preview.runId!)).status, 'issuing');
  const [{ n: half }] = await db.query<{ n: number }>(`select issued_through as n from recovery_runs where batch_run_id = $1`, [preview.runId]);
  assert.equal(half, 10, 'two batches committed, the third rolled back');
  const pages = await f.services.recovery.runItems(w.officer, preview.runId!, {});
  assert.deepEqual([pages.items.filter((i) => i.status === 'done').length, pages.items.filter((i) => i.status === 'pending').length], [10, pages.total - 10]);
  // Nothing else may start while it is unfinished; running again resumes it.
  await assert.rejects(f.services.recovery.preview(w.officer, { asOf: '2026-06-08' }), ConflictError);
  const resumed = await f.services.recovery.approve(w.senior, preview.runId!, { batchSize: 5 });
  assert.equal(resumed.status, 'completed');
  for (const acc of accounts) {
    const docs = await db.query<{ kind: string }>(`select kind from documents where account_id = $1`, [acc.id]);
    assert.deepEqual(docs.map((d) => d.kind), ['reminder_1'], acc.reference);
    const letters = await db.query(`select 1 from outbox_messages where account_id = $1 and channel = 'letter'`, [acc.id]);
    assert.equal(letters.length, 1);
  }
  const [dupes] = await db.query<{ n: number }>(`select count(*)::int as n from (select document_id from recovery_steps where batch_run_id = $1 group by document_id having count(*) > 1) x`, [preview.runId]);
  assert.equal(dupes.n, 0);
  assert.equal((await db.query(`select 1 from documents where batch_run_id = $1`, [preview.runId])).length, (await db.query(`select 1 from recovery_steps where batch_run_id = $1 and document_id is not null`, [preview.runId])).length);
});

test('a council’s own timetable is checked against the law, then used from its date', async () => {
  const manager = f.users.recovery_manager.actor;
  const [ct] = defaultTimetables('england');
  const mine = { ...ct, name: 'Wigan from July 2026', effectiveFrom: '2026-07-01', stages: ct.stages.map((s) => (s.stage === 'reminder_1' ? { ...s, issueAfterDays: 10 } : s)) };
  await assert.rejects(f.services.recovery.addTimetable(w.officer, f.authorities.wigan, mine), /permission/);
  await assert.rejects(
    f.services.recovery.addTimetable(manager, f.authorities.wigan, { ...mine, stages: mine.stages.map((s) => (s.stage === 'reminder_1' ? { ...s, payWithinDays: 3 } : s)) }),
    (e: unknown) => e instanceof ValidationError && e.fields.some((p) => /at least 7 days to pay/.test(p.message)));
  await assert.rejects(
    f.services.recovery.addTimetable(manager, f.authorities.wigan, { ...mine, effectiveFrom: '2026-06-01' }),
    (e: unknown) => e instanceof ValidationError && e.fields.some((p) => /after the last run/.test(p.message)));
  await assert.rejects(
    f.services.recovery.addTimetable(manager, f.authorities.wigan, { ...mine, stages: mine.stages.map((s) => (s.stage === 'summons' ? { ...s, letterTemplate: 'my_summons' } : s)) }),
    (e: unknown) => e instanceof ValidationError && e.fields.some((p) => /no letter template "my_summons"/.test(p.message)));
  await f.services.recovery.addTimetable(manager, f.authorities.wigan, mine);
  // A July failure: the reminder now goes 10 days after the due date.
  f.clock.set('2026-06-20');
  const acc = await w.account({ name: 'Tim Timetable' });
  for (const due of ['2026-04-01', '2026-05-01', '2026-06-01']) await w.pay(acc, due, 10_000);
  for (const day of ['2026-07-08', '2026-07-10', '2026-07-11']) await w.runDay(day);
  assert.deepEqual((await w.steps(acc)).map((s) => [s.stage, s.issued_on]), [['reminder_1', '2026-07-11']]);
});

test('a summons needs a hearing with room: without one it is an exception, not a notice', async () => {
  f.clock.set('2026-07-20');
  const acc = await w.account({ name: 'Nora Nohearing' });
  await w.pay(acc, '2026-04-01', 10_000);
  // Reminder on 11 May would have been missed by this late account: bring it to balance due by hand.
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, pay_by, escalates_on, balance_due_on, amount_pence, reason, outcome, outcome_on)
                  values ($1, $2, 2026, 'reminder_1', '2026-05-08', '2026-05-15', '2026-05-22', '2026-05-22', 10000, 'test', 'unpaid', '2026-05-15')`, [f.authorities.wigan, acc.id]);
  const p = await f.services.recovery.preview(w.officer, { asOf: '2026-07-20' });
  const items = await f.services.recovery.runItems(w.officer, p.runId!, { kind: 'exception' });
  const mine = items.items.find((i) => i.account_id === acc.id)!;
  assert.match(mine.reason, /No court hearing with room on or after 5 August 2026/);
  if (p.status === 'awaiting_approval') await f.services.recovery.approve(w.senior, p.runId!);
  assert.deepEqual((await w.steps(acc)).map((s) => s.stage), ['reminder_1']);
  // Add a hearing and the next run issues it, allocated there.
  await f.services.court.addHearing(w.officer, f.authorities.wigan, { courtName: 'Wigan and Leigh Magistrates’ Court', hearingOn: '2026-08-12', capacity: 100 });
  await w.runDay('2026-07-21');
  const [c] = await db.query<{ hearing_on: string }>(`select h.hearing_on from court_cases c join court_hearings h on h.id = c.hearing_id where c.account_id = $1`, [acc.id]);
  assert.equal(c.hearing_on, '2026-08-12');
});

test('a real process killed half-way (SIGKILL) and run again issues each notice once', { skip: testEngine() !== 'postgres' && 'needs a PostgreSQL server the CLI can share' }, async () => {
  const server = process.env.DATABASE_URL!;
  const name = `levy_kill_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = await openPostgres(server, 1);
  await admin.exec(`create database ${name}`);
  await admin.close();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const kdb = await openPostgres(url.toString());
  try {
    await migrate(kdb);
    const kf = await buildFixtureCouncil(kdb);
    const kw = recoveryWorld(kdb, kf);
    kf.clock.set('2026-04-01');
    const n = 150;
    await kdb.query(`insert into customers (authority_id, kind, forenames, surname, display_name) select $1, 'person', 'Kai', 'Kill' || g, 'Kai Kill' || g from generate_series(1, $2) g`, [kf.authorities.wigan, n]);
    const accounts: TestAccount[] = [];
    const customers = await kdb.query<{ id: number }>(`select id from customers where surname like 'Kill%' order by id`);
    for (const [i, c] of customers.entries()) {
      const ref = `1${String(900_000 + i).padStart(8, '0')}`;
      const withCheck = (await import('../../domain/account-reference.ts')).makeAccountReference('council_tax', 900_000 + i);
      void ref;
      const [acc] = await kdb.query<{ id: number }>(`insert into accounts (authority_id, reference, stream, customer_id, opened_on) values ($1, $2, 'council_tax', $3, '2026-04-01') returning id`, [kf.authorities.wigan, withCheck, c.id]);
      accounts.push({ id: acc.id, reference: withCheck, customerId: c.id });
    }
    for (const acc of accounts) await kw.bill(acc, { year: 2026, instalments: 10, amountPence: 10_000 });
    await kdb.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) select id, 'payment', -10000, 2026, '2026-04-01', 'test' from accounts where reference like '1009%'`);
    const cli = (asOf: string) => spawn(process.execPath, [path.resolve('bin/levy.js'), 'recovery', 'run', '--as-of', asOf, '--authority', 'E08000010', '--approve-as', 'senior.recovery.officer', '--batch-size', '2'],
      { env: { ...process.env, DATABASE_URL: url.toString(), LEVY_TODAY: asOf, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const first = cli('2026-05-08');
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    let killedAt = 0;
    for (let i = 0; i < 2_000; i++) {
      const [{ c }] = await kdb.query<{ c: number }>(`select count(*)::int as c from recovery_steps`);
      if (c >= 20) {
        first.kill('SIGKILL');
        killedAt = c;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await exited;
    assert.ok(killedAt > 0 && killedAt < n, `killed after ${killedAt} steps`);
    const [run] = await kdb.query<{ status: string }>(`select status from recovery_runs order by batch_run_id desc limit 1`);
    assert.equal(run.status, 'issuing');
    const second = cli('2026-05-08');
    let out = '';
    second.stdout.on('data', (d) => (out += d));
    second.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => second.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, out);
    assert.match(out, /finished interrupted run/);
    const perAccount = await kdb.query<{ n: number }>(`select count(*)::int as n from documents d join accounts a on a.id = d.account_id where a.reference like '1009%' group by d.account_id`);
    assert.equal(perAccount.length, n);
    assert.ok(perAccount.every((r) => r.n === 1), 'one reminder each');
    const [{ letters }] = await kdb.query<{ letters: number }>(`select count(*)::int as letters from outbox_messages o join accounts a on a.id = o.account_id where a.reference like '1009%'`);
    assert.equal(letters, n);
    const statuses = await kdb.query<{ status: string }>(`select status from recovery_runs order by batch_run_id`);
    assert.deepEqual(statuses.map((s) => s.status), ['completed', 'completed']);
  } finally {
    await kdb.close();
    const cleanup = await openPostgres(server, 1);
    await cleanup.exec(`drop database if exists ${name} with (force)`);
    await cleanup.close();
  }
});

void addMonths;
