-- Recovery: timetables as data, holds, the daily recovery run (preview → approval → issue), the
-- steps it takes, and the Magistrates' Court (hearings, complaint lists, outcomes).
-- See docs/recovery.md. The policy itself is pure TypeScript (src/domain/recovery/evaluate.ts);
-- these tables hold its inputs, its record and its schedule.

-- ---------------------------------------------------------------------------------------------
-- Timetables: per authority and stream, effective-dated; one row per stage.

create table recovery_timetables (
  id            serial primary key,
  authority_id  integer not null references billing_authorities(id),
  stream        text not null check (stream in ('council_tax', 'business_rates')),
  effective_from date not null,
  name          text not null,
  summons_service_days smallint not null check (summons_service_days >= 0),
  hearing_min_days_after_service smallint not null check (hearing_min_days_after_service >= 14), -- reg 35(2A)
  limitation_years smallint not null check (limitation_years between 1 and 6),                     -- reg 34(3)
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  unique (authority_id, stream, effective_from)
);

create table recovery_timetable_stages (
  timetable_id  integer not null references recovery_timetables(id),
  stage         text not null check (stage in ('reminder_1', 'reminder_2', 'balance_due', 'final_notice', 'summons', 'liability_order')),
  trigger       text not null check (trigger in ('missed_instalment', 'final_failure', 'balance_due_without_reminder', 'balance_unpaid', 'court_granted')),
  issue_after_days smallint not null check (issue_after_days >= 0),
  pay_within_days smallint check (pay_within_days >= 0),
  escalate_after_days smallint check (escalate_after_days >= 0),
  minimum_pence bigint not null check (minimum_pence >= 0),
  costs_pence   bigint not null check (costs_pence >= 0),
  letter_template text,
  next_stages   text[] not null default '{}',
  primary key (timetable_id, stage)
);

-- The defaults from the regulations (mirrored in src/domain/recovery/default-timetables.ts; a test
-- keeps them equal). Idempotent: an authority that already has a default keeps it.
create function levy_default_recovery_timetables(p_authority integer) returns void language plpgsql as $$
declare
  v_nation text;
  v_id integer;
begin
  select nation into v_nation from billing_authorities where id = p_authority;
  if v_nation is null then
    raise exception 'no billing authority %', p_authority;
  end if;

  insert into recovery_timetables (authority_id, stream, effective_from, name, summons_service_days, hearing_min_days_after_service, limitation_years)
  values (p_authority, 'council_tax', '1993-04-01', 'Statutory default', 2, 14, 6)
  on conflict (authority_id, stream, effective_from) do nothing
  returning id into v_id;
  if v_id is not null then
    insert into recovery_timetable_stages (timetable_id, stage, trigger, issue_after_days, pay_within_days, escalate_after_days, minimum_pence, costs_pence, letter_template, next_stages) values
      (v_id, 'reminder_1', 'missed_instalment', 7, 7, 7, 500, 0, 'ct_reminder_1', '{reminder_2,summons}'),
      (v_id, 'reminder_2', 'missed_instalment', 7, 7, 7, 500, 0, 'ct_reminder_2', '{balance_due,summons}'),
      (v_id, 'balance_due', 'final_failure', 1, null, null, 500, 0, null, '{final_notice}'),
      (v_id, 'final_notice', 'balance_due_without_reminder', 0, 7, 1, 500, 0, 'ct_final_notice', '{summons}'),
      (v_id, 'summons', 'balance_unpaid', 0, null, null, 5000, case when v_nation = 'wales' then 7000 else 8000 end, 'ct_summons', '{liability_order}'),
      (v_id, 'liability_order', 'court_granted', 0, null, null, 0, case when v_nation = 'wales' then 0 else 3000 end, 'ct_liability_order', '{}');
  end if;

  v_id := null;
  insert into recovery_timetables (authority_id, stream, effective_from, name, summons_service_days, hearing_min_days_after_service, limitation_years)
  values (p_authority, 'business_rates', '1990-04-01', 'Statutory default', 2, 14, 6)
  on conflict (authority_id, stream, effective_from) do nothing
  returning id into v_id;
  if v_id is not null then
    insert into recovery_timetable_stages (timetable_id, stage, trigger, issue_after_days, pay_within_days, escalate_after_days, minimum_pence, costs_pence, letter_template, next_stages) values
      (v_id, 'reminder_1', 'missed_instalment', 7, 7, 7, 500, 0, 'nndr_reminder', '{balance_due,summons}'),
      (v_id, 'balance_due', 'final_failure', 1, null, null, 500, 0, null, '{final_notice}'),
      (v_id, 'final_notice', 'balance_due_without_reminder', 0, 7, 1, 500, 0, 'nndr_final_notice', '{summons}'),
      (v_id, 'summons', 'balance_unpaid', 0, null, null, 5000, 10000, 'nndr_summons', '{liability_order}'),
      (v_id, 'liability_order', 'court_granted', 0, null, null, 0, 5000, 'nndr_liability_order', '{}');
  end if;
