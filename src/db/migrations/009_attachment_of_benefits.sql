-- Attachment of benefits (issue 6): a council tax account with a liability order asks DWP to deduct
-- a fixed amount from the debtor's benefit (SI 1992/613 reg 29, Sch 5). The request goes to DWP as a
-- letter (PDF) and in a bulk request file (each request in one file only); DWP accepts or rejects;
-- the deductions DWP pays over are posted as payments and monitored against what was expected; the
-- attachment ends when cleared, when the benefit ends, or when the council withdraws it.

create table benefit_attachments (
  id            bigserial primary key,
  authority_id  integer not null references billing_authorities(id),
  account_id    bigint not null references accounts(id),
  customer_id   bigint not null references customers(id),
  benefit_type  text not null check (benefit_type in ('universal_credit', 'jobseekers_allowance', 'employment_support_allowance', 'income_support', 'pension_credit')),
  uc_allowance  text check (uc_allowance in ('single_under_25', 'single_25_or_over', 'joint_both_under_25', 'joint_25_or_over')),
  ni_number     text not null check (ni_number ~ '^[A-Z]{2}[0-9]{6}[A-D]$'),
  requested_on  date not null,
  requested_pence bigint not null check (requested_pence > 0),   -- owed under the liability orders when asked
  period        text not null check (period in ('weekly', 'monthly')),
  deduction_pence bigint not null check (deduction_pence > 0),   -- the law's figure; DWP's confirmed figure once accepted
  rule_source   text not null,
  status        text not null default 'requested' check (status in ('requested', 'accepted', 'rejected', 'cleared', 'benefit_ended', 'withdrawn')),
  dwp_reference text,
  decided_on    date,                                            -- DWP's answer
  rejection_reason text,
  first_deduction_on date,                                       -- from when deductions are expected
  ended_on      date,
  end_reason    text,
  document_id   bigint references documents(id),               -- the request letter to DWP
  dwp_file      text,                                            -- the bulk request file it went in (once only)
  dwp_file_at   timestamptz,
  created_at    timestamptz not null default now(),
  created_by    integer references users(id),
  check ((benefit_type = 'universal_credit') = (uc_allowance is not null))
);
create index benefit_attachments_open on benefit_attachments(authority_id, status);
create index benefit_attachments_unfiled on benefit_attachments(authority_id) where status = 'requested' and dwp_file is null;
-- DWP takes one council tax deduction from a claimant at a time: one open request or attachment per debtor.
create unique index benefit_attachments_one_open on benefit_attachments(customer_id) where status in ('requested', 'accepted');

create table benefit_attachment_receipts (
  id            bigserial primary key,
  attachment_id bigint not null references benefit_attachments(id),
  received_on   date not null,
  amount_pence  bigint not null check (amount_pence > 0),
  ledger_entry_id bigint not null references ledger_entries(id),
  created_at    timestamptz not null default now(),
  created_by    integer references users(id)
);
create index benefit_attachment_receipts_attachment on benefit_attachment_receipts(attachment_id);
