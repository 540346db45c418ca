// Test support for recovery: accounts with a bill, an instalment plan and payments written straight
// into the tables (as test/support/fixture-council.ts does), and a clock-driven day of the recovery
// run (preview, then a senior officer's approval). Used by the scenario, run and browser tests.
import { addMonths } from '../../domain/calendar.ts';
import { makeAccountReference } from '../../domain/account-reference.ts';
import type { Db } from '../../db/database.ts';
import type { FixtureCouncil } from '../../../test/support/fixture-council.ts';

let nextNumber = 700_000;

export interface TestAccount {
  id: number;
  reference: string;
  customerId: number;
}

export function recoveryWorld(db: Db, f: FixtureCouncil) {
  const officer = f.users.recovery_officer.actor;
  const senior = f.users.senior_recovery_officer.actor;

  async function account(options: {
    authorityId?: number;
    stream?: 'council_tax' | 'business_rates';
    name?: string;
    warning?: string | null;
    email?: string | null;
    paymentMethod?: 'cash' | 'direct_debit';
    year?: number;
    instalments?: number;
    amountPence?: number;
    firstDue?: string;
  } = {}): Promise<TestAccount> {
    const authorityId = options.authorityId ?? f.authorities.wigan;
    const stream = options.stream ?? 'council_tax';
    const [forenames, surname] = (options.name ?? `Test Person${nextNumber}`).split(' ');
    const [customer] = await db.query<{ id: number }>(
      `insert into customers (authority_id, kind, forenames, surname, business_name, display_name, email, notify_by_email, warning)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
      [authorityId, stream === 'business_rates' ? 'business' : 'person', stream === 'business_rates' ? null : forenames, stream === 'business_rates' ? null : surname ?? 'Test',
        stream === 'business_rates' ? options.name ?? 'Test Trading Ltd' : null, options.name ?? `${forenames} ${surname}`, options.email ?? null, Boolean(options.email), options.warning ?? null]);
    const [property] = await db.query<{ id: number }>(
      stream === 'business_rates'
        ? `insert into properties (authority_id, kind, address_line1, town, postcode, rateable_value_pounds, description) values ($1, 'hereditament', $2, 'Wigan', 'WN1 1AA', 30000, 'Shop and premises') returning id`
        : `insert into properties (authority_id, kind, address_line1, town, postcode, band) values ($1, 'dwelling', $2, 'Wigan', 'WN1 1AA', 'B') returning id`,
      [authorityId, `${nextNumber % 1000} Test Street`]);
    const reference = makeAccountReference(stream, nextNumber++);
    const [acc] = await db.query<{ id: number }>(
      `insert into accounts (authority_id, reference, stream, customer_id, property_id, payment_method, opened_on) values ($1, $2, $3, $4, $5, $6, '2025-04-01') returning id`,
      [authorityId, reference, stream, customer.id, property.id, options.paymentMethod ?? 'cash']);
    const [liability] = await db.query<{ id: number }>(`insert into liabilities (account_id, property_id, from_date) values ($1, $2, '2025-04-01') returning id`, [acc.id, property.id]);
    await db.query('insert into liability_parties (liability_id, customer_id) values ($1, $2)', [liability.id, customer.id]);
    await db.query(`insert into customer_addresses (customer_id, address_line1, town, postcode, from_date, property_id) values ($1, $2, 'Wigan', 'WN1 1AA', '2025-04-01', $3)`,
      [customer.id, `${(nextNumber - 1) % 1000} Test Street`, property.id]);
    const result = { id: acc.id, reference, customerId: customer.id };
    await bill(result, { year: options.year ?? 2026, instalments: options.instalments ?? 10, amountPence: options.amountPence ?? 10_000, firstDue: options.firstDue });
    return result;
  }

  /** A year's charge and its instalment plan (monthly from firstDue). */
  async function bill(a: TestAccount, options: { year: number; instalments: number; amountPence: number; firstDue?: string }) {
    const firstDue = options.firstDue ?? `${options.year}-04-01`;
    const total = options.instalments * options.amountPence;
    await post(a, 'charge', total, options.year, `${options.year}-04-01`, `Annual bill ${options.year}`);
    const [plan] = await db.query<{ id: number }>(
      `insert into instalment_plans (account_id, financial_year, issued_on, total_pence) values ($1, $2, $3, $4) returning id`,
      [a.id, options.year, `${options.year}-03-10`, total]);
    for (let i = 0; i < options.instalments; i++) {
      await db.query('insert into instalments (plan_id, seq, due_date, amount_pence) values ($1, $2, $3, $4)', [plan.id, i + 1, addMonths(firstDue, i), options.amountPence]);
    }
  }

  async function post(a: TestAccount, kind: string, amount: number, year: number, on: string, reason: string | null = null) {
    await db.query(
      `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason) values ($1, $2, $3, $4, $5, 'test', $6)`,
      [a.id, kind, amount, year, on, reason]);
  }

  const pay = (a: TestAccount, on: string, amountPence: number, year = 2026) => post(a, 'payment', -amountPence, year, on, 'Payment');

  /** An ARUDD return: a positive entry reversing the collection. */
  async function returnDirectDebit(a: TestAccount, collectedOn: string, returnedOn: string, year = 2026) {
    const [entry] = await db.query<{ id: number; amount_pence: number }>(
      `select id, amount_pence from ledger_entries where account_id = $1 and kind = 'payment' and effective_date = $2 order by id desc limit 1`, [a.id, collectedOn]);
    await db.query(
      `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason, reverses_entry_id)
       values ($1, 'payment', $2, $3, $4, 'test', 'Direct Debit returned unpaid (ARUDD 0 refer to payer)', $5)`,
      [a.id, -entry.amount_pence, year, returnedOn, entry.id]);
  }

  /** The run for a day: preview as an officer, then approval by a senior officer when anything is to be issued. */
  async function runDay(asOf: string, options: { approve?: boolean; authorityId?: number } = {}) {
    f.clock.set(asOf);
    const preview = await f.services.recovery.preview(officer, { asOf, authorityId: options.authorityId ?? f.authorities.wigan });
    if (preview.status === 'awaiting_approval' && options.approve !== false) {
      await f.services.recovery.approve(senior, preview.runId!);
    }
    return preview;
  }

  async function steps(a: TestAccount) {
    return db.query<{ financial_year: number; stage: string; issued_on: string; pay_by: string | null; escalates_on: string | null; balance_due_on: string | null;
      amount_pence: number; costs_pence: number; outcome: string | null; outcome_on: string | null; document_id: number | null }>(
      `select financial_year, stage, issued_on, pay_by, escalates_on, balance_due_on, amount_pence, costs_pence, outcome, outcome_on, document_id
         from recovery_steps where account_id = $1 order by issued_on, id`, [a.id]);
  }

  return { officer, senior, account, bill, post, pay, returnDirectDebit, runDay, steps };
}
export type RecoveryWorld = ReturnType<typeof recoveryWorld>;
