-- Reports and KPIs (issue 7): the council's collection targets, and aggregates of the ledger that
-- keep every report page fast on a council of a million accounts. See docs/reports.md.
--
-- The aggregates are caches of the ledger, never a second truth: `levy report reconcile` (and a test)
-- recomputes them from ledger_entries and payment_allocations and compares; `levy report rebuild`
-- recomputes them outright.
--
-- How they stay current without slowing or blocking anyone who posts to the ledger:
--  1. statement-level AFTER INSERT triggers on ledger_entries and payment_allocations append one
--     grouped row per (account, year, effective date, kind) to report_ledger_deltas. Writers only
--     ever INSERT there: no row is updated, so two postings never wait on each other and cannot
--     deadlock over a shared total;
--  2. levy_report_fold() moves the deltas into the aggregates, one folder at a time (an advisory
--     lock). The report service folds before it reads, and `levy serve` folds in the background.

-- ---------------------------------------------------------------------------------------------
-- Targets: the council's cumulative collection-rate target at the end of each month of a year.

create table collection_targets (
  authority_id   integer not null references billing_authorities(id),
  stream         text not null check (stream in ('council_tax', 'business_rates')),
  financial_year smallint not null,                 -- start year: 2026 means 2026/27
  month_no       smallint not null check (month_no between 1 and 12), -- 1 = April … 12 = March
  target_percent numeric(5, 2) not null check (target_percent >= 0 and target_percent <= 100),
  updated_at     timestamptz not null default now(),
  updated_by     integer references users(id),
  primary key (authority_id, stream, financial_year, month_no)
);

-- ---------------------------------------------------------------------------------------------
-- Ledger aggregates.

-- Appended by the triggers below; emptied by levy_report_fold().
-- kind: the ledger kind, or 'payment_cost' for the part of payments allocated to costs (moved out of
-- 'payment' when payment_allocations says so).
create table report_ledger_deltas (
  id             bigserial primary key,
  account_id     bigint not null,
  financial_year smallint not null,
  effective_date date not null,
  kind           text not null,
  amount_pence   bigint not null
);

-- The ledger summed by day: what the collection rate, arrears collected and the money figures read.
create table report_ledger_days (
  authority_id   integer not null,
  stream         text not null,
  financial_year smallint not null,
  effective_date date not null,
  kind           text not null,
  amount_pence   bigint not null,
  primary key (authority_id, stream, financial_year, effective_date, kind)
);

-- Each account's balance for each financial year (+ owed, − credit), all kinds included.
create table report_account_years (
  account_id     bigint not null,
  financial_year smallint not null,
  authority_id   integer not null,
  stream         text not null,
  balance_pence  bigint not null,
  primary key (account_id, financial_year)
);

-- Account-years summed: how many owe and how much, how many are in credit and how much.
create table report_year_balances (
  authority_id    integer not null,
  stream          text not null,
  financial_year  smallint not null,
  owing_accounts  integer not null default 0,
  owing_pence     bigint not null default 0,
  credit_accounts integer not null default 0,
  credit_pence    bigint not null default 0,
  primary key (authority_id, stream, financial_year)
);

create function levy_report_ledger_inserted() returns trigger language plpgsql as $$
begin
  insert into report_ledger_deltas (account_id, financial_year, effective_date, kind, amount_pence)
  select account_id, financial_year, effective_date, kind, sum(amount_pence)
    from report_new_entries
   group by account_id, financial_year, effective_date, kind;
  return null;
end $$;
create trigger ledger_entries_report_deltas after insert on ledger_entries
  referencing new table as report_new_entries
  for each statement execute function levy_report_ledger_inserted();

-- A payment allocated to costs is not a receipt of council tax or rates (QRC4 excludes costs): move
-- it from 'payment' to 'payment_cost'. The allocation's amount is the entry's (negative for a payment,
-- positive for its reversal), so a reversal moves it back.
create function levy_report_allocations_inserted() returns trigger language plpgsql as $$
begin
  insert into report_ledger_deltas (account_id, financial_year, effective_date, kind, amount_pence)
  select l.account_id, l.financial_year, l.effective_date, m.kind, m.sign * sum(n.amount_pence)
    from report_new_allocations n
    join ledger_entries l on l.id = n.ledger_entry_id
    cross join (values ('payment', -1), ('payment_cost', 1)) as m(kind, sign)
   where n.target = 'cost' and l.kind = 'payment'
   group by l.account_id, l.financial_year, l.effective_date, m.kind, m.sign;
  return null;