end $$;

-- Every authority has a timetable from the moment it exists: existing ones now, new ones on insert.
create function levy_recovery_timetables_for_new_authority() returns trigger language plpgsql as $$
begin
  perform levy_default_recovery_timetables(new.id);
  return new;
end $$;
create trigger billing_authorities_recovery_timetables after insert on billing_authorities
  for each row execute function levy_recovery_timetables_for_new_authority();
select levy_default_recovery_timetables(id) from billing_authorities;

-- ---------------------------------------------------------------------------------------------
-- Holds: on an account, or on a customer (then every account they are liable on).

create table holds (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  account_id    bigint references accounts(id),
  customer_id   bigint references customers(id),
  type          text not null check (type in ('arrangement', 'direct_debit', 'dispute', 'vulnerability',
                  'breathing_space_standard', 'breathing_space_mental_health', 'insolvency', 'deceased', 'benefit_claim_pending')),
  reason        text not null,
  reference     text,                          -- e.g. the Insolvency Service's Breathing Space reference
  starts_on     date not null,
  expires_on    date,                          -- last day it runs (Breathing Space standard: start + 59)
  review_on     date,
  ended_on      date,                          -- from this day it no longer applies
  end_reason    text,
  decided_by    integer references users(id),  -- who decided to hold (the officer who recorded it, or their senior)
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  updated_at    timestamptz not null default now(),
  updated_by    integer references users(id),
  check ((account_id is null) <> (customer_id is null)),
  check (expires_on is null or expires_on >= starts_on),
  check (ended_on is null or ended_on >= starts_on)
);
create index holds_account on holds(account_id) where account_id is not null;
create index holds_customer on holds(customer_id) where customer_id is not null;
create index holds_open on holds(authority_id, review_on) where ended_on is null;

create table hold_reviews (
  id            bigserial primary key,
  hold_id       bigint not null references holds(id),
  reviewed_on   date not null,
  note          text not null,
  next_review_on date,
  reviewed_by   integer references users(id),
  created_at    timestamptz not null default now()
);
create index hold_reviews_hold on hold_reviews(hold_id, id);

-- ---------------------------------------------------------------------------------------------
-- The run: a batch_runs row (kind 'recovery') with its recovery state. One at a time per
-- authority: the partial unique index refuses a second run while one awaits approval or is issuing.

create table recovery_runs (
  batch_run_id  bigint primary key references batch_runs(id),
  authority_id  integer not null references billing_authorities(id),
  as_of         date not null,
  status        text not null check (status in ('awaiting_approval', 'issuing', 'completed', 'cancelled', 'failed')),
  report        jsonb not null,                -- the preview: counts and amounts per stage, held, exceptions
  issue_report  jsonb,                         -- what was issued, skipped and why
  issued_through integer not null default 0,    -- items are issued in item_no order: every item up to here is done
  started_by    integer references users(id),
  started_at    timestamptz not null default now(),
  approved_by   integer references users(id),
  approved_at   timestamptz,
  cancelled_by  integer references users(id),
  finished_at   timestamptz,
  error         text
);
create unique index recovery_runs_one_at_a_time on recovery_runs(authority_id) where status in ('awaiting_approval', 'issuing');
create index recovery_runs_authority on recovery_runs(authority_id, as_of desc);

