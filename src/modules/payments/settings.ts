// Per-authority money settings (allocation policy, refund limit, Direct Debit set-up), with the
// defaults of the payment_settings table when an authority has not set its own.
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';

export interface PaymentSettings {
  authority_id: number;
  allocation_order: 'oldest_first' | 'current_first';
  costs_first: boolean;
  refund_approval_limit_pence: number;
  dd_collection_days: number[];
  dd_first_collection_code: '01' | '17';
  dd_advance_notice_working_days: number;
  bacs_service_user_number: string;
  bacs_service_user_name: string;
  bank_sort_code: string;
  bank_account_number: string;
}

export async function paymentSettings(tx: Db, authorityId: number): Promise<PaymentSettings> {
  const rows = await tx.query<PaymentSettings>('select * from payment_settings where authority_id = $1', [authorityId]);
  if (rows[0]) return rows[0];
  // the column defaults, without writing a row
  const [defaults] = await tx.query<PaymentSettings>(
    `select $1::int as authority_id, 'oldest_first' as allocation_order, true as costs_first, 10000::bigint as refund_approval_limit_pence,
            '{1,15}'::smallint[] as dd_collection_days, '01' as dd_first_collection_code, 10 as dd_advance_notice_working_days,
            '999999' as bacs_service_user_number, 'COUNCIL TAX' as bacs_service_user_name, '000000' as bank_sort_code, '00000000' as bank_account_number`,
    [authorityId]);
  return defaults;
}

export const settingsSchema = z.object({
  allocationOrder: z.enum(['oldest_first', 'current_first']),
  costsFirst: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]),
  refundApprovalLimitPence: z.coerce.number().int().min(0, 'The limit cannot be negative'),
  ddCollectionDays: z.union([z.array(z.coerce.number()), z.string().transform((s) => s.split(/[\s,]+/).filter(Boolean).map(Number))])
    .pipe(z.array(z.number().int().min(1, 'Collection days are 1 to 28').max(28, 'Collection days are 1 to 28')).min(1, 'Give at least one collection day')),
  ddFirstCollectionCode: z.enum(['01', '17']).default('01'),
  bacsServiceUserNumber: z.string().regex(/^\d{6}$/, 'A service user number is 6 digits'),
  bacsServiceUserName: z.string().trim().min(1).max(18, 'At most 18 characters'),
  bankSortCode: z.string().transform((v) => v.replace(/[\s-]/g, '')).pipe(z.string().regex(/^\d{6}$/, 'A sort code is 6 digits')),
  bankAccountNumber: z.string().regex(/^\d{8}$/, 'An account number is 8 digits'),
});

export async function saveSettings(tx: Db, authorityId: number, s: z.infer<typeof settingsSchema>, userId: number | null, now: Date) {
  await tx.query(
    `insert into payment_settings (authority_id, allocation_order, costs_first, refund_approval_limit_pence, dd_collection_days, dd_first_collection_code,
                                   bacs_service_user_number, bacs_service_user_name, bank_sort_code, bank_account_number, updated_at, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     on conflict (authority_id) do update set allocation_order = excluded.allocation_order, costs_first = excluded.costs_first,
       refund_approval_limit_pence = excluded.refund_approval_limit_pence, dd_collection_days = excluded.dd_collection_days,
       dd_first_collection_code = excluded.dd_first_collection_code, bacs_service_user_number = excluded.bacs_service_user_number,
       bacs_service_user_name = excluded.bacs_service_user_name, bank_sort_code = excluded.bank_sort_code,
       bank_account_number = excluded.bank_account_number, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [authorityId, s.allocationOrder, s.costsFirst, s.refundApprovalLimitPence, [...new Set(s.ddCollectionDays)].sort((a, b) => a - b), s.ddFirstCollectionCode,
      s.bacsServiceUserNumber, s.bacsServiceUserName, s.bankSortCode, s.bankAccountNumber, now, userId],
  );
}

export function createPaymentSettingsService(deps: { db: Db; clock: { now(): Date }; audit: AuditRepository }) {
  const { db, clock, audit } = deps;
  const authorityOf = (actor: Actor, authorityId?: number) => {
    const id = authorityId ?? actor.authorityIds[0];
    if (id === undefined || !actor.authorityIds.includes(id)) throw new NotFoundError('Billing authority was not found');
    return id;
  };
  return {
    async get(actor: Actor, authorityId?: number) {
      requirePermission(actor, 'payments.view');
      return paymentSettings(db, authorityOf(actor, authorityId));
    },
    async save(actor: Actor, input: unknown, authorityId?: number) {
      requirePermission(actor, 'payments.settings');
      const parsed = settingsSchema.safeParse(input);
      if (!parsed.success) throw new ValidationError('Check the payment settings', fieldProblemsFromZod(parsed.error.issues));
      const id = authorityOf(actor, authorityId);
      await db.transaction(async (tx) => {
        await saveSettings(tx, id, parsed.data, actor.userId, clock.now());
        await audit.record(actor, { action: 'update.payment_settings', entityType: 'payment_settings', entityId: id, authorityId: id, detail: parsed.data }, tx);
      });
    },
  };
}
