// Wiring for recovery, holds and the court: their repositories, and services built over them in the
// order they depend on each other (court uses recovery; both use the documents module to issue).
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import type { Notifier } from '../../integrations/notify/notify.ts';
import type { AccountsRepository } from '../accounts/accounts.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import { createCourtRepository } from '../court/court.repository.ts';
import { createCourtService } from '../court/court.service.ts';
import type { CustomersRepository } from '../customers/customers.repository.ts';
import type { DocumentsRepository } from '../documents/documents.repository.ts';
import { createDocumentsService } from '../documents/documents.service.ts';
import { createHoldsRepository } from '../holds/holds.repository.ts';
import { createHoldsService } from '../holds/holds.service.ts';
import { createRecoveryRepository } from './recovery.repository.ts';
import { createRecoveryService } from './recovery.service.ts';

export function createRecoveryRepositories(db: Db) {
  return { recovery: createRecoveryRepository(db), holds: createHoldsRepository(db), court: createCourtRepository(db) };
}

export function createRecoveryServices(deps: {
  db: Db;
  clock: Clock;
  repos: ReturnType<typeof createRecoveryRepositories> & { accounts: AccountsRepository; customers: CustomersRepository; events: EventsRepository; audit: AuditRepository; documents: DocumentsRepository };
  notifier: Notifier;
  /** What else happens when a hold is placed (the enforcement module recalls live referrals). */
  afterHoldPlaced?: Parameters<typeof createHoldsService>[0]['afterPlaced'];
}) {
  const { db, clock, repos, notifier } = deps;
  const documents = createDocumentsService({ db, clock, repo: repos.documents, audit: repos.audit, notifier });
  const holds = createHoldsService({ db, clock, repo: repos.holds, accounts: repos.accounts, customers: repos.customers, events: repos.events, audit: repos.audit, afterPlaced: deps.afterHoldPlaced });
  const recovery = createRecoveryService({ db, clock, repo: repos.recovery, holds: repos.holds, court: repos.court, documents, accounts: repos.accounts, audit: repos.audit });
  const court = createCourtService({ db, clock, repo: repos.court, recoveryRepo: repos.recovery, recovery, documents, audit: repos.audit });
  return { holds, recovery, court };
}
