import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { actorOf } from '../../web/guard.ts';
import { ValidationError } from '../../errors.ts';
import { ROLES, ROLE_LABELS } from '../auth/roles.ts';
import { newUserSchema } from '../auth/auth.service.ts';

const userSchema = z.object({ id: z.number(), username: z.string(), displayName: z.string(), role: z.string(), active: z.boolean(), authorityIds: z.array(z.number()) });

/** Form posts send one value as a string and several as an array. */
const asIdList = (value: unknown) => (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(Number);

export function registerAdminRoutes({ app, services, api }: RouteContext) {
  const roleItems = ROLES.map((value) => ({ value, text: ROLE_LABELS[value] }));

  app.get('/admin/users', { config: { access: 'users.manage' } }, async (request, reply) => {
    const [users, authorities] = await Promise.all([services.auth.listUsers(actorOf(request)), services.admin.listAuthorities()]);
    const added = (request.query as Record<string, unknown>).added;
    return reply.page('admin/views/users.njk', { title: 'Users', users, authorities, added });
  });

  app.get('/admin/users/new', { config: { access: 'users.manage' } }, async (_request, reply) => {
    return reply.page('admin/views/user-new.njk', { title: 'Add a user', roleItems, authorities: await services.admin.listAuthorities(), values: {} });
  });

  app.post('/admin/users/new', { config: { access: 'users.manage' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const input = { username: body.username, displayName: body.displayName, password: body.password, role: body.role, authorityIds: asIdList(body.authorityIds) };
    try {
      await services.auth.addUser(actorOf(request), input as never);
      return reply.redirect(`/admin/users?added=${encodeURIComponent(String(body.username))}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return reply.page('admin/views/user-new.njk', { title: 'Add a user', roleItems, authorities: await services.admin.listAuthorities(), values: { ...input, password: '' }, errors: error.fields }, 400);
    }
  });

  app.get('/audit', { config: { access: 'audit.view' } }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const entries = await services.admin.auditTrail(actorOf(request), { entityType: q.entityType || undefined, entityId: q.entityId || undefined });
    return reply.page('admin/views/audit.njk', { title: 'Audit trail', entries, filter: q });
  });

  api.add(app, {
    method: 'GET', url: '/api/v1/users', summary: 'List users', tag: 'Admin', access: 'users.manage',
    response: z.object({ users: z.array(userSchema) }),
    handler: async ({ request }) => ({
      users: (await services.auth.listUsers(actorOf(request))).map((u) => ({ id: u.id, username: u.username, displayName: u.display_name, role: u.role, active: u.active, authorityIds: u.authority_ids })),
    }),
  });

  api.add(app, {
    method: 'POST', url: '/api/v1/users', summary: 'Add a user (argon2id-hashed password)', tag: 'Admin', access: 'users.manage',
    body: newUserSchema, response: z.object({ id: z.number() }), successStatus: 201,
    handler: async ({ body, request }) => ({ id: await services.auth.addUser(actorOf(request), body) }),
  });

  api.add(app, {
    method: 'GET', url: '/api/v1/audit', summary: 'The audit trail of writes and personal-data views, newest first', tag: 'Admin', access: 'audit.view',
    query: z.object({ entityType: z.string().optional(), entityId: z.string().optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }),
    response: z.object({ entries: z.array(z.object({ id: z.number(), at: z.string(), username: z.string().nullable(), action: z.string(), entityType: z.string().nullable(), entityId: z.string().nullable(), detail: z.unknown() })) }),
    handler: async ({ query, request }) => ({
      entries: (await services.admin.auditTrail(actorOf(request), query)).map((e) => ({
        id: e.id, at: new Date(e.at).toISOString(), username: e.username, action: e.action, entityType: e.entity_type, entityId: e.entity_id, detail: e.detail,
      })),
    }),
  });
}
