-- Enforcement agents, continued (issue 6): allocation rules that choose the firm for a referral,
-- recalls of cases from firms, and performance by firm kept as a per-firm total. See docs/enforcement.md.

-- ---------------------------------------------------------------------------------------------
-- Allocation rules: per council, in order, the first rule whose conditions all match a case gives
-- its firm; the one fallback rule (no conditions) is used when none matches. A rule with more than
-- one firm shares its cases between them by weight, in a fixed cycle: shares 2 and 1 give A, A, B,
-- A, A, B … `allocated` counts the cases the rule has given out, which is where the cycle stands.

create table ea_allocation_rules (
  id            serial primary key,
  authority_id  integer not null references billing_authorities(id),
  position      integer not null,                      -- ascending; the fallback is checked last whatever its position
  fallback      boolean not null default false,
  stream        text check (stream in ('council_tax', 'business_rates')),   -- null: any stream
  postcode_prefixes text[] not null default '{}',      -- postcode areas ('WN') or districts ('WN1'); empty: anywhere
  min_balance_pence bigint check (min_balance_pence >= 0),  -- the sum referred is at least this
  max_balance_pence bigint,                            -- and less than this
  allocated     bigint not null default 0,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  check (max_balance_pence is null or min_balance_pence is null or max_balance_pence > min_balance_pence),
  check (not fallback or (stream is null and postcode_prefixes = '{}' and min_balance_pence is null and max_balance_pence is null))
);
create index ea_allocation_rules_authority on ea_allocation_rules(authority_id, position);
create unique index ea_allocation_rules_one_fallback on ea_allocation_rules(authority_id) where fallback;

create table ea_allocation_rule_firms (
  rule_id       integer not null references ea_allocation_rules(id) on delete cascade,
  firm_id       integer not null references ea_firms(id),
  share         integer not null default 1 check (share between 1 and 100),
  primary key (rule_id, firm_id)
);

-- Which rule chose the firm (null: the officer chose it).
alter table ea_referrals add column allocation_rule_id integer references ea_allocation_rules(id) on delete set null;

-- ---------------------------------------------------------------------------------------------
-- Recalls: the council takes a case back from a firm. The referral becomes 'recalled' (so it no
-- longer counts as live at the firm and the year can be referred again later). A case the firm had
-- been sent is listed in the firm's next recall file (`notify`); `notified_at` is when it was.

create table ea_recalls (
  id            bigserial primary key,
  referral_id   bigint not null unique references ea_referrals(id),
  authority_id  integer not null references billing_authorities(id),
  firm_id       integer not null references ea_firms(id),
  reason        text not null check (reason in ('paid_direct', 'arrangement', 'vulnerability', 'hold', 'complaint', 'error')),
  note          text not null default '',
  recalled_on   date not null,
  previous_status text not null,
  hold_id       bigint references holds(id),            -- set when placing a hold recalled it
  notify        boolean not null,
  notified_at   timestamptz,
  notify_batch  text,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);
create index ea_recalls_to_notify on ea_recalls(firm_id) where notify and notified_at is null;

-- ---------------------------------------------------------------------------------------------
-- Performance by firm, kept as one row of totals per firm by statement-level triggers on
-- ea_referrals and ea_returns (the old rows' contributions out, the new rows' in), so the page reads
-- a row per firm instead of aggregating every referral ever made. The writers lock a firm's row for
-- the rest of their transaction; referrals are written by officers one at a time and by batches
-- (export, returns, recall), so the wait is short, and rows are always locked in firm order.
-- A referral counts once it has passed the checks (not awaiting a decision, not refused).

create table ea_firm_stats (
  firm_id         integer primary key references ea_firms(id),
  referred        integer not null default 0,
  open            integer not null default 0,          -- exported or with the agent
  closed          integer not null default 0,
  paid            integer not null default 0,
  returned_unpaid integer not null default 0,
  recalled        integer not null default 0,
  collected_pence bigint not null default 0,
  closed_days     bigint not null default 0,           -- sum of days from export to return, closed cases
  closed_timed    integer not null default 0,          -- closed cases with both dates
  over_scale_fees integer not null default 0
);

