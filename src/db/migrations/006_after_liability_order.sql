-- After the liability order (issue 6): arrangements with income and expenditure statements,
-- attachment of earnings orders with their employers and remittances, write-offs and write-ons,
-- and enforcement agent firms with their referrals and returns.

-- ---------------------------------------------------------------------------------------------
-- Council settings for this work: one row per authority (defaults apply when there is none).

create table after_lo_settings (
  authority_id  integer primary key references billing_authorities(id),
  arrangement_tolerance_pence bigint not null default 500 check (arrangement_tolerance_pence >= 0),
  arrangement_grace_days smallint not null default 7 check (arrangement_grace_days >= 0),
  uneconomic_below_pence bigint not null default 1000 check (uneconomic_below_pence >= 0),
  updated_at    timestamptz not null default now(),
  updated_by    integer references users(id)
);

-- ---------------------------------------------------------------------------------------------
-- Income and expenditure: a statement in Standard Financial Statement categories, monthly amounts.

create table income_expenditure_statements (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  customer_id   bigint not null references customers(id),
  taken_on      date not null,
  adults        smallint not null default 1 check (adults >= 1),
  children      smallint not null default 0 check (children >= 0),
  income_pence  bigint not null check (income_pence >= 0),          -- monthly, all income lines
  expenditure_pence bigint not null check (expenditure_pence >= 0), -- monthly, all expenditure lines
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);
create index income_expenditure_customer on income_expenditure_statements(customer_id, id);

create table income_expenditure_lines (
  statement_id  bigint not null references income_expenditure_statements(id),
  category      text not null check (category in (
                  'earnings', 'benefits', 'pensions', 'other_income',
                  'home_and_contents', 'travel', 'food_and_housekeeping', 'communications_and_leisure',
                  'personal_costs', 'childcare', 'priority_debts', 'other_expenditure')),
  monthly_pence bigint not null check (monthly_pence >= 0),
  primary key (statement_id, category)
);

-- ---------------------------------------------------------------------------------------------
-- Arrangements: one plan across one or more of a customer's accounts, its instalments, and the
-- holds it places on each account while it is kept.

create table arrangements (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  customer_id   bigint not null references customers(id),
  frequency     text not null check (frequency in ('weekly', 'fortnightly', 'monthly')),
  instalment_pence bigint not null check (instalment_pence > 0),
  total_pence   bigint not null check (total_pence > 0),
  starts_on     date not null,
  statement_id  bigint references income_expenditure_statements(id),
  status        text not null default 'active' check (status in ('active', 'kept', 'broken', 'cancelled')),
  status_on     date,
  status_reason text,
  document_id   bigint references documents(id),       -- the confirmation letter
  broken_document_id bigint references documents(id),
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);
create index arrangements_open on arrangements(authority_id, status);
create index arrangements_customer on arrangements(customer_id);

create table arrangement_accounts (
  arrangement_id bigint not null references arrangements(id),
  account_id    bigint not null references accounts(id),
  balance_pence bigint not null,                         -- owed on the account when agreed
  hold_id       bigint references holds(id),
  primary key (arrangement_id, account_id)
);
create index arrangement_accounts_account on arrangement_accounts(account_id);

create table arrangement_instalments (
  arrangement_id bigint not null references arrangements(id),
  seq           smallint not null,
  due_on        date not null,
  amount_pence  bigint not null check (amount_pence > 0),
  primary key (arrangement_id, seq)
);

-- ---------------------------------------------------------------------------------------------
-- Attachment of earnings: employers, orders, remittances.

create table employers (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  name          text not null,
  address_lines text[] not null default '{}',
  payroll_email text,
  payroll_reference text,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);
create index employers_authority on employers(authority_id, name);

create table attachment_orders (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  account_id    bigint not null references accounts(id),
  customer_id   bigint not null references customers(id),
  employer_id   bigint not null references employers(id),
  works_number  text,
  made_on       date not null,
  pay_period    text not null check (pay_period in ('weekly', 'monthly', 'daily')),
  net_earnings_pence bigint not null check (net_earnings_pence >= 0),
  deduction_pence bigint not null check (deduction_pence >= 0),
  rate          text not null,
  table_source  text not null,
  order_pence   bigint not null check (order_pence > 0),  -- the sum the order is for
  status        text not null default 'active' check (status in ('active', 'cleared', 'ended')),
  ended_on      date,
  end_reason    text,
  document_id   bigint references documents(id),        -- the order to the employer
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);
create index attachment_orders_open on attachment_orders(authority_id, status);
create index attachment_orders_customer on attachment_orders(customer_id) where status = 'active';

create table attachment_remittances (
  id            bigserial primary key,
  order_id      bigint not null references attachment_orders(id),
  received_on   date not null,
  amount_pence  bigint not null check (amount_pence > 0),
  ledger_entry_id bigint not null references ledger_entries(id),
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);
create index attachment_remittances_order on attachment_remittances(order_id);

-- ---------------------------------------------------------------------------------------------
-- Write-offs: recommended (by rule or an officer), approved within a delegated limit, posted as a
-- 'write_off' ledger entry; a write-on posts a 'write_on' entry reversing it.

