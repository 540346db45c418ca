import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from './context.ts';
import type { AuthRepository, UserRow } from './auth.repository.ts';
import { ROLES } from './roles.ts';

// argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane).
const ARGON2ID = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
// Verifying against this when the username is unknown keeps sign-in time the same either way.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$Zbs2VlsR4yxvI7DEVCulfQ$/jktpjCenH3TApt+15KuAupjqV2FOiNih4+c/aAuMWc';

export const newUserSchema = z.object({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9._-]{3,40}$/, 'Enter a username of 3 to 40 letters, numbers, dots, dashes or underscores'),
  displayName: z.string().trim().min(1, 'Enter the person’s name').max(100),
  password: z.string().min(12, 'Password must be at least 12 characters').max(200),
  role: z.enum(ROLES, { message: 'Choose a role' }),
  authorityIds: z.array(z.number().int().positive()).default([]),
});
export type NewUser = z.input<typeof newUserSchema>;

export const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');
const randomToken = () => crypto.randomBytes(32).toString('base64url');

export function toActor(user: UserRow, ip?: string): Actor {
  return { userId: user.id, username: user.username, role: user.role, authorityIds: user.authority_ids, ip };
}

export function createAuthService(deps: {
  db: Db;
  repo: AuthRepository;
  audit: AuditRepository;
  clock: Clock;
  sessionIdleMinutes: number;
}) {
  const { db, repo, audit, clock } = deps;
  const expiry = () => new Date(clock.now().getTime() + deps.sessionIdleMinutes * 60_000);

  return {
    async signIn(username: string, password: string, ip?: string) {
      const user = await repo.findUserByUsername(username.trim().toLowerCase());
      const ok = await verify(user?.password_hash ?? DUMMY_HASH, password);
      if (!user || !ok || !user.active) {
        await audit.record({ userId: user?.id ?? null, ip }, { action: 'login.failed', detail: { username } });
        return undefined;
      }
      const sessionId = randomToken();
      const csrfToken = randomToken();
      await repo.insertSession({ idHash: sha256(sessionId), userId: user.id, csrfToken, now: clock.now(), expiresAt: expiry() });
      await audit.record({ userId: user.id, ip }, { action: 'login' });
      return { sessionId, csrfToken, user };
    },

    async resolveSession(sessionId: string, ip?: string) {
      const user = await repo.resumeSession(sha256(sessionId), clock.now(), expiry());
      if (!user?.active) return undefined;
      return { actor: toActor(user, ip), displayName: user.display_name, csrfToken: user.csrf_token };
    },

    async signOut(sessionId: string) {
      await repo.deleteSession(sha256(sessionId));
    },

    async resolveApiToken(token: string, ip?: string) {
      const userId = await repo.findUserIdByToken(sha256(token), clock.now());
      if (userId === undefined) return undefined;
      const user = await repo.findUserById(userId);
      return user?.active ? toActor(user, ip) : undefined;
    },

    /** Creates a personal API token; the token itself is returned once and never stored. */
    async createApiToken(actor: Actor, name: string) {
      const cleanName = name.trim();
      if (!cleanName || cleanName.length > 60) {
        throw new ValidationError('Check the token name', [{ field: 'name', message: 'Enter a name of up to 60 characters' }]);
      }
      const token = `levy_${randomToken()}`;
      const id = await repo.insertApiToken({ userId: actor.userId!, name: cleanName, tokenHash: sha256(token) });
      await audit.record(actor, { action: 'create.api_token', entityType: 'api_token', entityId: id });
      return { id, token };
    },

    listApiTokens: (actor: Actor) => repo.listApiTokens(actor.userId!),

    async revokeApiToken(actor: Actor, tokenId: number) {
      const revoked = await repo.revokeApiToken(actor.userId!, tokenId, clock.now());
      if (revoked) await audit.record(actor, { action: 'revoke.api_token', entityType: 'api_token', entityId: tokenId });
      return revoked;
    },

    /** Adds a user. `actor` null means the CLI on the server itself (installing the first admin). */
    async addUser(actor: Actor | null, input: NewUser) {
      if (actor) requirePermission(actor, 'users.manage');
      const parsed = newUserSchema.safeParse(input);
      if (!parsed.success) throw new ValidationError('Check the new user’s details', fieldProblemsFromZod(parsed.error.issues));
      const user = parsed.data;
      if (await repo.findUserByUsername(user.username)) {
        throw new ConflictError(`A user called ${user.username} already exists`);
      }
      const known = await db.query<{ id: number }>('select id from billing_authorities where id = any($1::int[])', [user.authorityIds]);
      if (known.length !== new Set(user.authorityIds).size) {
        throw new ValidationError('Check the billing authorities', [{ field: 'authorityIds', message: 'Choose billing authorities that exist' }]);
      }
      const passwordHash = await hash(user.password, ARGON2ID);
      return db.transaction(async (tx) => {
        const id = await repo.insertUser({ ...user, passwordHash, createdBy: actor?.userId ?? null }, tx);
        await audit.record(actor, { action: 'create.user', entityType: 'user', entityId: id, detail: { username: user.username, role: user.role } }, tx);
        return id;
      });
    },

    listUsers(actor: Actor) {
      requirePermission(actor, 'users.manage');
      return repo.listUsers();
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
