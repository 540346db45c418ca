// Wiring for the work after the liability order (issue 6): arrangements, attachments of earnings and of benefits,
// write-offs and enforcement agents, over the shared repositories. Letters go through the documents module.
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import type { Notifier } from '../../integrations/notify/notify.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import type { DocumentsRepository } from '../documents/documents.repository.ts';
import { createDocumentsService } from '../documents/documents.service.ts';
import type { HoldsRepository } from '../holds/holds.repository.ts';
import { createArrangementsRepository } from './arrangements.repository.ts';
import { createArrangementsService } from './arrangements.service.ts';
import type { AccountsRepository } from '../accounts/accounts.repository.ts';
import { createAttachmentsRepository } from '../attachments/attachments.repository.ts';
import { createAttachmentsService } from '../attachments/attachments.service.ts';
import { createBenefitAttachmentsRepository } from '../attachments/benefit-attachments.repository.ts';
import { createBenefitAttachmentsService } from '../attachments/benefit-attachments.service.ts';
import { createWriteOffsRepository } from '../write-offs/write-offs.repository.ts';
import { createWriteOffsService } from '../write-offs/write-offs.service.ts';
import { createTracingService } from '../write-offs/tracing.service.ts';
import { createEnforcementRepository } from '../enforcement/enforcement.repository.ts';
import { createEnforcementService } from '../enforcement/enforcement.service.ts';
import { createRemediesService } from '../enforcement/remedies.service.ts';

export function createAfterLoRepositories(db: Db) {
  return { arrangements: createArrangementsRepository(db), attachments: createAttachmentsRepository(db), benefitAttachments: createBenefitAttachmentsRepository(db), writeOffs: createWriteOffsRepository(db), enforcement: createEnforcementRepository(db) };
}

export function createAfterLoServices(deps: {
  db: Db;
  clock: Clock;
  repos: ReturnType<typeof createAfterLoRepositories> & { holds: HoldsRepository; accounts: AccountsRepository; events: EventsRepository; audit: AuditRepository; documents: DocumentsRepository };
  notifier: Notifier;
}) {
  const { db, clock, repos, notifier } = deps;
  const documents = createDocumentsService({ db, clock, repo: repos.documents, audit: repos.audit, notifier });
  const arrangements = createArrangementsService({ db, clock, repo: repos.arrangements, holds: repos.holds, documents, events: repos.events, audit: repos.audit });
  const attachments = createAttachmentsService({ db, clock, repo: repos.attachments, accounts: repos.accounts, documents, events: repos.events, audit: repos.audit });
  const benefitAttachments = createBenefitAttachmentsService({ db, clock, repo: repos.benefitAttachments, orders: repos.attachments, accounts: repos.accounts, documents, events: repos.events, audit: repos.audit });
  const writeOffs = createWriteOffsService({ db, clock, repo: repos.writeOffs, accounts: repos.accounts, events: repos.events, audit: repos.audit });
  const enforcement = createEnforcementService({ db, clock, repo: repos.enforcement, holds: repos.holds, accounts: repos.accounts, events: repos.events, audit: repos.audit });
  const remedies = createRemediesService({ db, clock, accounts: repos.accounts, documents, events: repos.events, audit: repos.audit });
  const tracing = createTracingService({ db, clock, events: repos.events, audit: repos.audit });
  return { arrangements, attachments, benefitAttachments, writeOffs, enforcement, remedies, tracing };
}
