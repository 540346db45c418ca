-- Work queues (issue 6, item 7): who in the team is working each item on the queues after the
-- liability order, so a team can divide the day's work. One row per assigned item; unassigning
-- deletes it (the audit log keeps who assigned what, when). The queue names the item's table:
-- arrangements, attachments (attachment_orders), enforcement (ea_referrals), write_offs,
-- tracing (trace_tasks), holds.
create table work_assignments (
  queue         text not null check (queue in ('arrangements', 'attachments', 'enforcement', 'write_offs', 'tracing', 'holds')),
  item_id       bigint not null,
  authority_id  integer not null references billing_authorities(id),
  assigned_to   integer not null references users(id),
  assigned_by   integer references users(id),
  assigned_at   timestamptz not null default now(),
  primary key (queue, item_id)
);
-- "Assigned to me": from the officer to their items, queue by queue.
create index work_assignments_officer on work_assignments(assigned_to, queue, item_id);

-- Queues are paged newest first: index the order they are read in (enforcement and tracing
-- already have theirs from 006).
create index arrangements_queue on arrangements(authority_id, status, id desc);
create index write_offs_queue on write_offs(authority_id, status, id desc);
create index attachment_orders_queue on attachment_orders(authority_id, status, id desc);