create table write_offs (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  account_id    bigint not null references accounts(id),
  financial_year smallint not null,
  amount_pence  bigint not null check (amount_pence > 0),
  reason        text not null check (reason in ('uneconomic', 'statute_barred', 'insolvency', 'deceased', 'untraceable', 'other')),
  note          text not null default '',
  by_rule       boolean not null default false,
  status        text not null default 'recommended' check (status in ('recommended', 'approved', 'rejected', 'written_on')),
  recommended_on date not null,
  recommended_by integer references users(id),
  decided_by    integer references users(id),
  decided_at    timestamptz,
  ledger_entry_id bigint references ledger_entries(id),
  write_on_entry_id bigint references ledger_entries(id),
  write_on_reason text,
  created_at    timestamptz not null default now()
);
create unique index write_offs_one_open on write_offs(account_id, financial_year) where status = 'recommended';
create index write_offs_status on write_offs(authority_id, status);

-- ---------------------------------------------------------------------------------------------
-- Enforcement agents: firms, referrals (with the pre-referral checks and any senior decision),
-- the returns each firm sends back (fees checked against the 2014 scale).

create table ea_firms (
  id            serial primary key,
  authority_id  integer not null references billing_authorities(id),
  name          text not null,
  code          text not null check (code ~ '^[A-Z0-9]{2,10}$'),
  active        boolean not null default true,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  unique (authority_id, code)
);

create table ea_referrals (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  account_id    bigint not null references accounts(id),
  customer_id   bigint not null references customers(id),
  financial_year smallint not null,
  firm_id       integer not null references ea_firms(id),
  sum_pence     bigint not null check (sum_pence > 0),   -- the sum to be recovered when referred
  checks        jsonb not null default '[]',             -- [{check, outcome: 'pass'|'senior'|'block', detail}]
  status        text not null check (status in ('awaiting_decision', 'ready', 'refused', 'exported', 'with_agent', 'closed', 'recalled')),
  decided_by    integer references users(id),
  decision_note text,
  exported_at   timestamptz,
  export_batch  text,
  return_code   text,
  returned_on   date,
  collected_pence bigint not null default 0,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);
create index ea_referrals_firm on ea_referrals(firm_id, status);
create index ea_referrals_queue on ea_referrals(authority_id, status, id desc);
create index ea_referrals_account on ea_referrals(account_id);
create unique index ea_referrals_one_open on ea_referrals(account_id, financial_year) where status in ('awaiting_decision', 'ready', 'exported', 'with_agent');

create table ea_returns (
  id            bigserial primary key,
  referral_id   bigint not null references ea_referrals(id),
  file_name     text not null,
  line_no       integer not null,
  status        text not null,
  returned_on   date not null,
  paid_pence    bigint not null default 0,
  fee_stage     text,
  fee_pence     bigint not null default 0,
  scale_fee_pence bigint,
  over_scale    boolean not null default false,
  ledger_entry_id bigint references ledger_entries(id),
  created_at    timestamptz not null default now()
);
create index ea_returns_referral on ea_returns(referral_id);
create index ea_returns_over_scale on ea_returns(referral_id) where over_scale;

-- ---------------------------------------------------------------------------------------------
-- Charging orders (reg 50: at least £1,000 under liability orders, the dwelling the debt relates
-- to), bankruptcy (petition debt at least £5,000) and committal (England: 18+, enforcement agents
-- tried first, means inquiry finding wilful refusal or culpable neglect): each application with its
-- checks as recorded, its document for the court and the court's decision.

create table remedy_applications (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  account_id    bigint not null references accounts(id),
  customer_id   bigint not null references customers(id),
  kind          text not null check (kind in ('charging_order', 'bankruptcy', 'committal')),
  outstanding_pence bigint not null,                   -- under liability orders, when checked
  checks        jsonb not null,                        -- [{check, passed, detail}]
  status        text not null check (status in ('refused', 'applied', 'granted', 'dismissed', 'withdrawn')),
  means_inquiry_on date,
  finding       text check (finding in ('wilful_refusal', 'culpable_neglect', 'neither')),
  document_id   bigint references documents(id),
  outcome_on    date,
  outcome_note  text,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  decided_by    integer references users(id)
);
create index remedy_applications_account on remedy_applications(account_id);
create index remedy_applications_open on remedy_applications(authority_id, status);

-- ---------------------------------------------------------------------------------------------
-- Tracing: a task when post comes back or an agent reports the debtor gone away; the sources tried
-- and what each found; closed as traced (a new address on the customer, recovery woken) or untraceable.

create table trace_tasks (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  customer_id   bigint not null references customers(id),
  account_id    bigint references accounts(id),
  trigger       text not null check (trigger in ('returned_mail', 'gone_away', 'officer')),
  note          text not null default '',
  status        text not null default 'open' check (status in ('open', 'traced', 'untraceable')),
  new_address_id bigint references customer_addresses(id),
  closed_on     date,
  closed_by     integer references users(id),
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);
create unique index trace_tasks_one_open on trace_tasks(customer_id) where status = 'open';
create index trace_tasks_queue on trace_tasks(authority_id, status, id desc);

create table trace_attempts (
  id            bigserial primary key,
  task_id       bigint not null references trace_tasks(id),
  source        text not null check (source in ('credit_reference', 'dwp', 'electoral_register', 'land_registry', 'other_council', 'employer', 'social_media', 'other')),
  tried_on      date not null,
  found         boolean not null,
  note          text not null default '',
  created_by    integer references users(id),
  created_at    timestamptz not null default now()
);
create index trace_attempts_task on trace_attempts(task_id, id);
