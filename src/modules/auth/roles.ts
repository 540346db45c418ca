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
  'payments.view', // imports, suspense queue, cash report, Direct Debit lists (read only)
  'payments.import', // import payment files and Bacs reports (ARUDD, ADDACS)
  'payments.allocate', // allocate from suspense, split, re-allocate, transfer between a customer's accounts
  'payments.settings', // allocation policy, refund limit, collection days, Bacs identity
  'refunds.request',
  'refunds.approve', // a second, senior officer; never the requester
  'direct_debit.manage', // set up, amend and cancel mandates
  'direct_debit.run', // AUDDIS lodgement, advance notices, collection runs, Bacs files
  'billing.change', // record moves in and out, liable people, discounts and reliefs, band and RV changes; reissue bills
  'billing.run', // the annual billing run and VOA schedule imports
  'billing.settings', // the council's Band D, precepts and discount, exemption and premium rates
  'recovery.run', // start a recovery run: its preview of reminders, notices and summonses
  'recovery.approve', // a senior officer approves a run's preview before notices go
  'recovery.configure', // the council's recovery timetables (offsets, minimums, costs, letters)
  'holds.manage', // create, review and end holds on accounts and customers
  'court.manage', // hearing dates, complaint lists and court outcomes
  'reports.view', // the reports dashboard: collection rates, arrears, pipeline, members' accounts, money and workload
  'reports.workload', // the workload report (officers see their own line; reports.view sees the team's)
  'reports.targets', // set the council's collection-rate targets
  'arrangements.manage', // arrangements, income and expenditure statements, monitoring (issue 6)
  'arrangements.settings', // the council's arrangement monitoring tolerance: grace days and shortfall allowed (issue 6)
  'attachments.manage', // employers, attachment of earnings orders and remittances (issue 6)
  'write_offs.recommend', // recommend write-offs, run the rules (issue 6)
  'write_offs.approve', // approve write-offs and write-ons within the role's delegated limit (issue 6)
  'enforcement.refer', // refer cases to enforcement agents, export to firms, import returns (issue 6)
  'enforcement.decide', // a senior officer's decision to refer despite a vulnerability or warning (issue 6)
  'remedies.manage', // charging orders, bankruptcy and committal applications and their outcomes (issue 6)
  'tracing.manage', // trace tasks: sources tried, new addresses, untraceable (issue 6)
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const CASEWORK: Permission[] = ['cases.view', 'cases.note'];
// Money in (issue 4): administrators and officers import, allocate, request refunds and set up mandates;
// seniors and managers also approve refunds and run Direct Debit; managers set the payment policy.
const MONEY_IN: Permission[] = ['payments.view', 'payments.import', 'payments.allocate', 'refunds.request', 'direct_debit.manage'];
const MONEY_IN_SENIOR: Permission[] = [...MONEY_IN, 'refunds.approve', 'direct_debit.run'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  recovery_administrator: [...CASEWORK, ...MONEY_IN],
  recovery_officer: [...CASEWORK, ...MONEY_IN],
  senior_recovery_officer: [...CASEWORK, ...MONEY_IN_SENIOR],
  recovery_manager: [...CASEWORK, 'audit.view', ...MONEY_IN_SENIOR, 'payments.settings'],
  auditor: ['cases.view', 'audit.view', 'payments.view'],
  // Runs the system; sees no one's personal data unless also given a casework role.
  system_administrator: ['users.manage', 'audit.view'],
};

// Billing (issue 3): officers and administrators change liability and awards; seniors and managers
// also run the annual bills and VOA imports; managers set the year's charges.
const BILLING_GRANTS: Partial<Record<Role, Permission[]>> = {
  recovery_administrator: ['billing.change'],
  recovery_officer: ['billing.change'],
  senior_recovery_officer: ['billing.change', 'billing.run'],
  recovery_manager: ['billing.change', 'billing.run', 'billing.settings'],
};
for (const [role, grants] of Object.entries(BILLING_GRANTS) as [Role, Permission[]][]) {
  ROLE_PERMISSIONS[role] = [...ROLE_PERMISSIONS[role], ...grants];
}

// Recovery (issue 5): administrators and officers start runs, hold accounts and work the court lists;
// seniors and managers approve runs; managers set the timetables.
const RECOVERY_GRANTS: Partial<Record<Role, Permission[]>> = {
  recovery_administrator: ['recovery.run', 'holds.manage', 'court.manage'],
  recovery_officer: ['recovery.run', 'holds.manage', 'court.manage'],
  senior_recovery_officer: ['recovery.run', 'recovery.approve', 'holds.manage', 'court.manage'],
  recovery_manager: ['recovery.run', 'recovery.approve', 'recovery.configure', 'holds.manage', 'court.manage'],
};
for (const [role, grants] of Object.entries(RECOVERY_GRANTS) as [Role, Permission[]][]) {
  ROLE_PERMISSIONS[role] = [...ROLE_PERMISSIONS[role], ...grants];
}

// Reports (issue 7): managers, seniors and auditors see every report; officers and administrators see
// their own workload; managers set the collection-rate targets.
const REPORT_GRANTS: Partial<Record<Role, Permission[]>> = {
  recovery_administrator: ['reports.workload'],
  recovery_officer: ['reports.workload'],
  senior_recovery_officer: ['reports.view', 'reports.workload'],
  recovery_manager: ['reports.view', 'reports.workload', 'reports.targets'],
  auditor: ['reports.view', 'reports.workload'],
};
for (const [role, grants] of Object.entries(REPORT_GRANTS) as [Role, Permission[]][]) {
  ROLE_PERMISSIONS[role] = [...ROLE_PERMISSIONS[role], ...grants];
}

// After the liability order (issue 6): administrators and officers make arrangements and orders and
// recommend write-offs; officers and above approve write-offs within their delegated limit below.
const AFTER_LO_GRANTS: Partial<Record<Role, Permission[]>> = {
  recovery_administrator: ['arrangements.manage', 'attachments.manage', 'write_offs.recommend', 'enforcement.refer', 'tracing.manage'],
  recovery_officer: ['arrangements.manage', 'attachments.manage', 'write_offs.recommend', 'write_offs.approve', 'enforcement.refer', 'tracing.manage'],
  senior_recovery_officer: ['arrangements.manage', 'attachments.manage', 'write_offs.recommend', 'write_offs.approve', 'enforcement.refer', 'enforcement.decide', 'remedies.manage', 'tracing.manage'],
  recovery_manager: ['arrangements.manage', 'arrangements.settings', 'attachments.manage', 'write_offs.recommend', 'write_offs.approve', 'enforcement.refer', 'enforcement.decide', 'remedies.manage', 'tracing.manage'],
};
for (const [role, grants] of Object.entries(AFTER_LO_GRANTS) as [Role, Permission[]][]) {
  ROLE_PERMISSIONS[role] = [...ROLE_PERMISSIONS[role], ...grants];
}

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
