-- Money in: payment files, receipts, matching, suspense, allocation, refunds, Direct Debit.
-- See docs/decisions/0005-allocating-payments.md for the design and docs/formats.md for the files.
-- Money is bigint pence. A receipt is money received (always positive); its effect on an account is
-- one NEGATIVE ledger entry of kind 'payment' per (financial year, target) it was allocated to.

-- Per-authority money settings: allocation policy, refund approval limit, Direct Debit set-up.
create table payment_settings (
  authority_id        integer primary key references billing_authorities(id),
  -- which year a payment clears first: the oldest debt (default) or the current year
  allocation_order    text not null default 'oldest_first' check (allocation_order in ('oldest_first', 'current_first')),
  -- within a year: costs before the charge (default) or after it
  costs_first         boolean not null default true,
  -- refunds above this need a second, senior officer's approval
  refund_approval_limit_pence bigint not null default 10000 check (refund_approval_limit_pence >= 0),
  -- Direct Debit: the council's collection days (days of the month a payer may choose)
  dd_collection_days  smallint[] not null default '{1,15}',
  dd_first_collection_code text not null default '01' check (dd_first_collection_code in ('01', '17')),
  dd_advance_notice_working_days smallint not null default 10,
  -- the council's Bacs identity and collection account
  bacs_service_user_number text not null default '999999' check (bacs_service_user_number ~ '^\d{6}$'),
  bacs_service_user_name   text not null default 'COUNCIL TAX',
  bank_sort_code      text not null default '000000' check (bank_sort_code ~ '^\d{6}$'),
  bank_account_number text not null default '00000000' check (bank_account_number ~ '^\d{8}$'),
  updated_at          timestamptz not null default now(),
  updated_by          integer references users(id)
);

-- Saved CSV column mappings (DWP deduction schedules, employer and enforcement agent remittances).
create table payment_csv_mappings (
  id            serial primary key,
  authority_id  integer not null references billing_authorities(id),
  name          text not null,
  mapping       jsonb not null,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  unique (authority_id, name)
);

-- One row per file imported. The same file (by SHA-256) imports once per authority.
create table payment_imports (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  format        text not null check (format in ('camt053', 'camt054', 'mt940', 'bureau', 'csv', 'arudd', 'addacs')),
  file_name     text not null,
  file_hash     text not null,
  mapping_name  text,
  status        text not null check (status in ('staging', 'staged', 'posting', 'completed', 'rejected')),
  -- what the file itself declares (trailer, balances), when it does
  declared_lines integer,
  declared_pence bigint,
  -- problems with the file as a whole (wrong trailer totals, truncated XML): the file is rejected
  file_problems jsonb not null default '[]',
  warnings      jsonb not null default '[]',
  -- control totals, filled when the import completes: lines = matched + suspense + exceptions
  lines_total      integer,
  amount_pence     bigint,
  matched_lines    integer,
  matched_pence    bigint,
  suspense_lines   integer,
  suspense_pence   bigint,
  exception_lines  integer,
  exception_pence  bigint,
  started_at    timestamptz not null default now(),
  finished_at   timestamptz,
  started_by    integer references users(id),
  unique (authority_id, file_hash)
);
create index payment_imports_authority on payment_imports(authority_id, started_at desc);

-- Every record in a file, as read. Nothing is skipped: each line ends matched, suspense or exception.
create table payment_import_lines (
  import_id     bigint not null references payment_imports(id),
  line_no       integer not null,                -- record number in the file (1, 2, 3 …)
  source_line   integer not null,                -- physical line where the record starts
  raw           text not null,
  -- parsed fields (null when the line could not be parsed)
  base_key      text,                            -- the transaction's identity before de-duplication
  transaction_key text,                          -- unique per authority among posted receipts
  reference     text,                            -- the account reference as the payer gave it
  reference_valid boolean not null default false, -- 10 digits with a good check digit
  amount_pence  bigint,
  currency      text,
  direction     text check (direction in ('credit', 'debit')),
  paid_on       date,
  channel       text,
  payer_name    text,
  payer_account text,
  narrative     text,
  status        text not null check (status in ('pending', 'matched', 'suspense', 'exception')),
  problem       text,                            -- why it is an exception or in suspense
  exception_code text,
  account_id    bigint references accounts(id),
  receipt_id    bigint,
  primary key (import_id, line_no)
);
create index payment_import_lines_pending on payment_import_lines(import_id, line_no) where status = 'pending';

-- Money received. Allocated to an account, or waiting in suspense, or returned/refunded to the payer.
create table receipts (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  transaction_key text not null,                 -- posts once: the same transaction in another file is a duplicate
  channel       text not null,                   -- bank_transfer, post_office, paypoint, direct_debit, dwp …
  amount_pence  bigint not null check (amount_pence > 0),
  received_on   date not null,
  reference     text,
  payer_name    text,
  payer_account text,
  narrative     text,
  import_id     bigint references payment_imports(id),
  import_line_no integer,
  parent_receipt_id bigint references receipts(id), -- set on the parts of a split
  account_id    bigint references accounts(id),  -- null while in suspense
  status        text not null check (status in ('allocated', 'suspense', 'split', 'returned', 'return_requested')),
  suspense_reason text,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  resolved_at   timestamptz,
  resolved_by   integer references users(id),
  unique (authority_id, transaction_key)
);
create index receipts_suspense on receipts(authority_id, received_on) where status = 'suspense';
create index receipts_account on receipts(account_id);
create index receipts_received on receipts(authority_id, received_on);

