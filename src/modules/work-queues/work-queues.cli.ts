// `levy queues`: the open work on each queue (all, mine, unassigned), and `levy queues bulk` to
// assign, unassign or approve in bulk from a script, as a named officer so their council, their
// permissions and their delegated limit apply exactly as on the pages.
import { InvalidArgumentError, type Command } from 'commander';
import type { Runtime } from '../../runtime.ts';
import { NotFoundError } from '../../errors.ts';
import type { Actor } from '../auth/context.ts';
import type { Role } from '../auth/roles.ts';
import { QUEUES } from './queues.ts';
import { BULK_ACTIONS, describeResult } from './work-queues.service.ts';

type WithRuntime = <T>(fn: (runtime: Runtime) => Promise<T>) => Promise<T>;

async function actorFor(runtime: Runtime, username: string | undefined): Promise<Actor> {
  if (!username) {
    const rows = await runtime.db.query<{ id: number }>('select id from billing_authorities order by id');
    return { userId: null, username: 'levy-cli', role: 'recovery_manager', authorityIds: rows.map((r) => r.id) };
  }
  const [user] = await runtime.db.query<{ id: number; username: string; role: Role; authority_ids: number[] }>(
    `select u.id, u.username, u.role, array(select ua.authority_id from user_authorities ua where ua.user_id = u.id order by 1) as authority_ids
       from users u where u.username = $1 and u.active`, [username]);
  if (!user) throw new NotFoundError(`There is no active user ${username}`);
  return { userId: user.id, username: user.username, role: user.role, authorityIds: user.authority_ids.map(Number) };
}

const oneOf = (name: string, allowed: readonly string[]) => (value: string) => {
  if (!allowed.includes(value)) throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value;
};
const idList = (value: string) => {
  if (!/^\d+(,\d+)*$/.test(value)) throw new InvalidArgumentError(`--ids must be item ids separated by commas, got "${value}"`);
  return value.split(',').map(Number);
};

export function registerWorkQueueCommands(program: Command, withRuntime: WithRuntime) {
  const queues = program.command('queues').description('work queues after the liability order: counts per queue; bulk assign, unassign, approve')
    .option('--user <username>', 'count as this officer (their councils; "mine" is theirs); default every council')
    .option('--json', 'print JSON')
    .action((options: { user?: string; json?: boolean }) =>
      withRuntime(async (runtime) => {
        const counts = await runtime.services.workQueues.counts(await actorFor(runtime, options.user));
        const rows = counts.map((c) => ({ queue: c.queue, label: c.label, open: c.open, mine: c.mine, unassigned: c.unassigned }));
        if (options.json) return void process.stdout.write(`${JSON.stringify({ queues: rows }, null, 2)}\n`);
        process.stdout.write(`${'queue'.padEnd(14)} ${'open'.padStart(7)} ${'mine'.padStart(7)} ${'unassigned'.padStart(10)}  label\n`);
        for (const r of rows) process.stdout.write(`${r.queue.padEnd(14)} ${String(r.open).padStart(7)} ${String(r.mine).padStart(7)} ${String(r.unassigned).padStart(10)}  ${r.label}\n`);
      }));

  queues.command('bulk')
    .description('apply a bulk action to items of a queue as an officer; prints what was done and what was refused')
    .argument('<queue>', `one of ${QUEUES.join(', ')}`, oneOf('<queue>', QUEUES))
    .requiredOption('--as <username>', 'the officer acting (their permissions and delegated limit apply)')
    .requiredOption('--action <action>', BULK_ACTIONS.join(', '), oneOf('--action', BULK_ACTIONS))
    .requiredOption('--ids <ids>', 'item ids, separated by commas', idList)
    .option('--to <username>', 'for --action assign: the officer to assign them to')
    .option('--json', 'print JSON')
    .action((queue: (typeof QUEUES)[number], options: { as: string; action: string; ids: number[]; to?: string; json?: boolean }) =>
      withRuntime(async (runtime) => {
        const actor = await actorFor(runtime, options.as);
        const assigneeId = options.to ? (await actorFor(runtime, options.to)).userId ?? undefined : undefined;
        const result = await runtime.services.workQueues.bulk(actor, queue, { action: options.action, ids: options.ids, assigneeId });
        process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${describeResult(queue, result)}\n`);
      }));
}
