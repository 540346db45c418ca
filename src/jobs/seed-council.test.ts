import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { openPglite, openPostgres, type Db } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { checkAccountReference } from '../domain/account-reference.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { BANDS, findAuthority } from '../integrations/open-data.ts';
import { seedCouncil, type SeedCouncilOptions, type SeedCouncilReport } from './seed-council.ts';

const AS_OF = '2026-11-20';
const OPTIONS: SeedCouncilOptions = { onsCode: 'E08000010', dwellings: 300, businesses: 30, seed: 42, asOf: AS_OF };

let db: Db;
let report: SeedCouncilReport;

before(async () => {
  db = await openPglite();
  await migrate(db);
  report = await seedCouncil(db, OPTIONS);
});
after(async () => {
  await db?.close();
});

const count = async (d: Db, sql: string, params: unknown[] = []) =>
  (await d.query<{ n: number }>(`select (${sql})::int as n`, params))[0].n;

/** Everything a seeded council must satisfy, on either engine. */
async function checkSeededCouncil(d: Db, r: SeedCouncilReport, asOf: string) {
  const a = r.authorityId;

  // The report's counts are the rows in the tables.
  assert.equal(await count(d, 'select count(*) from customers where authority_id = $1', [a]), r.customers);
  assert.equal(await count(d, 'select count(*) from properties where authority_id = $1', [a]), r.properties);
  assert.equal(await count(d, 'select count(*) from accounts where authority_id = $1', [a]), r.accounts);
  assert.equal(
    await count(d, 'select count(*) from ledger_entries l join accounts x on x.id = l.account_id where x.authority_id = $1', [a]),
    r.ledgerEntries,
  );
  assert.equal(
    await count(
      d,
      `select count(*) from instalments i join instalment_plans p on p.id = i.plan_id
                    join accounts x on x.id = p.account_id where x.authority_id = $1`,
      [a],
    ),
    r.instalments,
  );
  assert.equal(await count(d, 'select count(*) from events where authority_id = $1', [a]), r.events);
  assert.equal(r.properties, r.dwellings + r.businesses);

  // Every foreign key holds (the seed writes with foreign-key triggers off when it safely can).
  const orphans: [string, string][] = [
    [
      'customer_addresses',
      'select count(*) from customer_addresses c left join customers x on x.id = c.customer_id left join properties p on p.id = c.property_id where x.id is null or (c.property_id is not null and p.id is null)',
    ],
    [
      'accounts',
      'select count(*) from accounts c left join customers x on x.id = c.customer_id left join properties p on p.id = c.property_id where x.id is null or (c.property_id is not null and p.id is null)',
    ],
    [
      'liabilities',
      'select count(*) from liabilities c left join accounts x on x.id = c.account_id left join properties p on p.id = c.property_id where x.id is null or p.id is null',
    ],
    [
      'liability_parties',
      'select count(*) from liability_parties c left join liabilities x on x.id = c.liability_id left join customers p on p.id = c.customer_id where x.id is null or p.id is null',
    ],
    ['instalment_plans', 'select count(*) from instalment_plans c left join accounts x on x.id = c.account_id where x.id is null'],
    ['instalments', 'select count(*) from instalments c left join instalment_plans x on x.id = c.plan_id where x.id is null'],
    ['ledger_entries', 'select count(*) from ledger_entries c left join accounts x on x.id = c.account_id where x.id is null'],
    [
      'events',
      'select count(*) from events c left join customers x on x.id = c.customer_id left join accounts y on y.id = c.account_id where x.id is null or (c.account_id is not null and y.id is null)',
    ],
  ];
  for (const [table, sql] of orphans) assert.equal(await count(d, sql), 0, `${table} has rows pointing nowhere`);
  // an event's customer is the account's lead or another party on it
  assert.equal(
    await count(
      d,
      `select count(*) from events e join accounts x on x.id = e.account_id
                    where e.authority_id = $1 and e.customer_id <> x.customer_id`,
      [a],
    ),
    0,
  );

  // Band mix: the authority's real proportions (to within rounding of the quota).
  const authority = findAuthority(r.onsCode);
  const total = BANDS.reduce((s, b) => s + authority.dwellingsByBand[b], 0);
  const bands = await d.query<{ band: string; n: number }>(
    `select band, count(*)::int as n from properties where authority_id = $1 and kind = 'dwelling' group by band`,
    [a],
  );
  for (const b of BANDS) {
    const got = (bands.find((x) => x.band === b)?.n ?? 0) / r.dwellings;
    const want = authority.dwellingsByBand[b] / total;
    assert.ok(Math.abs(got - want) < 0.01, `band ${b}: ${got.toFixed(3)} vs ${want.toFixed(3)}`);
  }

  // Every account reference validates and carries the account's stream.
  const refs = await d.query<{ reference: string; stream: string }>('select reference, stream from accounts where authority_id = $1', [a]);
  for (const { reference, stream } of refs) {
    const check = checkAccountReference(reference);
    assert.ok(check.valid, `${reference} does not validate`);
    assert.equal(check.valid && check.stream, stream);
  }

  // Each plan's total is the year's charge less discounts and reliefs; its instalments add up to it.
  assert.equal(
    await count(
      d,
      `select count(*) from instalment_plans p
       join accounts x on x.id = p.account_id and x.authority_id = $1
       where p.total_pence <> (select sum(amount_pence) from ledger_entries l
                                where l.account_id = p.account_id and l.financial_year = p.financial_year
                                  and l.kind in ('charge', 'adjustment'))
          or p.total_pence <> (select sum(amount_pence) from instalments i where i.plan_id = p.id)`,
      [a],
    ),
    0,
  );
  // Balances are charges − discounts − payments, never below zero (nobody overpays), no payment
  // after the as-of date, every amount a whole number of pence and no zero entries.
  const years = await d.query<{
    stream: string;
    fy: number;
    charged: number;
    credited: number;
    paid: number;
    balance: number;
    late: number;
  }>(
    `select x.stream, l.financial_year as fy,
            sum(case when l.kind = 'charge' then l.amount_pence else 0 end)::bigint as charged,
            sum(case when l.kind = 'adjustment' then l.amount_pence else 0 end)::bigint as credited,
            sum(case when l.kind = 'payment' then l.amount_pence else 0 end)::bigint as paid,
            sum(l.amount_pence)::bigint as balance,
            count(*) filter (where l.effective_date > $2::date)::int as late
       from ledger_entries l join accounts x on x.id = l.account_id
      where x.authority_id = $1
      group by x.id, x.stream, l.financial_year`,
    [a, asOf],
  );
  for (const y of years) {
    assert.equal(y.balance, y.charged + y.credited + y.paid);
    assert.ok(y.balance >= 0, `a ${y.stream} account is in credit for ${y.fy}`);
    assert.equal(y.late, 0, 'no ledger entry may be dated after the as-of date');
  }
  assert.equal(
    await count(
      d,
      `select count(*) from ledger_entries l join accounts x on x.id = l.account_id
                              where x.authority_id = $1 and (l.amount_pence = 0 or l.source <> 'seed')`,
      [a],
    ),
    0,
  );

  // Previous year: mostly cleared, with arrears left on the tail.
  const [fyPrev, fyNow] = r.financialYears;
  const ctPrev = years.filter((y) => y.stream === 'council_tax' && y.fy === fyPrev);
  const clearedPrev = ctPrev.filter((y) => y.balance === 0).length / ctPrev.length;
  assert.ok(
    clearedPrev > 0.8 && clearedPrev < 1,
    `previous year cleared on ${(clearedPrev * 100).toFixed(1)}% of accounts (some arrears must remain)`,
  );

  // This year: arrears = instalments due by the as-of date less payments; most are up to date.
  const arrears = await d.query<{ arrears: number }>(
    `select (coalesce((select sum(i.amount_pence) from instalments i where i.plan_id = p.id and i.due_date <= $2::date), 0)
             + coalesce((select sum(l.amount_pence) from ledger_entries l
                          where l.account_id = p.account_id and l.financial_year = p.financial_year and l.kind = 'payment'), 0)
            )::bigint as arrears
       from instalment_plans p join accounts x on x.id = p.account_id
      where x.authority_id = $1 and x.stream = 'council_tax' and p.financial_year = $3`,
    [a, asOf, fyNow],
  );
  const inArrears = arrears.filter((x) => x.arrears > 0).length / arrears.length;
  assert.ok(inArrears > 0.05 && inArrears < 0.35, `${(inArrears * 100).toFixed(1)}% of council tax accounts in arrears`);
  assert.ok(
    arrears.some((x) => x.arrears <= 0),
    'some accounts are up to date',
  );

  // Joint and several liability on about 30% of council tax accounts; single person discount on about 35%.
  const ct = await count(d, `select count(*) from accounts where authority_id = $1 and stream = 'council_tax'`, [a]);
  const joint = await count(
    d,
    `select count(*) from (select l.id from liabilities l join accounts x on x.id = l.account_id
      join liability_parties lp on lp.liability_id = l.id where x.authority_id = $1 and x.stream = 'council_tax'
      group by l.id having count(*) = 2) j`,
    [a],
  );
  assert.ok(joint / ct > 0.2 && joint / ct < 0.4, `joint liabilities on ${joint} of ${ct}`);
  const spd = await count(
    d,
    `select count(distinct l.account_id) from ledger_entries l join accounts x on x.id = l.account_id
      where x.authority_id = $1 and l.kind = 'adjustment' and l.reason like 'Single person discount 25%'`,
    [a],
  );
  assert.ok(spd / ct > 0.25 && spd / ct < 0.45, `single person discount on ${spd} of ${ct}`);
  const dd = await count(
    d,
    `select count(*) from accounts where authority_id = $1 and stream = 'council_tax' and payment_method = 'direct_debit'`,
    [a],
  );
  assert.ok(dd / ct > 0.55 && dd / ct < 0.75, `Direct Debit on ${dd} of ${ct}`);

  // Businesses: hereditaments with rateable values, mostly small, on business rates accounts.
  const rv = await d.query<{ small: number; n: number }>(
    `select count(*) filter (where rateable_value_pounds < 15000)::int as small, count(*)::int as n
       from properties where authority_id = $1 and kind = 'hereditament'`,
    [a],
  );
  assert.equal(rv[0].n, r.businesses);
  assert.ok(rv[0].small / rv[0].n > 0.5, 'most hereditaments are under £15,000 RV');
  assert.equal(await count(d, `select count(*) from accounts where authority_id = $1 and stream = 'business_rates'`, [a]), r.businesses);

  // The single view of debt: some people owe on more than one stream.
  assert.ok(
    (await count(
      d,
      `select count(*) from (select customer_id from accounts where authority_id = $1
      group by customer_id having count(distinct stream) > 1) m`,
      [a],
    )) > 0,
  );
  // Members monitored under s.106, and a handful of contact warnings.
  assert.ok((await count(d, 'select count(*) from customers where authority_id = $1 and is_councillor', [a])) >= 3);
  assert.ok((await count(d, 'select count(*) from customers where authority_id = $1 and warning is not null', [a])) >= 2);

  // The timeline: one account_opened per account, a bill per plan, notes and contacts on the tail.
  assert.equal(await count(d, `select count(*) from events where authority_id = $1 and type = 'account_opened'`, [a]), r.accounts);
  assert.ok((await count(d, `select count(*) from events where authority_id = $1 and type = 'bill_issued'`, [a])) >= r.instalmentPlans);
  assert.ok((await count(d, `select count(*) from events where authority_id = $1 and type = 'note'`, [a])) > 0);
  assert.equal(
    await count(
      d,
      `select count(*) from events where authority_id = $1 and type = 'contact'
      and not (detail ->> 'direction' in ('inbound', 'outbound') and detail ->> 'channel' in ('phone', 'email', 'letter', 'visit')
               and detail ? 'outcome')`,
      [a],
    ),
    0,
  );
  assert.ok((await count(d, `select count(*) from events where authority_id = $1 and type = 'contact'`, [a])) > 0);
  assert.equal(await count(d, `select count(*) from events where authority_id = $1 and at > ($2::date + 1)::timestamptz`, [a, asOf]), 0);

  // Triggers that must fire on the ledger did (the seed skips only foreign-key checks): where the
  // reports module keeps ledger deltas, they add up to the ledger.
  const [deltas] = await d.query<{ t: string | null }>(`select to_regclass('report_ledger_deltas')::text as t`);
  if (deltas.t) {
    const [sums] = await d.query<{ ledger: number; reported: number }>(
      `select (select coalesce(sum(l.amount_pence), 0) from ledger_entries l join accounts x on x.id = l.account_id
                where x.authority_id = $1)::bigint as ledger,
              ((select coalesce(sum(r.amount_pence), 0) from report_ledger_deltas r join accounts x on x.id = r.account_id
                 where x.authority_id = $1)
               + (select coalesce(sum(r.amount_pence), 0) from report_ledger_days r where r.authority_id = $1))::bigint as reported`,
      [a],
    );
    assert.equal(sums.reported, sums.ledger, 'report deltas match the ledger');
  }

  // The report aggregates the seed wrote itself (it skips the ledger-delta trigger) are exactly
  // what folding the deltas and a rebuild from the ledger give.
  if (deltas.t) {
    await d.transaction(async (tx) => {
      await tx.query('select levy_report_fold()');
    });
    const written = await reportAggregates(d, a);
    assert.ok(written.accountYears.length >= r.accounts, 'every account has its years in the aggregates');
    await d.transaction(async (tx) => {
      await tx.query('select levy_report_rebuild()');
    });
    assert.deepEqual(written, await reportAggregates(d, a), 'report aggregates equal a rebuild from the ledger');
  }

  // The run is recorded with its report.
  const [run] = await d.query<{ kind: string; status: string; as_of: string; report: SeedCouncilReport }>(
    'select kind, status, as_of, report from batch_runs where id = $1',
    [r.batchRunId],
  );
  assert.equal(run.kind, 'seed');
  assert.equal(run.status, 'completed');
  assert.equal(run.as_of, asOf);
  assert.equal(run.report.customers, r.customers);
}