-- Which ledger entry carries which part of which receipt, and what it cleared.
-- target: 'cost' or 'charge' of that year, or 'credit' (more than was owed).
create table payment_allocations (
  ledger_entry_id bigint primary key references ledger_entries(id),
  receipt_id      bigint not null references receipts(id),
  account_id      bigint not null,               -- the entry's account (its own foreign key checks it)
  financial_year  smallint not null,
  target          text not null check (target in ('charge', 'cost', 'credit')),
  amount_pence    bigint not null                -- the entry's amount (negative for a payment, positive for its reversal)
);
create index payment_allocations_receipt on payment_allocations(receipt_id);
create index payment_allocations_account on payment_allocations(account_id, financial_year);

-- What officers did to receipts (allocate from suspense, split, re-allocate, transfer, return), with why.
create table receipt_actions (
  id            bigserial primary key,
  receipt_id    bigint not null references receipts(id),
  action        text not null,
  from_account_id bigint references accounts(id),
  to_account_id bigint references accounts(id),
  amount_pence  bigint,
  reason        text not null,
  at            timestamptz not null default now(),
  by_user_id    integer references users(id)
);
create index receipt_actions_receipt on receipt_actions(receipt_id);

-- Files Levy writes for Bacs: AUDDIS lodgements, Direct Debit collections, refund credits.
create table bacs_files (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  kind          text not null check (kind in ('auddis', 'collection', 'credit')),
  processing_date date not null,
  file_name     text not null,
  content       text not null,
  record_count  integer not null,
  total_pence   bigint not null,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);

-- Refunds of credit balances (and returns of unidentified money from suspense).
create table refunds (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  account_id    bigint references accounts(id),   -- null for a return of a suspense receipt
  receipt_id    bigint references receipts(id),   -- set for a return from suspense
  amount_pence  bigint not null check (amount_pence > 0),
  payee_name    text not null,
  sort_code     text not null check (sort_code ~ '^\d{6}$'),
  account_number text not null check (account_number ~ '^\d{8}$'),
  reason        text not null,
  status        text not null check (status in ('requested', 'approved', 'rejected', 'paid')),
  needs_approval boolean not null,
  requested_at  timestamptz not null default now(),
  requested_by  integer references users(id),
  decided_at    timestamptz,
  decided_by    integer references users(id),
  decision_note text,
  bacs_file_id  bigint references bacs_files(id),
  check (decided_by is null or requested_by is null or decided_by <> requested_by or not needs_approval)
);
create index refunds_status on refunds(authority_id, status);

-- Direct Debit Instructions.
create table dd_mandates (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  account_id    bigint not null references accounts(id),
  reference     text not null,                   -- the DDI reference quoted to the bank (the account reference)
  payer_name    text not null,
  sort_code     text not null check (sort_code ~ '^\d{6}$'),
  account_number text not null check (account_number ~ '^\d{8}$'),
  collection_day smallint not null check (collection_day between 1 and 28),
  set_up_by     text not null check (set_up_by in ('officer', 'online', 'paper')),
  status        text not null check (status in ('pending', 'lodged', 'active', 'cancelled')),
  lodgement_code text not null default '0N' check (lodgement_code in ('0N', '0S')),
  auddis_file_id bigint references bacs_files(id),
  cancel_file_id bigint references bacs_files(id),
  cancel_requested boolean not null default false,
  cancelled_reason text,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  updated_at    timestamptz not null default now()
);
create unique index dd_mandates_one_live on dd_mandates(account_id) where status <> 'cancelled';

-- Advance notices given (amounts and dates), at least N working days before the first collection.
create table dd_advance_notices (
  id            bigserial primary key,
  mandate_id    bigint not null references dd_mandates(id),
  plan_id       bigint not null references instalment_plans(id),
  sent_on       date not null,
  schedule      jsonb not null,                  -- [{dueDate, amountPence}]
  unique (mandate_id, plan_id)
);

-- Collections: one per mandate and date. A returned one is re-presented (code 18) or left to recovery.
create table dd_collections (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  mandate_id    bigint not null references dd_mandates(id),
  account_id    bigint not null references accounts(id),
  collection_date date not null,
  financial_year smallint not null,
  amount_pence  bigint not null check (amount_pence > 0),
  transaction_code text not null check (transaction_code in ('01', '17', '18', '19')),
  status        text not null check (status in ('submitted', 'returned')),
  bacs_file_id  bigint references bacs_files(id),
  receipt_id    bigint references receipts(id),
  return_code   text,
  return_reason text,
  represents_id bigint references dd_collections(id),
  created_at    timestamptz not null default now(),
  unique (mandate_id, collection_date)
);
create index dd_collections_account on dd_collections(account_id);
