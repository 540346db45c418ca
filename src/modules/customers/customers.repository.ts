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
// addresses, references and balances for just those rows (hitsFor()).
//
// Choosing must stay cheap when a search matches thousands (a common surname, a postcode district),
// because officers search all day on one embedded database. So each source of candidates is read
// already in its display order from a btree index (migration 013) and stops at `limit`; a rare
// name still uses the trigram index, whichever plan PostgreSQL judges cheaper.
const ORDER = `coalesce(c.surname, c.business_name), c.forenames, c.id`;
/** Surname or business name, lower case, byte-wise: the expression the customers_sort_name index holds. */
const SORT_NAME = `lower(coalesce(c.surname, c.business_name)) collate "C"`;
/** Postcodes compared without spaces, byte-wise: the same expression the postcode indexes hold. */
const POSTCODE_KEY = (column: string) => `replace(${column}, ' ', '') collate "C"`;
/** Address matches can be many ("road"); at most this many are ordered by name with the rest. */
const ADDRESS_CANDIDATES = 500;

function hitsFor(idsSql: string, orderBy = ORDER, limitParam?: string): string {
  // Accounts each chosen customer is liable on: the customer_accounts view spelt out, because
  // its union planned once per result row cost more than the search itself.
  return `with chosen as (${idsSql}),
  owned as (
    select ch.id as customer_id, a.id as account_id, a.reference from chosen ch join accounts a on a.customer_id = ch.id
    union
    select ch.id, li.account_id, a.reference from chosen ch
      join liability_parties lp on lp.customer_id = ch.id
      join liabilities li on li.id = lp.liability_id
      join accounts a on a.id = li.account_id),
  per_customer as (
    select o.customer_id, array_agg(o.reference order by o.reference) as refs,
           sum((select coalesce(sum(l.amount_pence), 0) from ledger_entries l where l.account_id = o.account_id))::bigint as balance
      from owned o group by o.customer_id)
  select c.id as customer_id, c.display_name, c.kind, c.warning,
    addr.address, addr.postcode,
    coalesce(pc.refs, '{}') as references,
    coalesce(pc.balance, 0) as balance_pence
  from chosen join customers c on c.id = chosen.id
  left join per_customer pc on pc.customer_id = c.id
  left join lateral (select ca.address_line1 || ', ' || ca.town as address, ca.postcode from customer_addresses ca
                      where ca.customer_id = c.id and ca.to_date is null order by ca.from_date desc limit 1) addr on true
  order by ${orderBy}${limitParam ? ` limit ${limitParam}` : ''}`;
}

/** A word for LIKE, with LIKE's own wildcards escaped. */
const escapeLike = (word: string) => word.replace(/[\\%_]/g, (m) => `\\${m}`);
/** "%word%" for LIKE. */
const containing = (word: string) => `%${escapeLike(word)}%`;

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

    /**
     * People living at the postcode (or in the district, "WN3"), and the liable parties of accounts on
     * properties there, in postcode and street order: what an officer working a patch wants to see.
     */
    async searchByPostcode(authorityIds: number[], postcodePrefix: string, limit: number): Promise<SearchHit[]> {
      return db.query<SearchHit>(
        hitsFor(
          `select id, min(place) as place from (
             (select ca.customer_id as id, ${POSTCODE_KEY('ca.postcode')} || ' ' || ca.address_line1 as place
                from customer_addresses ca join customers c2 on c2.id = ca.customer_id
               where ${POSTCODE_KEY('ca.postcode')} like $2 || '%' and ca.to_date is null
                 and c2.authority_id = any($1::int[])
               order by ${POSTCODE_KEY('ca.postcode')}, ca.address_line1 limit $3)
             union all
             (select lp.customer_id, ${POSTCODE_KEY('p.postcode')} || ' ' || p.address_line1
                from properties p
                join liabilities li on li.property_id = p.id
                join liability_parties lp on lp.liability_id = li.id
               where ${POSTCODE_KEY('p.postcode')} like $2 || '%' and p.authority_id = any($1::int[])
               order by ${POSTCODE_KEY('p.postcode')}, p.address_line1 limit $3)
           ) candidates group by id order by place, id limit $3`,
          `chosen.place, ${ORDER}`,
        ),
        [authorityIds, postcodePrefix, limit],
      );
    },

    /**
     * Every word must appear in the name, or every word in the property address. A single word is
     * usually a surname: customers whose surname (or business name) starts with it come first, read
     * in order from an index; other matches follow only when those don't fill the page.
     */
    async searchByWords(authorityIds: number[], words: string[], limit: number): Promise<SearchHit[]> {
      // One LIKE per word (parameters $4, $5 …) so PostgreSQL can use the trigram indexes.
      const params = words.map(containing);
      const nameMatch = params.map((_, i) => `lower(c.display_name) like $${i + 4}`).join(' and ');
      const addressMatch = params.map((_, i) => `lower(p.address_line1 || ' ' || p.town) like $${i + 4}`).join(' and ');
      const prefix = words.length === 1 ? `${escapeLike(words[0])}%` : null;
      return db.query<SearchHit>(
        hitsFor(
          `with starting as (
             select c.id from customers c
              where $3::text is not null and ${SORT_NAME} like $3 and c.authority_id = any($1::int[])
              order by ${SORT_NAME}, c.forenames, c.id limit $2),
           others as (
             select c.id from customers c
              where (select count(*) from starting) < $2
                and c.id in ((select c.id from customers c where c.authority_id = any($1::int[]) and ${nameMatch})
                             union
                             (select lp.customer_id from properties p
                                join liabilities li on li.property_id = p.id
                                join liability_parties lp on lp.liability_id = li.id
                               where p.authority_id = any($1::int[]) and ${addressMatch}
                               limit ${ADDRESS_CANDIDATES}))
                and c.id not in (select id from starting)
              order by ${ORDER} limit $2)
           select id, 0 as rank from starting union all select id, 1 from others`,
          `chosen.rank, ${ORDER}`,
          '$2',
        ),
        [authorityIds, limit, prefix, ...params],
      );
    },

    async findCustomer(authorityIds: number[], id: number): Promise<CustomerRow | undefined> {
      const rows = await db.queryPrepared<CustomerRow>(
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
      return db.queryPrepared<CustomerAccountRow>(
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
          where a.id in (select id from accounts where customer_id = $1
                         union
                         select li.account_id from liability_parties lp join liabilities li on li.id = lp.liability_id
                          where lp.customer_id = $1)
          order by a.status, a.stream, a.reference`,
        [customerId, currentFinancialYear],
      );
    },

    async addressesFor(customerId: number): Promise<AddressRow[]> {
      return db.queryPrepared<AddressRow>(
        `select id, kind, address_line1, address_line2, town, postcode, from_date, to_date
           from customer_addresses where customer_id = $1 order by to_date is null desc, from_date desc`,
        [customerId],
      );
    },
  };
}
export type CustomersRepository = ReturnType<typeof createCustomersRepository>;
