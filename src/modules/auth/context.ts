import { ForbiddenError } from '../../errors.ts';
import { can, type Permission, type Role } from './roles.ts';

/** Who is acting, passed from every route, CLI command and job into the services. */
export interface Actor {
  userId: number | null; // null for a batch or the CLI acting as the system
  username: string;
  role: Role;
  authorityIds: number[]; // the billing authorities this actor may see
  ip?: string;
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor.role, permission)) throw new ForbiddenError();
}