end $$;
create trigger payment_allocations_report_deltas after insert on payment_allocations
  referencing new table as report_new_allocations
  for each statement execute function levy_report_allocations_inserted();

-- ---------------------------------------------------------------------------------------------
-- Officer workload: what officers record by hand (events with a user and no batch), by day.
-- "Customers worked" and "accounts worked" count each one once per officer per day, so days add up.
-- Written directly by the trigger: only an officer's own actions touch their row.

create table report_officer_days (
  authority_id   integer not null,
  user_id        integer not null,
  day            date not null,                    -- the UK calendar day of the event
  notes          integer not null default 0,
  contacts       integer not null default 0,
  other          integer not null default 0,
  customers      integer not null default 0,
  accounts       integer not null default 0,
  primary key (authority_id, user_id, day)
);

-- Which customers and accounts each officer has recorded something on, each day.
create table report_officer_seen (
  authority_id   integer not null,
  user_id        integer not null,
  day            date not null,
  subject        text not null check (subject in ('customer', 'account')),
  subject_id     bigint not null,
  primary key (authority_id, user_id, day, subject, subject_id)
);

create function levy_report_events_inserted() returns trigger language plpgsql as $$
begin
  with officer as (
    select authority_id, by_user_id as user_id, (at at time zone 'Europe/London')::date as day, type, customer_id, account_id
      from report_new_events where by_user_id is not null and by_system is null
  ),
  seen as (
    insert into report_officer_seen (authority_id, user_id, day, subject, subject_id)
    select authority_id, user_id, day, 'customer', customer_id from officer
    union
    select authority_id, user_id, day, 'account', account_id from officer where account_id is not null
    on conflict do nothing
    returning authority_id, user_id, day, subject
  ),
  firsts as (
    select authority_id, user_id, day, count(*) filter (where subject = 'customer')::int as customers,
           count(*) filter (where subject = 'account')::int as accounts
      from seen group by authority_id, user_id, day
  ),
  counts as (
    select authority_id, user_id, day, count(*) filter (where type = 'note')::int as notes,
           count(*) filter (where type = 'contact')::int as contacts, count(*) filter (where type not in ('note', 'contact'))::int as other
      from officer group by authority_id, user_id, day
  )
  insert into report_officer_days as d (authority_id, user_id, day, notes, contacts, other, customers, accounts)
  select c.authority_id, c.user_id, c.day, c.notes, c.contacts, c.other, coalesce(f.customers, 0), coalesce(f.accounts, 0)
    from counts c left join firsts f on f.authority_id = c.authority_id and f.user_id = c.user_id and f.day = c.day
  on conflict (authority_id, user_id, day) do update
    set notes = d.notes + excluded.notes, contacts = d.contacts + excluded.contacts, other = d.other + excluded.other,
        customers = d.customers + excluded.customers, accounts = d.accounts + excluded.accounts;
  return null;
end $$;
create trigger events_report_officer_days after insert on events
  referencing new table as report_new_events
  for each statement execute function levy_report_events_inserted();
-- Fires in replica mode too (a bulk load such as the demo seed): it looks only at officers' own
-- events, so a batch's events cost it one pass over the statement's rows.
alter table events enable always trigger events_report_officer_days;

-- ---------------------------------------------------------------------------------------------
-- Recovery steps by day, stage and run (the recovery module only ever inserts a step's stage, date
-- and amounts; later updates touch its document, cost entry and outcome).

