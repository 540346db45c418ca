import type { Db } from '../../db/database.ts';

export interface SearchHit {
  customer_id: number;
  display_name: string;
  kind: 'person' | 'business';
  address: string | null;
  postcode: string | null;
  references: string[];
  balance_pence: number;
  warning: string | null;
}

export interface CustomerRow {
  id: number;
  authority_id: number;
  authority_name: string;
  kind: 'person' | 'business';
  title: string | null;
  forenames: string | null;
  surname: string | null;
  business_name: string | null;
  display_name: string;
  date_of_birth: string | null;
  email: string | null;
  phone: string | null;
  notify_by_email: boolean;
  is_councillor: boolean;
  warning: string | null;
}

export interface CustomerAccountRow {
  id: number;
  reference: string;
  stream: string;
  status: string;
  payment_method: string;
  property_address: string | null;
  balance_pence: number;
  /** Unpaid balances from financial years before the current one: arrears, whatever instalments say. */
  arrears_pence: number;
}

export interface AddressRow {
  id: number;
  kind: string;
  address_line1: string;
  address_line2: string | null;
  town: string;
  postcode: string;
  from_date: string;
  to_date: string | null;
}

// Searches work in two steps: choose and order at most `limit` customer ids cheaply, then work out
// addresses, references and balances for just those rows (hit()).
const ORDER = `coalesce(c.surname, c.business_name), c.forenames, c.id`;

function hitsFor(idsSql: string): string {
  return `with chosen as (${idsSql})
  select c.id as customer_id, c.display_name, c.kind, c.warning,
    addr.address, addr.postcode,
    coalesce((select array_agg(a.reference order by a.reference) from customer_accounts ca
               join accounts a on a.id = ca.account_id where ca.customer_id = c.id), '{}') as references,
    coalesce((select sum(l.amount_pence)::bigint from customer_accounts ca
               join ledger_entries l on l.account_id = ca.account_id where ca.customer_id = c.id), 0) as balance_pence
  from chosen join customers c on c.id = chosen.id
  left join lateral (select ca.address_line1 || ', ' || ca.town as address, ca.postcode from customer_addresses ca
                      where ca.customer_id = c.id and ca.to_date is null order by ca.from_date desc limit 1) addr on true
  order by ${ORDER}`;
}

/** "%word%" for LIKE, with LIKE's own wildcards in the word escaped. */
const containing = (word: string) => `%${word.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

export function createCustomersRepository(db: Db) {
  return {
    async searchByReference(authorityIds: number[], referencePrefix: string, limit: number): Promise<SearchHit[]> {
      return db.query<SearchHit>(
        hitsFor(`select c.id from customers c
                  where c.id in (select ca.customer_id from accounts a join customer_accounts ca on ca.account_id = a.id
                                  where a.reference like $2 || '%' and a.authority_id = any($1::int[]))
                  order by ${ORDER} limit $3`),
        [authorityIds, referencePrefix, limit],
      );
    },

    async searchByPostcode(authorityIds: number[], postcodePrefix: string, limit: number): Promise<SearchHit[]> {
      // Liable parties of accounts on properties at that postcode, and people whose address is there.
      return db.query<SearchHit>(
        hitsFor(`select c.id from customers c
                  where c.id in (
                    select lp.customer_id from properties p
                      join liabilities li on li.property_id = p.id
                      join liability_parties lp on lp.liability_id = li.id
                     where p.authority_id = any($1::int[]) and replace(p.postcode, ' ', '') like $2 || '%'
                    union
                    select ca.customer_id from customer_addresses ca join customers c2 on c2.id = ca.customer_id
                     where c2.authority_id = any($1::int[]) and replace(ca.postcode, ' ', '') like $2 || '%' and ca.to_date is null)
                  order by ${ORDER} limit $3`),
        [authorityIds, postcodePrefix, limit],
      );
    },

    /** Every word must appear in the name, or every word in the property address. Trigram-indexed. */
    async searchByWords(authorityIds: number[], words: string[], limit: number): Promise<SearchHit[]> {
      // One LIKE per word (parameters $3, $4 …) so PostgreSQL can use the trigram indexes.
      const params = words.map(containing);
      const nameMatch = params.map((_, i) => `lower(c.display_name) like $${i + 3}`).join(' and ');
      const addressMatch = params.map((_, i) => `lower(p.address_line1 || ' ' || p.town) like $${i + 3}`).join(' and ');
      return db.query<SearchHit>(
        hitsFor(`select c.id from customers c
                  where c.id in (select c.id from customers c where c.authority_id = any($1::int[]) and ${nameMatch}
                                 union
                                 select lp.customer_id from properties p
                                   join liabilities li on li.property_id = p.id
                                   join liability_parties lp on lp.liability_id = li.id
                                  where p.authority_id = any($1::int[]) and ${addressMatch})
                  order by ${ORDER} limit $2`),
        [authorityIds, limit, ...params],
      );
    },

    async findCustomer(authorityIds: number[], id: number): Promise<CustomerRow | undefined> {
      const rows = await db.query<CustomerRow>(
        `select c.id, c.authority_id, b.name as authority_name, c.kind, c.title, c.forenames, c.surname,
                c.business_name, c.display_name, c.date_of_birth, c.email, c.phone, c.notify_by_email,
                c.is_councillor, c.warning
           from customers c join billing_authorities b on b.id = c.authority_id
          where c.id = $2 and c.authority_id = any($1::int[])`,
        [authorityIds, id],
      );
      return rows[0];
    },

    /** Every account the customer is, or was, liable on (lead party or joint party). */
    async accountsFor(customerId: number, currentFinancialYear: number): Promise<CustomerAccountRow[]> {
      return db.query<CustomerAccountRow>(
        `select a.id, a.reference, a.stream, a.status, a.payment_method,
                case when p.id is null then null else p.address_line1 || ', ' || p.town || ' ' || p.postcode end as property_address,
                coalesce(bal.balance, 0) as balance_pence, coalesce(bal.arrears, 0) as arrears_pence
           from accounts a
           left join properties p on p.id = a.property_id
           left join lateral (
             select sum(y.amount)::bigint as balance,
                    sum(y.amount) filter (where y.financial_year < $2 and y.amount > 0)::bigint as arrears
               from (select financial_year, sum(amount_pence)::bigint as amount from ledger_entries
                      where account_id = a.id group by financial_year) y) bal on true
          where a.id in (select account_id from customer_accounts where customer_id = $1)
          order by a.status, a.stream, a.reference`,
        [customerId, currentFinancialYear],
      );
    },

    async addressesFor(customerId: number): Promise<AddressRow[]> {
      return db.query<AddressRow>(
        `select id, kind, address_line1, address_line2, town, postcode, from_date, to_date
           from customer_addresses where customer_id = $1 order by to_date is null desc, from_date desc`,
        [customerId],
      );
    },
  };
}
export type CustomersRepository = ReturnType<typeof createCustomersRepository>;
