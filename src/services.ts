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
import { createRecoveryRepositories, createRecoveryServices } from './modules/recovery/recovery.wiring.ts';
import { createBillingService } from './modules/billing/billing.service.ts';
import { createImportsRepository } from './modules/payments/imports.repository.ts';
import { createReceiptsRepository } from './modules/payments/receipts.repository.ts';
import { createPaymentsService } from './modules/payments/payments.service.ts';
import { createSuspenseService } from './modules/payments/suspense.service.ts';
import { createRefundsService } from './modules/refunds/refunds.service.ts';
import { createDirectDebitService } from './modules/direct-debit/direct-debit.service.ts';
import { createReconciliationService } from './modules/payments/reconciliation.service.ts';
import { createPaymentSettingsService } from './modules/payments/settings.ts';
import { createReportsRepository } from './modules/reports/reports.repository.ts';
import { createReportsService } from './modules/reports/reports.service.ts';
import { createAfterLoRepositories, createAfterLoServices } from './modules/arrangements/after-lo.wiring.ts';
import { createWorkQueuesRepository } from './modules/work-queues/work-queues.repository.ts';
import { createWorkQueuesService } from './modules/work-queues/work-queues.service.ts';

export function createRepositories(db: Db) {
  return {
    audit: createAuditRepository(db),
    auth: createAuthRepository(db),
    customers: createCustomersRepository(db),
    accounts: createAccountsRepository(db),
    events: createEventsRepository(db),
    documents: createDocumentsRepository(db),
    ...createRecoveryRepositories(db), // recovery, holds, court (issue 5)
    imports: createImportsRepository(db),
    receipts: createReceiptsRepository(db),
    reports: createReportsRepository(db), // ledger aggregates and report queries (issue 7)
    ...createAfterLoRepositories(db), // arrangements, attachments, write-offs (issue 6)
    workQueues: createWorkQueuesRepository(db), // assignment on the after-the-order queues (issue 6)
  };
}
export type Repositories = ReturnType<typeof createRepositories>;

export interface ServiceOptions {
  sessionIdleMinutes: number;
  /** GOV.UK Notify; offline (messages held in the outbox) when not given. */
  notifier?: Notifier;
}

export function createServices(db: Db, repos: Repositories, clock: Clock, options: ServiceOptions) {
  // Placing a Breathing Space or vulnerability hold recalls live enforcement referrals (issue 6);
  // the holds service is built first, so the hook looks the enforcement service up when it runs.
  const afterLo = createAfterLoServices({ db, clock, repos, notifier: options.notifier ?? offlineNotifier });
  return {
    db,
    clock,
    auth: createAuthService({ db, repo: repos.auth, audit: repos.audit, clock, sessionIdleMinutes: options.sessionIdleMinutes }),
    customers: createCustomersService({ repo: repos.customers, events: repos.events, audit: repos.audit, clock }),
    accounts: createAccountsService({ repo: repos.accounts, events: repos.events, audit: repos.audit, documents: repos.documents }),
    casework: createCaseworkService({ db, clock, accounts: repos.accounts, customers: repos.customers, events: repos.events, audit: repos.audit }),
    admin: createAdminService({ db, audit: repos.audit }),
    documents: createDocumentsService({ db, clock, repo: repos.documents, audit: repos.audit, notifier: options.notifier ?? offlineNotifier }),
    // Billing issues its demand notices through its own documents service instance (same repository, same notifier).
    billing: createBillingService({ db, clock, audit: repos.audit, documents: createDocumentsService({ db, clock, repo: repos.documents, audit: repos.audit, notifier: options.notifier ?? offlineNotifier }) }),
    payments: createPaymentsService({ db, clock, imports: repos.imports, receipts: repos.receipts, audit: repos.audit }),
    suspense: createSuspenseService({ db, clock, receipts: repos.receipts, events: repos.events, audit: repos.audit }),
    refunds: createRefundsService({ db, clock, events: repos.events, audit: repos.audit }),
    reconciliation: createReconciliationService({ db, clock, audit: repos.audit }),
    paymentSettings: createPaymentSettingsService({ db, clock, audit: repos.audit }),
    directDebit: createDirectDebitService({
      db, clock, events: repos.events, audit: repos.audit, receipts: repos.receipts, imports: repos.imports,
      documents: createDocumentsService({ db, clock, repo: repos.documents, audit: repos.audit, notifier: options.notifier ?? offlineNotifier }),
    }),
    // Recovery runs, holds and the magistrates' court (issue 5).
    ...createRecoveryServices({ db, clock, repos, notifier: options.notifier ?? offlineNotifier, afterHoldPlaced: (actor, hold, tx) => afterLo.enforcement.recallForHold(actor, hold, tx) }),
    // Reports and KPIs (issue 7).
    reports: createReportsService({ db, clock, repo: repos.reports, audit: repos.audit }),
    // Arrangements, attachments of earnings and write-offs (issue 6).
    ...afterLo,
    // Work queues over them: assignment, bulk actions, the home page's counts (issue 6).
    workQueues: createWorkQueuesService({ db, clock, repo: repos.workQueues, audit: repos.audit, writeOffs: afterLo.writeOffs }),
  };
}
export type Services = ReturnType<typeof createServices>;
