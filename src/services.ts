// Wiring with plain factories: repositories over the database, then services over repositories.
// The web app, the JSON API, the CLI and the jobs all call these same services.
import type { Clock } from './clock.ts';
import type { Db } from './db/database.ts';
import { createAccountsRepository } from './modules/accounts/accounts.repository.ts';
import { createAccountsService } from './modules/accounts/accounts.service.ts';
import { createAuditRepository } from './modules/audit/audit.repository.ts';
import { createAuthRepository } from './modules/auth/auth.repository.ts';
import { createAuthService } from './modules/auth/auth.service.ts';
import { createCaseworkService } from './modules/casework/casework.service.ts';
import { createEventsRepository } from './modules/casework/events.repository.ts';
import { createCustomersRepository } from './modules/customers/customers.repository.ts';
import { createCustomersService } from './modules/customers/customers.service.ts';
import { createAdminService } from './modules/admin/admin.service.ts';
import { createDocumentsRepository } from './modules/documents/documents.repository.ts';
import { createDocumentsService } from './modules/documents/documents.service.ts';
import { offlineNotifier, type Notifier } from './integrations/notify/notify.ts';

export function createRepositories(db: Db) {
  return {
    audit: createAuditRepository(db),
    auth: createAuthRepository(db),
    customers: createCustomersRepository(db),
    accounts: createAccountsRepository(db),
    events: createEventsRepository(db),
    documents: createDocumentsRepository(db),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;

export interface ServiceOptions {
  sessionIdleMinutes: number;
  /** GOV.UK Notify; offline (messages held in the outbox) when not given. */
  notifier?: Notifier;
}

export function createServices(db: Db, repos: Repositories, clock: Clock, options: ServiceOptions) {
  return {
    db,
    clock,
    auth: createAuthService({ db, repo: repos.auth, audit: repos.audit, clock, sessionIdleMinutes: options.sessionIdleMinutes }),
    customers: createCustomersService({ repo: repos.customers, events: repos.events, audit: repos.audit, clock }),
    accounts: createAccountsService({ repo: repos.accounts, events: repos.events, audit: repos.audit, documents: repos.documents }),
    casework: createCaseworkService({ db, clock, accounts: repos.accounts, customers: repos.customers, events: repos.events, audit: repos.audit }),
    admin: createAdminService({ db, audit: repos.audit }),
    documents: createDocumentsService({ db, clock, repo: repos.documents, audit: repos.audit, notifier: options.notifier ?? offlineNotifier }),
  };
}
export type Services = ReturnType<typeof createServices>;
