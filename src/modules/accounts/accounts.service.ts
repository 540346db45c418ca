import { NotFoundError } from '../../errors.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import type { AccountsRepository, YearBalanceRow } from './accounts.repository.ts';
import type { DocumentsRepository } from '../documents/documents.repository.ts';

export interface YearBalance {
  financialYear: number;
  byKind: Record<string, number>;
  balancePence: number;
}

/** Folds (year, kind, amount) rows into one line per year with a balance. */
export function summariseBalances(rows: YearBalanceRow[]): { years: YearBalance[]; totalPence: number } {
  const years = new Map<number, YearBalance>();
  for (const row of rows) {
    const year = years.get(row.financial_year) ?? { financialYear: row.financial_year, byKind: {}, balancePence: 0 };
    year.byKind[row.kind] = (year.byKind[row.kind] ?? 0) + row.amount_pence;
    year.balancePence += row.amount_pence;
    years.set(row.financial_year, year);
  }
  const list = [...years.values()].sort((a, b) => b.financialYear - a.financialYear);
  return { years: list, totalPence: list.reduce((sum, y) => sum + y.balancePence, 0) };
}

export function createAccountsService(deps: { repo: AccountsRepository; events: EventsRepository; audit: AuditRepository; documents: DocumentsRepository }) {
  const { repo, events, audit, documents } = deps;

  async function requireAccount(actor: Actor, accountId: number) {
    requirePermission(actor, 'cases.view');
    const account = await repo.findAccount(actor.authorityIds, accountId);
    if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
    return account;
  }

  return {
    requireAccount,

    async getAccountView(actor: Actor, accountId: number) {
      const account = await requireAccount(actor, accountId);
      const [balances, ledger, liabilities, instalments, timeline, letters] = await Promise.all([
        repo.balancesByYearAndKind(accountId),
        repo.ledger(accountId, 500),
        repo.liabilities(accountId),
        repo.currentInstalments(accountId),
        events.forAccount(accountId, 200),
        documents.documentsForAccount(accountId),
      ]);
      await audit.record(actor, { action: 'view.account', entityType: 'account', entityId: accountId, authorityId: account.authority_id });
      return { account, balances: summariseBalances(balances), ledger, liabilities, instalments, timeline, letters };
    },

    async findByReference(actor: Actor, reference: string) {
      requirePermission(actor, 'cases.view');
      return repo.findAccountIdByReference(actor.authorityIds, reference);
    },
  };
}
export type AccountsService = ReturnType<typeof createAccountsService>;
