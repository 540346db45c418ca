-- Billing: council tax and business rates liability, charges, demand notices and instalments.
-- See docs/billing.md. Money is bigint pence; percentages are exact numeric; dates are `date`.
--
-- What is data here (per council and financial year): the Band D amount and each precepting
-- authority's share of it; the discount, exemption and premium rates (with the long-term empty
-- premium's time thresholds). What is law in src/domain/law: the band ratios, the business rates
-- multipliers and mandatory reliefs, the instalment schemes.

-- ---------------------------------------------------------------------------------------------
-- Charge setting

-- The council's resolution for a year: the Band D amount including every precept.
create table ct_charge_years (
  authority_id   integer not null references billing_authorities(id),
  financial_year smallint not null,             -- start year: 2026 means 2026/27
  band_d_pence   bigint not null check (band_d_pence > 0),
  resolved_on    date,
  source         text not null,                  -- e.g. "Council resolution 26 February 2026"
  created_at     timestamptz not null default now(),
  created_by     integer references users(id),
  primary key (authority_id, financial_year)
);

-- Each precepting authority's Band D share; the shares add up to the Band D amount (the service
-- checks). The bill itemises them.
create table ct_precepts (
  authority_id   integer not null,
  financial_year smallint not null,
  seq            smallint not null,
  preceptor      text not null,
  band_d_pence   bigint not null check (band_d_pence >= 0),
  primary key (authority_id, financial_year, seq),
  foreign key (authority_id, financial_year) references ct_charge_years(authority_id, financial_year) on delete cascade
);

-- Discounts, exemptions and premiums the council applies in a year. A premium with time
-- thresholds (long-term empty: 100% after 1 year, 200% after 5, 300% after 10) is one row per tier.
create table ct_reduction_rates (
  authority_id   integer not null,
  financial_year smallint not null,
  code           text not null,                  -- single_person, all_disregarded, exempt_n, long_term_empty, second_home …
  min_years_empty smallint not null default 0,   -- the tier's threshold (premiums on empty dwellings)
  kind           text not null check (kind in ('discount', 'exemption', 'premium')),
  label          text not null,
  percent        numeric(6, 2) not null check (percent >= 0 and percent <= 300),
  basis          text not null,                  -- the statutory basis, printed on the bill
  primary key (authority_id, financial_year, code, min_years_empty),
  foreign key (authority_id, financial_year) references ct_charge_years(authority_id, financial_year) on delete cascade
);

-- Per-council billing settings; null texts mean Levy's standard wording.
create table billing_settings (
  authority_id   integer primary key references billing_authorities(id),
  default_instalment_day smallint not null default 1 check (default_instalment_day between 1 and 28),
  how_to_pay     text,
  help_text      text,
  updated_at     timestamptz not null default now(),
  updated_by     integer references users(id)
);

-- ---------------------------------------------------------------------------------------------
-- The property register over time

-- A band or rateable value in force from a date (VOA schedules, officer corrections). The row in
-- force on a day is the latest effective_from on or before it. properties.band and
-- properties.rateable_value_pounds stay the value in force today. A property with no rows here is
-- read as having had its current value throughout.
create table property_valuations (
  id             bigserial primary key,
  property_id    bigint not null references properties(id),
  effective_from date not null,
  band           text check (band in ('A','B','C','D','E','F','G','H','I')),
  rateable_value_pounds integer check (rateable_value_pounds >= 0),
  retail_hospitality_leisure boolean not null default false,
  description    text,
  scat_code      text,
  source         text not null,                  -- baseline, officer, voa-import:12
  reason         text,
  created_at     timestamptz not null default now(),
  created_by     integer references users(id),
  unique (property_id, effective_from),
  check ((band is null) <> (rateable_value_pounds is null))
);

-- ---------------------------------------------------------------------------------------------
-- Awards on an account: discounts, exemptions, premiums, Council Tax Reduction, rates reliefs

create table account_reductions (
  id             bigserial primary key,
  account_id     bigint not null references accounts(id),
  code           text not null,
  from_date      date not null,
  to_date        date,
  percent        numeric(6, 2) check (percent > 0 and percent <= 100), -- discretionary rate relief
  empty_since    date,                           -- long-term empty premium: empty since this day
  weekly_pence   bigint check (weekly_pence > 0),  -- Council Tax Reduction: the weekly award
  note           text,
  created_at     timestamptz not null default now(),
  created_by     integer references users(id),
  ended_at       timestamptz,
  ended_by       integer references users(id),
  check (to_date is null or to_date >= from_date)
);
create index account_reductions_account on account_reductions(account_id);

