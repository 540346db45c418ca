// Notes and contacts: "update the case management system as cases progress and note actions taken".
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { AccountsRepository } from '../accounts/accounts.repository.ts';
import type { CustomersRepository } from '../customers/customers.repository.ts';
import type { EventsRepository } from './events.repository.ts';

export const CONTACT_CHANNELS = ['phone', 'email', 'letter', 'visit', 'sms', 'in_person'] as const;
export const CONTACT_DIRECTIONS = ['inbound', 'outbound'] as const;
export const CONTACT_OUTCOMES = [
  'spoke_to_customer',
  'promise_to_pay',
  'arrangement_agreed',
  'dispute_raised',
  'vulnerability_disclosed',
  'left_message',
  'no_answer',
  'wrong_number',
  'information_given',
  'letter_sent',
  'visit_no_reply',
] as const;

export const CHANNEL_LABELS: Record<(typeof CONTACT_CHANNELS)[number], string> = {
  phone: 'Phone call',
  email: 'Email',
  letter: 'Letter',
  visit: 'Visit',
  sms: 'Text message',
  in_person: 'In person at an office',
};

export const OUTCOME_LABELS: Record<(typeof CONTACT_OUTCOMES)[number], string> = {
  spoke_to_customer: 'Spoke to the customer',
  promise_to_pay: 'Promise to pay',
  arrangement_agreed: 'Arrangement agreed',
  dispute_raised: 'Dispute raised',
  vulnerability_disclosed: 'Vulnerability disclosed',
  left_message: 'Left a message',
  no_answer: 'No answer',
  wrong_number: 'Wrong number or address',
  information_given: 'Information given',
  letter_sent: 'Letter sent',
  visit_no_reply: 'Visited, no reply',
};

export const noteSchema = z.object({
  text: z.string().trim().min(1, 'Enter the note').max(4000, 'Note must be 4,000 characters or fewer'),
});

export const contactSchema = z.object({
  direction: z.enum(CONTACT_DIRECTIONS, { message: 'Choose whether the contact was inbound or outbound' }),
  channel: z.enum(CONTACT_CHANNELS, { message: 'Choose how the contact was made' }),
  outcome: z.enum(CONTACT_OUTCOMES, { message: 'Choose the outcome' }),
  notes: z.string().trim().max(4000, 'Notes must be 4,000 characters or fewer').default(''),
});

export type Target = { accountId: number } | { customerId: number };

function parse<T>(schema: z.ZodType<T>, input: unknown, message: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(message, fieldProblemsFromZod(parsed.error.issues));
  return parsed.data;
}

export function createCaseworkService(deps: {
  db: Db;
  clock: Clock;
  accounts: AccountsRepository;
  customers: CustomersRepository;
  events: EventsRepository;
  audit: AuditRepository;
}) {
  const { db, clock, accounts, customers, events, audit } = deps;

  /** Resolves what a note is about, within the officer's authorities. */
  async function resolveTarget(actor: Actor, target: Target) {
    if ('accountId' in target) {
      const account = await accounts.findAccount(actor.authorityIds, target.accountId);
      if (!account) throw new NotFoundError(`Account ${target.accountId} was not found`);
      return { authorityId: account.authority_id, customerId: account.customer_id, accountId: account.id };
    }
    const customer = await customers.findCustomer(actor.authorityIds, target.customerId);
    if (!customer) throw new NotFoundError(`Customer ${target.customerId} was not found`);
    return { authorityId: customer.authority_id, customerId: customer.id, accountId: null };
  }

  async function record(actor: Actor, target: Target, event: { type: string; summary: string; detail: Record<string, unknown> }) {
    const where = await resolveTarget(actor, target);
    return db.transaction(async (tx) => {
      const id = await events.insert({ ...where, ...event, byUserId: actor.userId, at: clock.now() }, tx);
      await audit.record(actor, { action: `create.${event.type}`, entityType: 'event', entityId: id, authorityId: where.authorityId }, tx);
      return id;
    });
  }

  return {
    async addNote(actor: Actor, target: Target, input: unknown) {
      requirePermission(actor, 'cases.note');
      const note = parse(noteSchema, input, 'Check the note');
      return record(actor, target, { type: 'note', summary: note.text, detail: {} });
    },

    async logContact(actor: Actor, target: Target, input: unknown) {
      requirePermission(actor, 'cases.note');
      const contact = parse(contactSchema, input, 'Check the contact details');
      const summary = `${contact.direction === 'inbound' ? 'Inbound' : 'Outbound'} ${CHANNEL_LABELS[contact.channel].toLowerCase()}: ${OUTCOME_LABELS[contact.outcome].toLowerCase()}`;
      return record(actor, target, { type: 'contact', summary, detail: contact });
    },
  };
}
export type CaseworkService = ReturnType<typeof createCaseworkService>;
