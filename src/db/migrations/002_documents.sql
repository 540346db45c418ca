-- Letters, bills and notices, and the messages that carry them.
-- A document is stored as data (who it is to, what it says) and rendered to PDF when asked for,
-- so any bill or notice can be reprinted exactly as issued, and a run can produce a print file.

alter table billing_authorities
  add column department text not null default 'Revenues and Benefits',
  add column letter_address text[] not null default '{}',
  add column phone text,
  add column email text,
  add column website text;

create table documents (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  customer_id   bigint references customers(id),
  account_id    bigint references accounts(id),
  kind          text not null,                -- demand_notice, reminder, final_notice, summons, refund_letter …
  title         text not null,
  content       jsonb not null,               -- LetterContent (src/modules/documents/letter.ts)
  batch_run_id  bigint references batch_runs(id),
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);
create index documents_account on documents(account_id, id desc);
create index documents_batch on documents(batch_run_id, id);

-- Every email, text and letter Levy sends. With no GOV.UK Notify key configured, messages are held
-- here ('held_locally') for officers to read, so the demo and tests work offline.
create table outbox_messages (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  customer_id   bigint references customers(id),
  account_id    bigint references accounts(id),
  document_id   bigint references documents(id),
  channel       text not null check (channel in ('email', 'sms', 'letter')),
  recipient     text not null,                -- email address, phone number, or the postal address
  subject       text,
  body          text not null,
  status        text not null check (status in ('queued', 'sent', 'failed', 'held_locally', 'printed')),
  provider_id   text,
  error         text,
  created_at    timestamptz not null default now(),
  sent_at       timestamptz
);
create index outbox_status on outbox_messages(status, id);
create index outbox_account on outbox_messages(account_id, id desc);