-- One line per account-year the preview looked at and had something to say about.
create table recovery_run_items (
  run_id        bigint not null references recovery_runs(batch_run_id),
  item_no       integer not null,
  account_id    bigint not null references accounts(id),
  financial_year smallint not null,
  kind          text not null check (kind in ('action', 'record', 'held', 'exception', 'review')),
  stage         text,                          -- the (last) stage to take, or that a hold stops
  stages        text[] not null default '{}',
  amount_pence  bigint not null default 0,     -- what the notice asks for
  costs_pence   bigint not null default 0,
  reason        text not null,
  decision      jsonb not null,
  -- 'pending' until issued; then done (item_no <= recovery_runs.issued_through) unless marked 'skipped'
  status        text not null default 'pending' check (status in ('pending', 'done', 'skipped')),
  result        text,                          -- why an item was skipped
  primary key (run_id, item_no)
);
create index recovery_run_items_kind on recovery_run_items(run_id, kind, stage);

-- Each stage taken, once per account, year and stage (the unique key makes a re-run harmless).
create table recovery_steps (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  account_id    bigint not null references accounts(id),
  financial_year smallint not null,
  stage         text not null check (stage in ('reminder_1', 'reminder_2', 'balance_due', 'final_notice', 'summons', 'liability_order')),
  batch_run_id  bigint references batch_runs(id),
  issued_on     date not null,
  pay_by        date,
  escalates_on  date,
  balance_due_on date,
  amount_pence  bigint not null default 0,
  costs_pence   bigint not null default 0,
  cost_entry_id bigint references ledger_entries(id),
  document_id   bigint references documents(id),
  reason        text not null,
  outcome       text check (outcome in ('paid', 'unpaid', 'withdrawn', 'granted', 'dismissed')),
  outcome_on    date,
  outcome_reason text,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  unique (account_id, financial_year, stage)
);
create index recovery_steps_run on recovery_steps(batch_run_id);

-- Where each account-year stands after the last run that looked at it, and when the run must look
-- again (review_on). Derived from the steps, holds and ledger by the pure evaluation; kept so the
-- daily run and the pipeline counts need no scan of the steps.
create table recovery_cases (
  account_id    bigint not null references accounts(id),
  financial_year smallint not null,
  authority_id  integer not null references billing_authorities(id),
  stream        text not null,
  position      text not null,
  held          boolean not null default false,
  exception     boolean not null default false,
  reminders_served smallint not null default 0,
  review_on     date,
  next_action   text,
  next_action_on date,
  reason        text not null,
  balance_pence bigint not null default 0,
  last_run_id   bigint references batch_runs(id),
  updated_at    timestamptz not null default now(),
  primary key (account_id, financial_year)
);
create index recovery_cases_review on recovery_cases(authority_id, review_on) where review_on is not null;
create index recovery_cases_position on recovery_cases(authority_id, position);

-- ---------------------------------------------------------------------------------------------
-- Magistrates' Court: hearing dates with capacity, a case per summons, outcomes.

create table court_hearings (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  court_name    text not null,
  court_address text not null default '',
  hearing_on    date not null,
  hearing_time  text not null default '10:00' check (hearing_time ~ '^\d{2}:\d{2}$'),
  capacity      integer not null check (capacity > 0),
  list_exported_at timestamptz,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  unique (authority_id, court_name, hearing_on, hearing_time)
);
create index court_hearings_date on court_hearings(authority_id, hearing_on);

create table court_cases (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  case_number   text not null,
  account_id    bigint not null references accounts(id),
  financial_year smallint not null,
  summons_step_id bigint not null unique references recovery_steps(id),
  hearing_id    bigint not null references court_hearings(id),
  complaint_pence bigint not null,             -- the sum the complaint is for, costs not included
  costs_pence   bigint not null,
  status        text not null default 'listed' check (status in ('listed', 'withdrawn', 'granted', 'dismissed')),
  outcome_on    date,
  outcome_reason text,
  created_at    timestamptz not null default now(),
  unique (authority_id, case_number)
);
create index court_cases_hearing on court_cases(hearing_id, id);

create table court_case_outcomes (
  id            bigserial primary key,
  case_id       bigint not null references court_cases(id),
  hearing_id    bigint not null references court_hearings(id),
  outcome       text not null check (outcome in ('granted', 'withdrawn', 'adjourned', 'dismissed')),
  recorded_on   date not null,
  reason        text,
  adjourned_to_hearing_id bigint references court_hearings(id),
  recorded_by   integer references users(id),
  source        text not null,                 -- 'screen', 'upload:<file>', 'recovery-run:<id>', 'updated-list'
  created_at    timestamptz not null default now()
);
create index court_case_outcomes_case on court_case_outcomes(case_id, id);