-- The contribution of a set of referral rows (a transition table, or ea_referrals itself), by firm:
-- sign 1 adds it, -1 takes it away: the statement as text, so that one statement serves every
-- trigger (a transition table is only visible to the trigger function itself, hence EXECUTE there).
create function levy_ea_stats_sql(p_table text, p_sign integer) returns text language sql immutable as $$
  select format($q$
    insert into ea_firm_stats as s (firm_id, referred, open, closed, paid, returned_unpaid, recalled, collected_pence, closed_days, closed_timed)
    select r.firm_id,
           %1$s * count(*),
           %1$s * count(*) filter (where r.status in ('exported', 'with_agent')),
           %1$s * count(*) filter (where r.status = 'closed'),
           %1$s * count(*) filter (where r.return_code = 'paid'),
           %1$s * count(*) filter (where r.status = 'closed' and r.return_code <> 'paid'),
           %1$s * count(*) filter (where r.status = 'recalled'),
           %1$s * coalesce(sum(r.collected_pence), 0),
           %1$s * coalesce(sum(r.returned_on - (r.exported_at at time zone 'Europe/London')::date) filter (where r.status = 'closed'), 0),
           %1$s * count(r.returned_on - (r.exported_at at time zone 'Europe/London')::date) filter (where r.status = 'closed')
      from %2$I r
     where r.status not in ('awaiting_decision', 'refused')
     group by r.firm_id
     order by r.firm_id
    on conflict (firm_id) do update set
      referred = s.referred + excluded.referred, open = s.open + excluded.open, closed = s.closed + excluded.closed,
      paid = s.paid + excluded.paid, returned_unpaid = s.returned_unpaid + excluded.returned_unpaid, recalled = s.recalled + excluded.recalled,
      collected_pence = s.collected_pence + excluded.collected_pence, closed_days = s.closed_days + excluded.closed_days,
      closed_timed = s.closed_timed + excluded.closed_timed$q$, p_sign, p_table)
$$;

create function levy_ea_referrals_stats() returns trigger language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then execute levy_ea_stats_sql('ea_stats_old', -1); end if;
  if tg_op in ('INSERT', 'UPDATE') then execute levy_ea_stats_sql('ea_stats_new', 1); end if;
  return null;
end $$;
create trigger ea_referrals_stats_insert after insert on ea_referrals
  referencing new table as ea_stats_new for each statement execute function levy_ea_referrals_stats();
create trigger ea_referrals_stats_update after update on ea_referrals
  referencing old table as ea_stats_old new table as ea_stats_new for each statement execute function levy_ea_referrals_stats();
create trigger ea_referrals_stats_delete after delete on ea_referrals
  referencing old table as ea_stats_old for each statement execute function levy_ea_referrals_stats();

create function levy_ea_returns_stats() returns trigger language plpgsql as $$
begin
  insert into ea_firm_stats as s (firm_id, over_scale_fees)
  select r.firm_id, count(*) from ea_stats_returns x join ea_referrals r on r.id = x.referral_id
   where x.over_scale group by r.firm_id order by r.firm_id
  on conflict (firm_id) do update set over_scale_fees = s.over_scale_fees + excluded.over_scale_fees;
  return null;
end $$;
create trigger ea_returns_stats after insert on ea_returns
  referencing new table as ea_stats_returns for each statement execute function levy_ea_returns_stats();

-- What is there already.
do $$ begin execute levy_ea_stats_sql('ea_referrals', 1); end $$;
insert into ea_firm_stats as s (firm_id, over_scale_fees)
select r.firm_id, count(*) from ea_returns x join ea_referrals r on r.id = x.referral_id where x.over_scale group by r.firm_id
on conflict (firm_id) do update set over_scale_fees = excluded.over_scale_fees;