-- How an account pays its instalments.
create table account_billing (
  account_id     bigint primary key references accounts(id),
  instalment_day smallint not null check (instalment_day between 1 and 28),
  twelve_instalments boolean not null default false,
  legacy_adopted_at timestamptz,                 -- awards inferred from entries billed before Levy
  updated_at     timestamptz not null default now(),
  updated_by     integer references users(id)
);

-- ---------------------------------------------------------------------------------------------
-- Bills

-- Which part of a year's charge a billing entry is. Rebills post the difference per component.
alter table ledger_entries add column billing_component text
  check (billing_component in ('gross', 'premium', 'discount', 'ctr', 'relief'));

-- What billing has charged, by component. Entries from before Levy billed (seed, legacy import)
-- carry no component: a charge is the gross charge, a seeded adjustment a discount or relief.
create view billing_charged as
  select account_id, financial_year, amount_pence,
         coalesce(billing_component,
                  case when kind = 'charge' then 'gross'
                       when reason ilike 'single person%' then 'discount'
                       else 'relief' end) as component
    from ledger_entries
   where billing_component is not null
      or kind = 'charge'
      or (kind = 'adjustment' and source = 'seed');

-- Every demand notice: what it charged and why, the plan it set and the document it printed.
create table bills (
  id             bigserial primary key,
  account_id     bigint not null references accounts(id),
  financial_year smallint not null,
  kind           text not null check (kind in ('annual', 'rebill')),
  issued_on      date not null,
  reason         text not null,
  charge_pence   bigint not null,                -- the year's net charge on this bill
  previous_charge_pence bigint not null,         -- what had been charged before it
  credits_before_pence bigint not null,          -- payments and other credits to the year before it
  calculation    jsonb,                          -- lines and totals; for run bills see run_tariff_key
  run_tariff_key text,
  batch_run_id   bigint references batch_runs(id),
  plan_id        bigint references instalment_plans(id),
  document_id    bigint references documents(id),
  created_at     timestamptz not null default now(),
  created_by     integer references users(id)
);
create unique index bills_one_annual on bills(account_id, financial_year) where kind = 'annual';
create index bills_account on bills(account_id, financial_year, id desc);
create index bills_run on bills(batch_run_id, id) where batch_run_id is not null;

-- A plan covers what was left to pay when it was issued; credits_before_pence is what had already
-- been paid or credited to the year, so due-so-far = credits_before_pence + instalments due so far.
alter table instalment_plans
  add column bill_id bigint,
  add column credits_before_pence bigint not null default 0;

-- An annual run's calculated tariffs and schedules (one per distinct case), kept so a resumed run
-- bills exactly as it began and the report can show how each figure was reached.
create table billing_run_tariffs (
  batch_run_id   bigint not null references batch_runs(id),
  tariff_key     text not null,
  stream         text not null,
  gross_pence    bigint not null,
  premium_pence  bigint not null,
  discount_pence bigint not null,
  ctr_pence      bigint not null,
  relief_pence   bigint not null,
  net_pence      bigint not null,
  calculation    jsonb not null,
  primary key (batch_run_id, tariff_key)
);

create table billing_run_schedules (
  batch_run_id   bigint not null references batch_runs(id),
  schedule_key   text not null,                  -- net|day|twelve|tax
  seq            smallint not null,
  due_date       date not null,
  amount_pence   bigint not null,
  primary key (batch_run_id, schedule_key, seq)
);

-- ---------------------------------------------------------------------------------------------
-- Officer journeys (one question per page): answers kept server-side between pages.

create table form_journeys (
  id             text primary key,
  user_id        integer not null references users(id),
  kind           text not null,
  data           jsonb not null default '{}',
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  completed_at   timestamptz
);

-- ---------------------------------------------------------------------------------------------
-- VOA schedules

create table voa_imports (
  id             bigserial primary key,
  authority_id   integer not null references billing_authorities(id),
  kind           text not null check (kind in ('nndr_list', 'ct_bands')),
  file_name      text not null,
  file_hash      text not null,
  status         text not null check (status in ('rejected', 'ready', 'applying', 'applied')),
  line_count     integer not null,
  problems       jsonb not null default '[]',    -- [{line, message}] for malformed lines
  excluded_lines integer[] not null default '{}',
  report         jsonb,
  created_at     timestamptz not null default now(),
  created_by     integer references users(id),
  applied_at     timestamptz,
  applied_by     integer references users(id),
  unique (authority_id, file_hash)
);

create table voa_import_lines (
  import_id      bigint not null references voa_imports(id),
  line_no        integer not null,
  raw            text not null,
  parsed         jsonb,
  problem        text,
  property_id    bigint references properties(id),
  action         text check (action in ('change', 'new_property', 'unchanged', 'no_property')),
  applied_at     timestamptz,
  primary key (import_id, line_no)
);
