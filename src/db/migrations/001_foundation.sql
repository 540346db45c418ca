-- Levy foundation schema. Forward-only: never edit a migration that has shipped; add a new one.
-- Conventions: money is bigint pence; debits (what is owed) are positive ledger amounts, credits
-- (payments, reductions) negative. Calendar dates are `date`, events are `timestamptz`.
-- Every business row belongs to one billing authority; officers see only their authorities' rows.

create extension if not exists pg_trgm;

create table billing_authorities (
  id            serial primary key,
  ons_code      text not null unique,          -- e.g. E08000010
  name          text not null,
  nation        text not null check (nation in ('england', 'wales')),
  created_at    timestamptz not null default now()
);

create table users (
  id            serial primary key,
  username      text not null unique check (username ~ '^[a-z0-9._-]{3,40}$'),
  display_name  text not null,
  password_hash text not null,                 -- argon2id
  role          text not null check (role in ('recovery_administrator', 'recovery_officer',
                  'senior_recovery_officer', 'recovery_manager', 'auditor', 'system_administrator')),
  active        boolean not null default true,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);

-- Which authorities' records a user may see and change (shared services administer several).
create table user_authorities (
  user_id       integer not null references users(id) on delete cascade,
  authority_id  integer not null references billing_authorities(id),
  primary key (user_id, authority_id)
);

create table sessions (
  id_hash       text primary key,              -- sha256 of the cookie value; the raw id is never stored
  user_id       integer not null references users(id) on delete cascade,
  csrf_token    text not null,
  created_at    timestamptz not null default now(),
  last_seen_at  timestamptz not null default now(),
  expires_at    timestamptz not null
);
create index sessions_user on sessions(user_id);

