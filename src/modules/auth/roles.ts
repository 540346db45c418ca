// Roles and what each may do. Enforced on the server: every route names the permission it needs
// (src/web/guard.ts) and services check it again. Delegated limits are data here too, used by the
// modules that post adjustments, refunds and write-offs.
export const ROLES = [
  'recovery_administrator',
  'recovery_officer',
  'senior_recovery_officer',
  'recovery_manager',
  'auditor',
  'system_administrator',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  recovery_administrator: 'Recovery administrator',
  recovery_officer: 'Recovery officer',
  senior_recovery_officer: 'Senior recovery officer',
  recovery_manager: 'Recovery manager',
  auditor: 'Auditor (read only)',
  system_administrator: 'System administrator',
};

export const PERMISSIONS = [
  'cases.view', // search, customer and account pages (personal data: every view is audited)
  'cases.note', // add notes, log contacts
  'audit.view',
  'users.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const CASEWORK: Permission[] = ['cases.view', 'cases.note'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  recovery_administrator: CASEWORK,
  recovery_officer: CASEWORK,
  senior_recovery_officer: CASEWORK,
  recovery_manager: [...CASEWORK, 'audit.view'],
  auditor: ['cases.view', 'audit.view'],
  // Runs the system; sees no one's personal data unless also given a casework role.
  system_administrator: ['users.manage', 'audit.view'],
};

/** Largest adjustment, refund or write-off (pence) a role may approve alone. null: no limit. */
export const DELEGATED_LIMIT_PENCE: Record<Role, number | null> = {
  recovery_administrator: 0,
  recovery_officer: 50_000,
  senior_recovery_officer: 500_000,
  recovery_manager: null,
  auditor: 0,
  system_administrator: 0,
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
