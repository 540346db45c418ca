import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { NotFoundError } from '../../errors.ts';
import { createDocumentsRepository } from './documents.repository.ts';
import { createAuditRepository } from '../audit/audit.repository.ts';
import { createDocumentsService, letterheadFor, type LetterToIssue } from './documents.service.ts';
import type { Notifier, OutgoingMessage } from '../../integrations/notify/notify.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  await db.query(`update billing_authorities set letter_address = '{"Town Hall","Library Street","Wigan","WN1 1YN"}', phone = '01942 000000' where id = $1`, [f.authorities.wigan]);
});
after(() => db.close());

const hasPdftotext = (() => { try { execFileSync('pdftotext', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } })();
function pdfText(pdf: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'levy-pdf-')), 'x.pdf');
  fs.writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

async function letter(accountId: number, email: string | null = null): Promise<LetterToIssue> {
  return {
    authorityId: f.authorities.wigan, customerId: f.customers.margaret, accountId, kind: 'reminder', title: 'Council Tax reminder notice', email,
    content: {
      from: await letterheadFor(db, f.authorities.wigan),
      to: { name: 'Margaret Hughes', addressLines: ['14 Acacia Avenue', 'Wigan', 'WN1 2AB'] },
      date: '2026-11-22', reference: f.accounts.hughesCt.reference, title: 'Council Tax reminder notice',
      blocks: [
        { type: 'paragraph', text: 'You have not paid the instalment due on 1 November 2026.' },
        { type: 'notice', text: 'Pay £143.00 by 29 November 2026.' },
        { type: 'table', columns: ['Due', 'Amount'], rows: [['1 November 2026', '£143.00']], numericColumns: [1] },
      ],
    },
  };
}

test('issuing a letter stores it, queues the printed letter, and notes it on the account', async () => {
  const id = await f.services.documents.issueLetter(await letter(f.accounts.hughesCt.id), { actor: f.users.recovery_officer.actor });
  const messages = await f.services.documents.outbox(f.users.recovery_officer.actor, { accountId: f.accounts.hughesCt.id });
  assert.deepEqual(messages.map((m) => [m.channel, m.status, m.document_id]), [['letter', 'queued', id]]);
  assert.equal(messages[0].recipient, 'Margaret Hughes, 14 Acacia Avenue, Wigan, WN1 2AB');
  const view = await f.services.accounts.getAccountView(f.users.recovery_officer.actor, f.accounts.hughesCt.id);
  assert.equal(view.timeline[0].summary, 'Council Tax reminder notice issued');
  assert.deepEqual(view.letters.map((d) => d.id), [id]);
  // Dated by the injected clock (noon on 22 November 2026), not the database's now().
  assert.equal(new Date(view.letters[0].created_at).toISOString(), '2026-11-22T12:00:00.000Z');
});

test('the PDF is a tagged A4 letter with the sender, recipient and the notice text', async (t) => {
  const id = await f.services.documents.issueLetter(await letter(f.accounts.hughesCt.id), { actor: null, bySystem: 'test' });
  const { pdf, filename } = await f.services.documents.renderPdf(f.users.auditor.actor, id);
  assert.equal(pdf.subarray(0, 8).toString(), '%PDF-1.7');
  assert.match(pdf.toString('latin1'), /\/MarkInfo/);
  assert.match(filename, /^reminder-1000010015-\d+\.pdf$/);
  if (!hasPdftotext) return t.skip('pdftotext not installed: text of the letter not checked');
  const text = pdfText(pdf);
  for (const expected of ['Wigan Council', 'Town Hall', 'Margaret Hughes', '14 Acacia Avenue', 'Reference: 1000010015', 'Pay £143.00 by 29 November 2026.', '22 November 2026']) {
    assert.ok(text.includes(expected), `PDF should contain "${expected}"`);
  }
});

test('an opted-in customer is emailed too; delivery goes through the notifier and records the outcome', async () => {
  const sent: OutgoingMessage[] = [];
  const recording: Notifier = { live: true, send: async (m) => { sent.push(m); return m.recipient.includes('bounce') ? { status: 'failed', error: 'address not found' } : { status: 'sent', providerId: 'notify-123' }; } };
  const documents = createDocumentsService({ db, clock: f.clock, repo: createDocumentsRepository(db), audit: createAuditRepository(db), notifier: recording });
  await documents.issueLetters([await letter(f.accounts.sundry.id, 'm.hughes@example.org'), await letter(f.accounts.sundry.id, 'bounce@example.org')], { actor: null, bySystem: 'test' });
  const counts = await documents.deliverQueued();
  assert.deepEqual(counts, { sent: 1, held: 0, failed: 1 });
  assert.deepEqual(sent.map((m) => [m.channel, m.recipient, m.subject]), [['email', 'm.hughes@example.org', 'Council Tax reminder notice'], ['email', 'bounce@example.org', 'Council Tax reminder notice']]);
  const rows = await db.query<{ recipient: string; status: string; error: string | null }>(`select recipient, status, error from outbox_messages where channel = 'email' order by id`);
  assert.deepEqual(rows, [{ recipient: 'm.hughes@example.org', status: 'sent', error: null }, { recipient: 'bounce@example.org', status: 'failed', error: 'address not found' }]);
  // Letters still wait for the print file: delivery never touches them.
  assert.ok((await db.query(`select 1 from outbox_messages where channel = 'letter' and status = 'queued'`)).length >= 2);
});

test('without Notify, emails are held locally for officers to read', async () => {
  await f.services.documents.issueLetter(await letter(f.accounts.okaforCt.id, 'peter@example.org'), { actor: null, bySystem: 'test' });
  const counts = await f.services.documents.deliverQueued();
  assert.equal(counts.held, 1);
  const [row] = await db.query<{ status: string }>(`select status from outbox_messages where recipient = 'peter@example.org'`);
  assert.equal(row.status, 'held_locally');
});

test('a run’s print file has every letter it issued, one after another', async (t) => {
  const [run] = await db.query<{ id: number }>(`insert into batch_runs (authority_id, kind, status) values ($1, 'test', 'completed') returning id`, [f.authorities.wigan]);
  await f.services.documents.issueLetters([await letter(f.accounts.hughesCt.id), await letter(f.accounts.okaforCt.id), await letter(f.accounts.sundry.id)], { actor: null, batchRunId: run.id, bySystem: `test-run:${run.id}` });
  const pdf = await f.services.documents.printFile(f.users.recovery_manager.actor, run.id);
  await assert.rejects(f.services.documents.printFile(f.users.recovery_manager.actor, run.id + 999), NotFoundError);
  if (!hasPdftotext) return t.skip('pdftotext not installed');
  const text = pdfText(pdf);
  assert.equal(text.split('Council Tax reminder notice').length - 1, 3, 'one title per letter');
  assert.equal(text.split('\f').filter((page) => page.trim()).length, 3, 'each letter on its own page');
});

test('documents in another authority are not found', async () => {
  const [cardiffDoc] = await db.query<{ id: number }>(
    `insert into documents (authority_id, customer_id, account_id, kind, title, content) values ($1, $2, $3, 'x', 'x', '{}') returning id`,
    [f.authorities.cardiff, f.customers.ceri, f.accounts.cardiffCt.id]);
  await assert.rejects(f.services.documents.renderPdf(f.users.recovery_manager.actor, cardiffDoc.id), NotFoundError);
});