create table api_tokens (
  id            serial primary key,
  user_id       integer not null references users(id) on delete cascade,
  name          text not null,
  token_hash    text not null unique,          -- sha256 of the token; shown once at creation
  created_at    timestamptz not null default now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

-- Who did or saw what. Writes and views of personal data both land here.
create table audit_log (
  id            bigserial primary key,
  at            timestamptz not null default now(),
  user_id       integer references users(id),
  authority_id  integer references billing_authorities(id),
  action        text not null,                 -- e.g. view.customer, create.note, login.failed
  entity_type   text,
  entity_id     text,
  detail        jsonb,
  ip            text
);
create index audit_log_entity on audit_log(entity_type, entity_id);
create index audit_log_user_at on audit_log(user_id, at);

create table customers (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  kind          text not null check (kind in ('person', 'business')),
  title         text,
  forenames     text,
  surname       text,
  business_name text,
  -- the name as officers read it; kept in step by the service, searched with trigrams
  display_name  text not null,
  date_of_birth date,
  email         text,
  phone         text,
  notify_by_email boolean not null default false,
  -- s.106 LGFA 1992 monitoring and contact safety warnings are flags on the person
  is_councillor boolean not null default false,
  warning       text,                          -- e.g. violent or abusive person: shown before contact
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  updated_at    timestamptz not null default now(),
  updated_by    integer references users(id),
  check ((kind = 'person' and surname is not null) or (kind = 'business' and business_name is not null))
);
create index customers_authority on customers(authority_id);
create index customers_name_trgm on customers using gin (lower(display_name) gin_trgm_ops);

create table properties (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  kind          text not null check (kind in ('dwelling', 'hereditament')),
  uprn          text,
  address_line1 text not null,
  address_line2 text,
  town          text not null,
  postcode      text not null,                 -- stored formatted, e.g. "WN1 1AA"
  band          text check (band in ('A','B','C','D','E','F','G','H','I')),
  rateable_value_pounds integer check (rateable_value_pounds >= 0),
  description   text,                          -- NNDR description (e.g. "Shop and premises")
  scat_code     text,
  ba_reference  text,                          -- billing authority reference on the VOA list
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  check ((kind = 'dwelling' and band is not null) or (kind = 'hereditament' and rateable_value_pounds is not null))
);
create index properties_authority on properties(authority_id);
create index properties_postcode on properties(authority_id, (replace(postcode, ' ', '')) text_pattern_ops);
create index properties_address_trgm on properties using gin (lower(address_line1 || ' ' || town) gin_trgm_ops);

-- Where a customer lives or takes post, over time (current row has to_date null).
create table customer_addresses (
  id            bigserial primary key,
  customer_id   bigint not null references customers(id),
  kind          text not null default 'residential' check (kind in ('residential', 'correspondence', 'forwarding')),
  property_id   bigint references properties(id),
  address_line1 text not null,
  address_line2 text,
  town          text not null,
  postcode      text not null,
  from_date     date not null,
  to_date       date,
  created_at    timestamptz not null default now(),
  check (to_date is null or to_date >= from_date)
);
create index customer_addresses_customer on customer_addresses(customer_id);

create table accounts (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  reference     text not null,                 -- stream digit + 8-digit number + Luhn check digit
  stream        text not null check (stream in ('council_tax', 'business_rates', 'hb_overpayment',
                  'sundry', 'adult_social_care', 'housing_rent', 'garage_rent', 'former_tenant_arrears')),
  customer_id   bigint not null references customers(id), -- lead party; all parties via liabilities
  property_id   bigint references properties(id),
  status        text not null default 'live' check (status in ('live', 'closed')),
  payment_method text not null default 'cash' check (payment_method in ('cash', 'direct_debit')),
  opened_on     date not null,
  closed_on     date,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  updated_at    timestamptz not null default now(),
  unique (authority_id, reference)
);
create index accounts_customer on accounts(customer_id);
create index accounts_property on accounts(property_id);
create index accounts_reference on accounts(reference text_pattern_ops);

-- Who is liable for which property on which account, from which day to which day.
create table liabilities (
  id            bigserial primary key,
  account_id    bigint not null references accounts(id),
  property_id   bigint references properties(id),
  from_date     date not null,
  to_date       date,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  check (to_date is null or to_date >= from_date)
);
create index liabilities_account on liabilities(account_id);
create index liabilities_property on liabilities(property_id);

-- Joint and several: every party on a liability can be pursued for the whole.
create table liability_parties (
  liability_id  bigint not null references liabilities(id),
  customer_id   bigint not null references customers(id),
  primary key (liability_id, customer_id)
);
create index liability_parties_customer on liability_parties(customer_id);

-- Which accounts are a customer's debts: those they lead, and those they are jointly liable on.
create view customer_accounts as
  select a.customer_id, a.id as account_id from accounts a
  union
  select lp.customer_id, li.account_id from liability_parties lp join liabilities li on li.id = lp.liability_id;

-- The append-only ledger. Balances are sums of it. Corrections are new entries (reverses_entry_id).
create table ledger_entries (
  id            bigserial primary key,
  account_id    bigint not null references accounts(id),
  kind          text not null check (kind in ('charge', 'payment', 'cost', 'adjustment', 'refund',
                  'transfer', 'write_off', 'write_on')),
  amount_pence  bigint not null,               -- + increases what is owed, - reduces it
  financial_year smallint not null,            -- start year: 2026 means 2026/27
  effective_date date not null,
  posted_at     timestamptz not null default now(),
  posted_by     integer references users(id),  -- null when a batch posted it (see source)
  source        text not null,                 -- e.g. 'officer', 'seed', 'billing-run:12', 'import:34'
  reason        text,
  reverses_entry_id bigint references ledger_entries(id),
  check (amount_pence <> 0)
);
create index ledger_account_year on ledger_entries(account_id, financial_year);

create or replace function forbid_ledger_change() returns trigger language plpgsql as $$
begin
  raise exception 'ledger_entries is append-only: post a reversing entry instead';
end $$;
create trigger ledger_entries_append_only before update or delete on ledger_entries
  for each row execute function forbid_ledger_change();

-- Instalment plans issued with each bill (the billing module fills these; the seed makes a year's).
create table instalment_plans (
  id            bigserial primary key,
  account_id    bigint not null references accounts(id),
  financial_year smallint not null,
  issued_on     date not null,
  total_pence   bigint not null,
  superseded_at timestamptz,
  created_at    timestamptz not null default now()
);
create index instalment_plans_account on instalment_plans(account_id, financial_year);

create table instalments (
  plan_id       bigint not null references instalment_plans(id),
  seq           smallint not null,
  due_date      date not null,
  amount_pence  bigint not null check (amount_pence > 0),
  primary key (plan_id, seq)
);

-- The account's history: every note, contact, bill, payment and recovery step, with who and why.
-- customer_id is set for every event so a customer's timeline needs no join; account_id is null for
-- events about the customer as a whole.
create table events (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  customer_id   bigint not null references customers(id),
  account_id    bigint references accounts(id),
  at            timestamptz not null default now(),
  type          text not null,                 -- note, contact, account_opened, bill_issued, payment …
  summary       text not null,
  detail        jsonb,
  by_user_id    integer references users(id),
  by_system     text                           -- the batch or import that did it, when not a person
);
create index events_account_at on events(account_id, at desc);
create index events_customer_at on events(customer_id, at desc);

-- Runs of batches (seed, billing, recovery, imports) are rows with their report.
create table batch_runs (
  id            bigserial primary key,
  authority_id  integer references billing_authorities(id),
  kind          text not null,
  as_of         date,
  status        text not null check (status in ('running', 'completed', 'failed')),
  started_at    timestamptz not null default now(),
  finished_at   timestamptz,
  started_by    integer references users(id),
  report        jsonb
);
