// Who a customer letter goes to: name, current correspondence (or residential) address, email when
// they opted in. Shared by the after-liability-order modules (arrangements, attachments, write-offs).
import type { Db } from '../../db/database.ts';
import { z } from 'zod';
import { NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';

export interface Recipient {
  customerId: number;
  authorityId: number;
  name: string;
  addressLines: string[];
  email: string | null;
  warning: string | null;
}

export async function customerRecipient(db: Db, authorityIds: number[], customerId: number): Promise<Recipient> {
  const [row] = await db.query<{ id: number; authority_id: number; display_name: string; address_lines: string[]; email: string | null; warning: string | null }>(
    `select c.id, c.authority_id, c.display_name, c.warning, case when c.notify_by_email then c.email end as email,
            coalesce((select array_remove(array[ca.address_line1, ca.address_line2, ca.town, ca.postcode], null) from customer_addresses ca
                       where ca.customer_id = c.id and ca.to_date is null
                       order by case ca.kind when 'correspondence' then 0 when 'forwarding' then 1 else 2 end, ca.from_date desc limit 1), '{}') as address_lines
       from customers c where c.id = $1 and c.authority_id = any($2::int[])`,
    [customerId, authorityIds]);
  if (!row) throw new NotFoundError(`Customer ${customerId} was not found`);
  return { customerId: row.id, authorityId: row.authority_id, name: row.display_name, addressLines: row.address_lines, email: row.email, warning: row.warning };
}

/** Balance owed on each account (sum of the ledger), for accounts within the actor's authorities. */
export async function accountBalances(db: Db, authorityIds: number[], accountIds: number[]) {
  return db.query<{ id: number; reference: string; authority_id: number; balance_pence: number }>(
    `select a.id, a.reference, a.authority_id, coalesce((select sum(le.amount_pence) from ledger_entries le where le.account_id = a.id), 0)::bigint as balance_pence
       from accounts a where a.id = any($1::bigint[]) and a.authority_id = any($2::int[]) order by a.id`,
    [accountIds, authorityIds]);
}

export function parse<T>(schema: z.ZodType<T>, input: unknown, message: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(message, fieldProblemsFromZod(parsed.error.issues));
  return parsed.data;
}
