import type { Db } from '../../db/database.ts';
import type { Role } from './roles.ts';

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  active: boolean;
  authority_ids: number[];
}

const USER_COLUMNS = `u.id, u.username, u.display_name, u.password_hash, u.role, u.active,
  coalesce((select array_agg(ua.authority_id order by ua.authority_id) from user_authorities ua
            where ua.user_id = u.id), '{}') as authority_ids`;

export function createAuthRepository(db: Db) {
  return {
    async findUserByUsername(username: string): Promise<UserRow | undefined> {
      const rows = await db.query<UserRow>(`select ${USER_COLUMNS} from users u where u.username = $1`, [username]);
      return rows[0];
    },

    async findUserById(id: number): Promise<UserRow | undefined> {
      const rows = await db.query<UserRow>(`select ${USER_COLUMNS} from users u where u.id = $1`, [id]);
      return rows[0];
    },

    async listUsers(): Promise<Omit<UserRow, 'password_hash'>[]> {
      return db.query(
        `select u.id, u.username, u.display_name, u.role, u.active,
                coalesce((select array_agg(ua.authority_id) from user_authorities ua where ua.user_id = u.id), '{}') as authority_ids
           from users u order by u.username`,
      );
    },

    async insertUser(
      user: { username: string; displayName: string; passwordHash: string; role: Role; authorityIds: number[]; createdBy: number | null },
      tx: Db = db,
    ): Promise<number> {
      const [row] = await tx.query<{ id: number }>(
        `insert into users (username, display_name, password_hash, role, created_by)
         values ($1, $2, $3, $4, $5) returning id`,
        [user.username, user.displayName, user.passwordHash, user.role, user.createdBy],
      );
      if (user.authorityIds.length) {
        await tx.query(
          `insert into user_authorities (user_id, authority_id) select $1, unnest($2::int[])`,
          [row.id, user.authorityIds],
        );
      }
      return row.id;
    },

    async insertSession(s: { idHash: string; userId: number; csrfToken: string; now: Date; expiresAt: Date }): Promise<void> {
      await db.query(
        `insert into sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) values ($1, $2, $3, $4, $4, $5)`,
        [s.idHash, s.userId, s.csrfToken, s.now, s.expiresAt],
      );
    },

    /**
     * A live session and its user, in one statement (it runs before every page). Sliding the expiry
     * is a write, so it happens at most once a minute per session rather than on every request.
     */
    async resumeSession(idHash: string, now: Date, newExpiry: Date): Promise<(UserRow & { csrf_token: string }) | undefined> {
      const rows = await db.query<UserRow & { csrf_token: string }>(
        `with s as (select id_hash, user_id, csrf_token, last_seen_at from sessions where id_hash = $1 and expires_at > $2),
              slide as (update sessions set last_seen_at = $2, expires_at = $3
                         where id_hash in (select id_hash from s where last_seen_at <= $2::timestamptz - interval '1 minute'))
         select ${USER_COLUMNS}, s.csrf_token from s join users u on u.id = s.user_id`,
        [idHash, now, newExpiry],
      );
      return rows[0];
    },

    async deleteSession(idHash: string): Promise<void> {
      await db.query('delete from sessions where id_hash = $1', [idHash]);
    },

    async insertApiToken(t: { userId: number; name: string; tokenHash: string }): Promise<number> {
      const [row] = await db.query<{ id: number }>(
        'insert into api_tokens (user_id, name, token_hash) values ($1, $2, $3) returning id',
        [t.userId, t.name, t.tokenHash],
      );
      return row.id;
    },

    async findUserIdByToken(tokenHash: string, now: Date): Promise<number | undefined> {
      const rows = await db.query<{ user_id: number }>(
        `update api_tokens set last_used_at = $2 where token_hash = $1 and revoked_at is null returning user_id`,
        [tokenHash, now],
      );
      return rows[0]?.user_id;
    },

    async listApiTokens(userId: number) {
      return db.query<{ id: number; name: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }>(
        'select id, name, created_at, last_used_at, revoked_at from api_tokens where user_id = $1 order by id',
        [userId],
      );
    },

    async revokeApiToken(userId: number, tokenId: number, now: Date): Promise<boolean> {
      const rows = await db.query(
        'update api_tokens set revoked_at = $3 where user_id = $1 and id = $2 and revoked_at is null returning id',
        [userId, tokenId, now],
      );
      return rows.length === 1;
    },
  };
}
export type AuthRepository = ReturnType<typeof createAuthRepository>;
