// First start: when the database holds no accounts yet, build the demo council and one sign-in per
// role. Passwords are generated here and kept only in the local data folder (never in the repo).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import { ROLES, ROLE_LABELS, type Role } from '../modules/auth/roles.ts';
import { seedCouncil } from './seed-council.ts';
import { setUpRecoveryForAuthority } from './recovery-run.ts';

export interface DemoSignIn {
  username: string;
  password: string;
  role: Role;
}

const DEMO_USERS: { username: string; displayName: string; role: Role }[] = [
  { username: 'admin.officer', displayName: 'Alex Admin', role: 'recovery_administrator' },
  { username: 'recovery.officer', displayName: 'Sam Recovery', role: 'recovery_officer' },
  { username: 'senior.officer', displayName: 'Jo Senior', role: 'senior_recovery_officer' },
  { username: 'recovery.manager', displayName: 'Pat Manager', role: 'recovery_manager' },
  { username: 'auditor', displayName: 'Chris Auditor', role: 'auditor' },
  { username: 'sysadmin', displayName: 'Riley Sysadmin', role: 'system_administrator' },
];
// Keep the list honest: one demo sign-in for every role there is.
if (new Set(DEMO_USERS.map((u) => u.role)).size !== ROLES.length) throw new Error('DEMO_USERS must cover every role');

export const credentialsFile = (config: Pick<Config, 'dataDir'>) => path.join(config.dataDir, 'demo-sign-ins.json');

export async function ensureDemoCouncil(runtime: Runtime, config: Config, log: (line: string) => void): Promise<DemoSignIn[] | undefined> {
  // "Empty" means no accounts: a demo build killed part-way on the embedded database leaves only
  // the authority row behind (the seed itself is one transaction), and the next start builds it again.
  const [{ seeded }] = await runtime.db.query<{ seeded: boolean }>('select exists (select 1 from accounts) as seeded');
  if (seeded) return readDemoSignIns(config);
  if (config.NODE_ENV === 'production') {
    log('Empty database in production: not creating a demo council. Use `levy users add` and `levy seed`.');
    return undefined;
  }
  log(`Empty database: building the demo council (${config.LEVY_DEMO_AUTHORITY}, ${config.LEVY_DEMO_DWELLINGS} dwellings, ${config.LEVY_DEMO_BUSINESSES} businesses)…`);
  const report = await seedCouncil(runtime.db, {
    onsCode: config.LEVY_DEMO_AUTHORITY,
    dwellings: config.LEVY_DEMO_DWELLINGS,
    businesses: config.LEVY_DEMO_BUSINESSES,
    seed: 2026,
    asOf: runtime.clock.today(),
  });
  log(`Demo council ready in ${report.seconds.toFixed(1)} s: ${report.accounts} accounts, ${report.ledgerEntries} ledger entries.`);
  await setUpRecoveryForAuthority(runtime.db, report.authorityId, { demoHearingsFrom: runtime.clock.today() });
  const signIns: DemoSignIn[] = [];
  for (const user of DEMO_USERS) {
    const password = crypto.randomBytes(12).toString('base64url');
    const authorityIds = user.role === 'system_administrator' ? [] : [report.authorityId];
    await runtime.services.auth.addUser(null, { ...user, password, authorityIds });
    signIns.push({ username: user.username, password, role: user.role });
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(credentialsFile(config), JSON.stringify(signIns, null, 2), { mode: 0o600 });
  return signIns;
}

function readDemoSignIns(config: Config): DemoSignIn[] | undefined {
  try {
    return JSON.parse(fs.readFileSync(credentialsFile(config), 'utf8')) as DemoSignIn[];
  } catch {
    return undefined;
  }
}

export function formatSignIns(signIns: DemoSignIn[]): string {
  return signIns.map((s) => `  ${s.username.padEnd(18)} ${s.password}   ${ROLE_LABELS[s.role]}`).join('\n');
}
