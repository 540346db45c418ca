import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, PASSWORD, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
});
after(() => db.close());

test('passwords are stored as argon2id hashes, never in clear', async () => {
  const rows = await db.query<{ password_hash: string }>('select password_hash from users');
  assert.ok(rows.length >= 6);
  for (const r of rows) {
    assert.match(r.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.ok(!r.password_hash.includes(PASSWORD));
  }
});

test('sign in, resolve the session, sign out', async () => {
  const result = await f.services.auth.signIn('recovery.officer', PASSWORD, '127.0.0.1');
  assert.ok(result);
  const session = await f.services.auth.resolveSession(result.sessionId);
  assert.equal(session?.actor.role, 'recovery_officer');
  assert.deepEqual(session?.actor.authorityIds, [f.authorities.wigan]);
  // Only a hash of the session id is stored.
  assert.equal((await db.query('select 1 from sessions where id_hash = $1', [result.sessionId])).length, 0);
  await f.services.auth.signOut(result.sessionId);
  assert.equal(await f.services.auth.resolveSession(result.sessionId), undefined);
});

test('a wrong password fails and is audited', async () => {
  assert.equal(await f.services.auth.signIn('recovery.officer', 'wrong password!', '10.0.0.9'), undefined);
  assert.equal(await f.services.auth.signIn('nobody.here', 'whatever', '10.0.0.9'), undefined);
  const rows = await db.query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'login.failed'`);
  assert.equal(rows[0].n, 2);
});

test('sessions expire after the idle time', async () => {
  const result = (await f.services.auth.signIn('auditor', PASSWORD))!;
  f.clock.set('2026-11-23');
  try {
    assert.equal(await f.services.auth.resolveSession(result.sessionId), undefined);
  } finally {
    f.clock.set('2026-11-22');
  }
});

test('API tokens: shown once, stored hashed, revocable', async () => {
  const actor = f.users.recovery_manager.actor;
  const { id, token } = await f.services.auth.createApiToken(actor, 'nightly import');
  assert.match(token, /^levy_/);
  assert.equal((await f.services.auth.resolveApiToken(token))?.username, actor.username);
  assert.equal((await db.query('select 1 from api_tokens where token_hash = $1', [token])).length, 0);
  assert.equal(await f.services.auth.revokeApiToken(actor, id), true);
  assert.equal(await f.services.auth.resolveApiToken(token), undefined);
  await assert.rejects(f.services.auth.createApiToken(actor, ''), (e: unknown) => e instanceof ValidationError && e.fields[0].field === 'name');
});

test('adding users: only a system administrator; bad fields named; duplicates refused', async () => {
  const input = { username: 'new.officer', displayName: 'New Officer', password: 'a long enough password', role: 'recovery_officer' as const, authorityIds: [f.authorities.wigan] };
  await assert.rejects(f.services.auth.addUser(f.users.recovery_manager.actor, input), ForbiddenError);
  await f.services.auth.addUser(f.users.system_administrator.actor, input);
  await assert.rejects(f.services.auth.addUser(f.users.system_administrator.actor, input), ConflictError);
  await assert.rejects(
    f.services.auth.addUser(f.users.system_administrator.actor, { ...input, username: 'X', password: 'short', role: 'king' as never }),
    (e: unknown) => e instanceof ValidationError && ['username', 'password', 'role'].every((field) => e.fields.some((x) => x.field === field)),
  );
  await assert.rejects(f.services.auth.addUser(f.users.system_administrator.actor, { ...input, username: 'ghost', authorityIds: [9999] }),
    (e: unknown) => e instanceof ValidationError && e.fields[0].field === 'authorityIds');
  assert.equal((await db.query(`select 1 from users where username in ('x', 'ghost')`)).length, 0);
});

test('using a session slides its expiry, at most once a minute', async () => {
  const result = (await f.services.auth.signIn('auditor', PASSWORD))!;
  const expiresAt = async () => (await db.query<{ e: string }>(`select expires_at::text as e from sessions where csrf_token = $1`, [result.csrfToken]))[0].e;
  const first = await expiresAt();
  // Within the minute: still valid, expiry unchanged (no write per page).
  assert.ok(await f.services.auth.resolveSession(result.sessionId));
  assert.equal(await expiresAt(), first);
  // Fifty minutes later it is used again, so it lives on past its first expiry.
  f.clock.set('2026-11-22T12:50:00Z');
  try {
    assert.ok(await f.services.auth.resolveSession(result.sessionId));
    assert.notEqual(await expiresAt(), first);
    f.clock.set('2026-11-22T13:30:00Z');
    assert.ok(await f.services.auth.resolveSession(result.sessionId), 'still valid 40 minutes after the last use');
  } finally {
    f.clock.set('2026-11-22');
  }
});