create table report_recovery_steps (
  authority_id   integer not null,
  stream         text not null,
  issued_on      date not null,
  stage          text not null,
  batch_run_id   bigint not null,                  -- 0 when no run took the step (a court's order)
  steps          integer not null,
  amount_pence   bigint not null,
  costs_pence    bigint not null,
  primary key (authority_id, stream, issued_on, stage, batch_run_id)
);

create function levy_report_steps_inserted() returns trigger language plpgsql as $$
begin
  insert into report_recovery_steps as r (authority_id, stream, issued_on, stage, batch_run_id, steps, amount_pence, costs_pence)
  select s.authority_id, a.stream, s.issued_on, s.stage, coalesce(s.batch_run_id, 0), count(*), sum(s.amount_pence), sum(s.costs_pence)
    from report_new_steps s join accounts a on a.id = s.account_id
   group by 1, 2, 3, 4, 5
   order by 1, 2, 3, 4, 5
  on conflict (authority_id, stream, issued_on, stage, batch_run_id) do update
    set steps = r.steps + excluded.steps, amount_pence = r.amount_pence + excluded.amount_pence, costs_pence = r.costs_pence + excluded.costs_pence;
  return null;
end $$;
create trigger recovery_steps_report after insert on recovery_steps
  referencing new table as report_new_steps
  for each statement execute function levy_report_steps_inserted();

-- Folds up to p_limit deltas (all when null) into the aggregates; returns how many it folded.
-- One folder at a time: the advisory lock makes a second wait. Run inside a transaction.
create function levy_report_fold(p_limit integer default null) returns integer language plpgsql as $$
declare
  v_folded integer;
begin
  perform pg_advisory_xact_lock(7275007);
  with moved as (
    delete from report_ledger_deltas
     where id in (select id from report_ledger_deltas order by id limit coalesce(p_limit, 2147483647))
    returning account_id, financial_year, effective_date, kind, amount_pence
  ),
  m as (
    select moved.*, a.authority_id, a.stream from moved join accounts a on a.id = moved.account_id
  ),
  days as (
    insert into report_ledger_days as t (authority_id, stream, financial_year, effective_date, kind, amount_pence)
    select authority_id, stream, financial_year, effective_date, kind, sum(amount_pence)
      from m group by authority_id, stream, financial_year, effective_date, kind
    on conflict (authority_id, stream, financial_year, effective_date, kind)
      do update set amount_pence = t.amount_pence + excluded.amount_pence
    returning 1
  ),
  d as (
    select account_id, financial_year, authority_id, stream, sum(amount_pence)::bigint as delta
      from m group by account_id, financial_year, authority_id, stream
  ),
  up as (
    insert into report_account_years as b (account_id, financial_year, authority_id, stream, balance_pence)
    select account_id, financial_year, authority_id, stream, delta from d
    on conflict (account_id, financial_year) do update set balance_pence = b.balance_pence + excluded.balance_pence
    returning account_id, financial_year, authority_id, stream, balance_pence
  ),
  changes as (
    select up.authority_id, up.stream, up.financial_year, up.balance_pence as new_b, up.balance_pence - d.delta as old_b
      from up join d on d.account_id = up.account_id and d.financial_year = up.financial_year
  ),
  years as (
    insert into report_year_balances as y (authority_id, stream, financial_year, owing_accounts, owing_pence, credit_accounts, credit_pence)
    select authority_id, stream, financial_year,
           sum((new_b > 0)::int - (old_b > 0)::int),
           sum(greatest(new_b, 0) - greatest(old_b, 0)),
           sum((new_b < 0)::int - (old_b < 0)::int),
           sum(greatest(-new_b, 0) - greatest(-old_b, 0))
      from changes group by authority_id, stream, financial_year
    on conflict (authority_id, stream, financial_year) do update
      set owing_accounts = y.owing_accounts + excluded.owing_accounts,
          owing_pence = y.owing_pence + excluded.owing_pence,
          credit_accounts = y.credit_accounts + excluded.credit_accounts,
          credit_pence = y.credit_pence + excluded.credit_pence
    returning 1
  )
  -- (days and years run whether or not they are read: data-modifying WITH parts always complete)
  select count(*) into v_folded from moved;
  return v_folded;
end $$;

-- Recomputes every aggregate from the ledger, the events and the recovery steps. Writers to them wait until it commits
-- (share locks), so nothing posted meanwhile is counted twice or missed. For repair and this migration.
create function levy_report_rebuild() returns void language plpgsql as $$
begin
  perform pg_advisory_xact_lock(7275007);
  lock table ledger_entries, payment_allocations, events, recovery_steps in share mode;
  delete from report_ledger_deltas;
  delete from report_ledger_days;
  delete from report_account_years;
  delete from report_year_balances;
  delete from report_recovery_steps;
  insert into report_recovery_steps (authority_id, stream, issued_on, stage, batch_run_id, steps, amount_pence, costs_pence)
  select s.authority_id, a.stream, s.issued_on, s.stage, coalesce(s.batch_run_id, 0), count(*), sum(s.amount_pence), sum(s.costs_pence)
    from recovery_steps s join accounts a on a.id = s.account_id
   group by 1, 2, 3, 4, 5;
  delete from report_officer_seen;
  delete from report_officer_days;
  insert into report_officer_seen (authority_id, user_id, day, subject, subject_id)
  select distinct authority_id, by_user_id, (at at time zone 'Europe/London')::date, 'customer', customer_id
    from events where by_user_id is not null and by_system is null
  union
  select distinct authority_id, by_user_id, (at at time zone 'Europe/London')::date, 'account', account_id
    from events where by_user_id is not null and by_system is null and account_id is not null;
  insert into report_officer_days (authority_id, user_id, day, notes, contacts, other, customers, accounts)
  select e.authority_id, e.user_id, e.day, e.notes, e.contacts, e.other,
         (select count(*) from report_officer_seen s where s.authority_id = e.authority_id and s.user_id = e.user_id and s.day = e.day and s.subject = 'customer'),
         (select count(*) from report_officer_seen s where s.authority_id = e.authority_id and s.user_id = e.user_id and s.day = e.day and s.subject = 'account')
    from (select authority_id, by_user_id as user_id, (at at time zone 'Europe/London')::date as day,
                 count(*) filter (where type = 'note')::int as notes, count(*) filter (where type = 'contact')::int as contacts,
                 count(*) filter (where type not in ('note', 'contact'))::int as other
            from events where by_user_id is not null and by_system is null
           group by 1, 2, 3) e;

  insert into report_ledger_days (authority_id, stream, financial_year, effective_date, kind, amount_pence)
  select authority_id, stream, financial_year, effective_date, kind, sum(amount_pence)
    from (
      select a.authority_id, a.stream, l.financial_year, l.effective_date,
             case when l.kind = 'payment' and pa.target = 'cost' then 'payment_cost' else l.kind end as kind,
             l.amount_pence
        from ledger_entries l
        join accounts a on a.id = l.account_id
        left join payment_allocations pa on pa.ledger_entry_id = l.id and pa.target = 'cost'
    ) x
   group by authority_id, stream, financial_year, effective_date, kind;

  insert into report_account_years (account_id, financial_year, authority_id, stream, balance_pence)
  select l.account_id, l.financial_year, a.authority_id, a.stream, sum(l.amount_pence)
    from ledger_entries l join accounts a on a.id = l.account_id
   group by l.account_id, l.financial_year, a.authority_id, a.stream;

  insert into report_year_balances (authority_id, stream, financial_year, owing_accounts, owing_pence, credit_accounts, credit_pence)
  select authority_id, stream, financial_year,
         count(*) filter (where balance_pence > 0), coalesce(sum(balance_pence) filter (where balance_pence > 0), 0),
         count(*) filter (where balance_pence < 0), coalesce(-sum(balance_pence) filter (where balance_pence < 0), 0)
    from report_account_years
   group by authority_id, stream, financial_year;
end $$;

select levy_report_rebuild();

-- ---------------------------------------------------------------------------------------------
-- Indexes the reports read through (small, or on small tables).

create index customers_councillors on customers (authority_id) where is_councillor;
create index ledger_write_offs on ledger_entries (effective_date) where kind in ('write_off', 'write_on');
create index court_case_outcomes_hearing on court_case_outcomes (hearing_id);