/** An authority's report aggregates (migration 007), in key order. */
async function reportAggregates(d: Db, authorityId: number) {
  return {
    days: await d.query(
      `select stream, financial_year, effective_date, kind, amount_pence from report_ledger_days where authority_id = $1
        order by stream, financial_year, effective_date, kind`,
      [authorityId],
    ),
    accountYears: await d.query(
      `select account_id, financial_year, stream, balance_pence from report_account_years where authority_id = $1
        order by account_id, financial_year`,
      [authorityId],
    ),
    yearBalances: await d.query(
      `select stream, financial_year, owing_accounts, owing_pence, credit_accounts, credit_pence from report_year_balances
        where authority_id = $1 order by stream, financial_year`,
      [authorityId],
    ),
  };
}

test('a seeded council is realistic and internally consistent', async () => {
  assert.equal(report.name, 'Wigan');
  assert.equal(report.dwellings, 300);
  assert.deepEqual(report.financialYears, [2025, 2026]);
  assert.equal(report.bandDPence.current, 215300);
  assert.ok(report.seconds > 0);
  await checkSeededCouncil(db, report, AS_OF);
});

test('British people and places; nothing that can reach a real person', async () => {
  const people = await db.query<{
    title: string;
    forenames: string;
    surname: string;
    email: string | null;
    phone: string | null;
    date_of_birth: string;
  }>(`select title, forenames, surname, email, phone, date_of_birth from customers where kind = 'person'`);
  assert.ok(people.every((p) => ['Mr', 'Mrs', 'Ms', 'Miss', 'Dr'].includes(p.title)));
  assert.ok(people.every((p) => /^[A-Z][A-Za-z'’ś-]+$/.test(p.surname)));
  const withEmail = people.filter((p) => p.email).length / people.length;
  assert.ok(withEmail > 0.2 && withEmail < 0.4, `${withEmail} with email`);
  const emails = await db.query<{ email: string }>('select email from customers where email is not null');
  assert.ok(
    emails.every((c) => /@([a-z0-9-]+\.)?example\.(com|org|net)$/.test(c.email)),
    'only documentation domains',
  );
  assert.ok(people.every((p) => !p.phone || /^(07700 900\d{3}|01632 960\d{3}|020 7946 0\d{3})$/.test(p.phone)));
  assert.ok(people.every((p) => p.date_of_birth <= '2008-11-20' && p.date_of_birth >= '1925-01-01'));
  const addresses = await db.query<{ postcode: string; town: string }>(`select postcode, town from properties`);
  // Wigan's real towns and postcode districts
  assert.ok(
    addresses.every((p) => /^(WN[1-7]|M29|M46|WA3) \d[A-Z]{2}$/.test(p.postcode)),
    'Wigan postcodes',
  );
  const towns = new Set(addresses.map((p) => p.town));
  for (const town of ['Wigan', 'Leigh', 'Hindley']) assert.ok(towns.has(town), `${town} has properties`);
  assert.ok(addresses.filter((p) => p.town === 'Wigan').length > addresses.length / 5, 'Wigan is the largest town');
  const descriptions = await db.query<{ description: string }>(`select distinct description from properties where kind = 'hereditament'`);
  assert.ok(descriptions.some((x) => x.description === 'Shop and premises'));
});

test('the same seed builds the same council; another seed a different one', async () => {
  const again = await openPglite();
  const other = await openPglite();
  try {
    await migrate(again);
    await migrate(other);
    const r2 = await seedCouncil(again, OPTIONS);
    await seedCouncil(other, { ...OPTIONS, seed: 43 });
    const first = (d: Db) =>
      d.query<{ display_name: string; reference: string; line1: string }>(
        `select c.display_name, a.reference, p.address_line1 as line1 from accounts a
           join customers c on c.id = a.customer_id left join properties p on p.id = a.property_id
          order by a.id limit 25`,
      );
    const totals = (d: Db) =>
      d.query(`select kind, count(*)::int as n, sum(amount_pence)::bigint as s from ledger_entries group by kind order by kind`);
    assert.deepEqual(await first(again), await first(db));
    assert.deepEqual(await totals(again), await totals(db));
    assert.equal(r2.customers, report.customers);
    assert.notDeepEqual(
      (await first(other)).map((x) => x.display_name),
      (await first(db)).map((x) => x.display_name),
    );
  } finally {
    await again.close();
    await other.close();
  }
});

test('a second seed of the same authority is refused and changes nothing', async () => {
  const before = await count(db, 'select count(*) from accounts');
  await assert.rejects(seedCouncil(db, { ...OPTIONS, seed: 7 }), (e: unknown) => {
    assert.ok(e instanceof ConflictError);
    assert.match((e as Error).message, /Wigan \(E08000010\) already has accounts/);
    return true;
  });
  assert.equal(await count(db, 'select count(*) from accounts'), before);
  assert.equal(await count(db, `select count(*) from batch_runs where kind = 'seed'`), 1);
});

test('an unknown ONS code is a clear error and writes nothing', async () => {
  const before = await count(db, 'select count(*) from billing_authorities');
  await assert.rejects(seedCouncil(db, { ...OPTIONS, onsCode: 'E99999999' }), (e: unknown) => {
    assert.ok(e instanceof NotFoundError);
    assert.match((e as Error).message, /No billing authority with ONS code "E99999999"/);
    return true;
  });
  assert.equal(await count(db, 'select count(*) from billing_authorities'), before);
  await assert.rejects(seedCouncil(db, { ...OPTIONS, onsCode: 'E06000001', asOf: '2026-13-01' }), /asOf/);
  await assert.rejects(seedCouncil(db, { ...OPTIONS, onsCode: 'E06000001', dwellings: -1 }), /dwellings/);
});

test('a seed that fails part-way marks its batch run failed, with the reason', async () => {
  // Council tax began in 1993: no band ratios are in force for a 1990 as-of date.
  await assert.rejects(seedCouncil(db, { ...OPTIONS, onsCode: 'E06000001', asOf: '1990-06-01' }), /no council tax band ratio/);
  const [run] = await db.query<{ status: string; report: { error?: string } }>(
    `select r.status, r.report from batch_runs r join billing_authorities a on a.id = r.authority_id
      where a.ons_code = 'E06000001' order by r.id desc limit 1`,
  );
  assert.equal(run.status, 'failed');
  assert.match(run.report.error ?? '', /no council tax band ratio/);
});

/** Every index and constraint in the schema, as PostgreSQL would write them out. */
async function schemaKeys(d: Db) {
  return {
    indexes: await d.query(
      `select c.relname as name, pg_get_indexdef(c.oid) as def from pg_index x join pg_class c on c.oid = x.indexrelid
        where c.relnamespace = 'public'::regnamespace order by 1`,
    ),
    constraints: await d.query(
      `select conrelid::regclass::text as tbl, conname as name, pg_get_constraintdef(oid) as def, convalidated as validated
         from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`,
    ),
  };
}

test('a first seed into an empty embedded database is a bulk load, and every index and key is back after it', async () => {
  assert.ok(
    report.notes.some((n) => /^bulk load into an empty database: \d+ tables emptied .* \d+ indexes and keys built after/.test(n)),
    report.notes.join('; '),
  );
  assert.ok(report.phaseSeconds['indexes and keys (built after the load)'] >= 0);
  const fresh = await openPglite();
  try {
    await migrate(fresh);
    const expected = await schemaKeys(fresh);
    assert.ok(expected.indexes.length > 100 && expected.constraints.length > 100);
    assert.deepEqual(await schemaKeys(db), expected);
  } finally {
    await fresh.close();
  }
  // A database that already holds a council is loaded row by row, its indexes untouched.
  const d = await openPglite();
  try {
    await migrate(d);
    await seedCouncil(d, { ...OPTIONS, dwellings: 20, businesses: 2 });
    const second = await seedCouncil(d, { ...OPTIONS, onsCode: 'E06000001' });
    assert.ok(!second.notes.some((n) => /bulk load/.test(n)), second.notes.join('; '));
    await checkSeededCouncil(d, second, AS_OF);
  } finally {
    await d.close();
  }
});

test('a seed that fails part-way on the embedded database leaves nothing, and can simply be run again', async () => {
  const d = await openPglite();
  try {
    await migrate(d);
    const keys = await schemaKeys(d);
    let chunks = 0;
    const failing = seedCouncil(d, {
      ...OPTIONS,
      chunkSize: 100,
      onProgress: () => {
        chunks += 1;
        if (chunks === 2) throw new Error('disk full (simulated after the second chunk)');
      },
    });
    await assert.rejects(failing, /disk full \(simulated after the second chunk\)/);
    assert.equal(chunks, 2, 'it failed with chunks already written');
    for (const table of ['customers', 'properties', 'accounts', 'ledger_entries', 'instalments', 'events', 'report_account_years']) {
      assert.equal(await count(d, `select count(*) from ${table}`), 0, `${table} is empty again`);
    }
    assert.deepEqual(await schemaKeys(d), keys, 'the indexes and keys dropped for the load are back');
    const runs = await d.query<{ status: string; report: { error: string; rolledBack: string } }>(
      `select status, report from batch_runs where kind = 'seed'`,
    );
    assert.equal(runs.length, 1);
    assert.equal(runs[0].status, 'failed');
    assert.match(runs[0].report.error, /disk full/);
    assert.match(runs[0].report.rolledBack, /^nothing was kept: .* [\d,]+ rows written before the failure were rolled back$/);

    const again = await seedCouncil(d, OPTIONS);
    await checkSeededCouncil(d, again, AS_OF);
    assert.equal(again.accounts, report.accounts, 'the same council as an uninterrupted seed');
  } finally {
    await d.close();
  }
});

test('kill -9 during `levy seed` on the embedded database, then run it again: it completes, nothing doubled', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'levy-seed-kill-'));
  // the embedded database, whatever the test run points DATABASE_URL at
  const env: NodeJS.ProcessEnv = { ...process.env, LEVY_DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: '' };
  const args = (dwellings: number) => ['bin/levy.js', 'seed', '--authority', 'E08000010', '--dwellings', String(dwellings), '--businesses', '50', '--as-of', AS_OF];
  try {
    // Large enough to be killed after its first chunk (progress goes to stderr) and long before its last.
    const child = spawn(process.execPath, args(40_000), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let progress = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress line within 60 s: ${progress}`)), 60_000);
      child.stderr.on('data', (data: Buffer) => {
        progress += data.toString();
        if (/dwellings 5,000\/40,000/.test(progress)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const rerun = spawnSync(process.execPath, [...args(600), '--json'], { env, encoding: 'utf8' });
    assert.equal(rerun.status, 0, rerun.stderr);
    const r = JSON.parse(rerun.stdout) as SeedCouncilReport;
    assert.equal(r.dwellings, 600);
    const d = await openPglite(dir);
    try {
      assert.equal(await count(d, 'select count(*) from accounts'), r.accounts, 'only the second seed’s accounts');
      assert.equal(await count(d, 'select count(*) from customers'), r.customers);
      assert.equal(await count(d, 'select count(*) from ledger_entries'), r.ledgerEntries);
      const runs = await d.query<{ status: string }>(`select status from batch_runs where kind = 'seed' order by id`);
      assert.deepEqual(runs.map((x) => x.status), ['completed'], 'the killed seed left no run behind');
      await checkSeededCouncil(d, r, AS_OF);
    } finally {
      await d.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an insert trigger the seed does not know about still fires for every row', async () => {
  const d = await openPglite();
  try {
    await migrate(d);
    await d.exec(`
      create table seen_events (n bigint not null);
      insert into seen_events values (0);
      create function count_seen_events() returns trigger language plpgsql as $$
      begin update seen_events set n = n + 1; return new; end $$;
      create trigger events_seen after insert on events for each row execute function count_seen_events();`);
    const r = await seedCouncil(d, { ...OPTIONS, dwellings: 60, businesses: 5 });
    assert.ok(
      r.notes.some((n) => /events has insert triggers \(events_seen\)/.test(n)),
      r.notes.join('; '),
    );
    const [seen] = await d.query<{ n: number }>('select n from seen_events');
    assert.equal(seen.n, r.events);
    await checkSeededCouncil(d, r, AS_OF);
  } finally {
    await d.close();
  }
});

test('the report aggregates the seed writes are what the ledger-delta trigger and a fold would make', async () => {
  // The same council seeded with the trigger firing (enabled ALWAYS, so the seed cannot skip it).
  const d = await openPglite();
  try {
    await migrate(d);
    await d.exec('alter table ledger_entries enable always trigger ledger_entries_report_deltas');
    const r = await seedCouncil(d, OPTIONS);
    assert.ok(!r.notes.some((n) => /report aggregates were written/.test(n)), r.notes.join('; '));
    assert.ok(report.notes.some((n) => /report aggregates were written/.test(n)), report.notes.join('; '));
    assert.ok((await count(d, 'select count(*) from report_ledger_deltas')) > 0, 'the trigger fired');
    await d.transaction(async (tx) => {
      await tx.query('select levy_report_fold()');
    });
    const byTrigger = await reportAggregates(d, r.authorityId);
    const bySeed = await reportAggregates(db, report.authorityId);
    assert.ok(bySeed.days.length > 100 && bySeed.yearBalances.length >= 6, JSON.stringify(bySeed.yearBalances));
    assert.deepEqual(bySeed, byTrigger);
  } finally {
    await d.close();
  }
});

test('a Welsh council seeds too (band I; business rates on the English rules, noted)', async () => {
  const d = await openPglite();
  try {
    await migrate(d);
    const r = await seedCouncil(d, { onsCode: 'W06000015', dwellings: 120, businesses: 10, seed: 1, asOf: '2026-06-30' });
    assert.equal(r.nation, 'wales');
    const postcodes = await d.query<{ postcode: string }>('select postcode from properties');
    assert.ok(
      postcodes.every((p) => /^CF\d{1,2} \d[A-Z]{2}$/.test(p.postcode)),
      'Cardiff postcodes are CF',
    );
    assert.ok(
      r.notes.some((n) => /no Welsh authorities/.test(n)),
      r.notes.join('; '),
    );
    assert.ok(
      r.notes.some((n) => /business rates/.test(n)),
      r.notes.join('; '),
    );
    await checkSeededCouncil(d, r, '2026-06-30');
  } finally {
    await d.close();
  }
});

/** A scratch database on the local PostgreSQL server, or null (with the reason) when none is reachable. */
async function scratchPostgres(): Promise<{ url: string; drop: () => Promise<void> } | string> {
  const adminUrl = process.env.LEVY_TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (error) {
    return `no PostgreSQL at ${adminUrl.replace(/:[^:@/]*@/, ':***@')} (${(error as Error).message})`;
  }
  const name = `levy_seed_test_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      // Backends of a just-closed pool can take a moment to exit: wait for them rather than force.
      for (let attempt = 0; ; attempt++) {
        try {
          await admin.query(`drop database if exists ${name}`);
          break;
        } catch (error) {
          if (attempt >= 50 || !/being accessed by other users/.test((error as Error).message)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      await admin.end();
    },
  };
}

test('the same council seeds on PostgreSQL', async (t) => {
  const scratch = await scratchPostgres();
  if (typeof scratch === 'string') {
    t.skip(scratch);
    return;
  }
  let pgDb: Db | undefined;
  try {
    pgDb = await openPostgres(scratch.url);
    await migrate(pgDb);
    const r = await seedCouncil(pgDb, { ...OPTIONS, chunkSize: 100, concurrency: 3 });
    await checkSeededCouncil(pgDb, r, AS_OF);
    // the same seed gives the same people and references on either engine
    const first = (d: Db) =>
      d.query(`select c.display_name, a.reference from accounts a join customers c on c.id = a.customer_id order by a.reference limit 25`);
    assert.deepEqual(await first(pgDb), await first(db));
  } finally {
    await pgDb?.close();
    await scratch.drop();
  }
});
