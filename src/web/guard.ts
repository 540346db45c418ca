// Every route states who may use it, in its config. Routes that forget fail at start-up, so a new
// page cannot ship unguarded. The check itself runs before the handler on every request.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorisedError } from '../errors.ts';
import { can, type Permission } from '../modules/auth/roles.ts';
import type { Actor } from '../modules/auth/context.ts';

export type Access = Permission | 'public' | 'signed-in';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor?: Actor;
    displayName?: string;
    csrfToken?: string;
    viaApiToken?: boolean;
  }
  interface FastifyInstance {
    levyRoutes: { method: string; url: string; access?: Access }[];
  }
}

/** Registers the guard; returns the list of routes it saw, so tests can check them all. */
export function registerGuard(app: FastifyInstance): { method: string; url: string; access?: Access }[] {
  const seen: { method: string; url: string; access?: Access }[] = [];
  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: Access } | undefined)?.access;
    // Static assets and Fastify's own HEAD twins are public by nature.
    if (!access && !route.url.startsWith('/assets') && route.method !== 'HEAD') {
      throw new Error(`Route ${route.method} ${route.url} does not declare config.access`);
    }
    for (const method of [route.method].flat()) seen.push({ method, url: route.url, access });
  });

  app.addHook('preHandler', async (request: FastifyRequest, _reply: FastifyReply) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public') return;
    if (!request.actor) throw new UnauthorisedError();
    if (access !== 'signed-in' && !can(request.actor.role, access)) throw new ForbiddenError();
  });
  return seen;
}

/** The actor of a request that has passed the guard. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new UnauthorisedError();
  return request.actor;
}
