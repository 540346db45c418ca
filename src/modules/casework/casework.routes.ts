import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ValidationError } from '../../errors.ts';
import { CHANNEL_LABELS, CONTACT_CHANNELS, CONTACT_OUTCOMES, OUTCOME_LABELS, contactSchema, noteSchema, type Target } from './casework.service.ts';

// Notes and contacts hang off an account or off the customer as a whole: same forms, same service.
const SUBJECTS = [
  { path: 'accounts', param: 'accountId', target: (id: number): Target => ({ accountId: id }) },
  { path: 'customers', param: 'customerId', target: (id: number): Target => ({ customerId: id }) },
] as const;

const FORMS = {
  notes: { template: 'casework/views/note-form.njk', title: 'Add a note', added: 'note' },
  contacts: { template: 'casework/views/contact-form.njk', title: 'Log a contact', added: 'contact' },
} as const;

const createdSchema = z.object({ eventId: z.number() });

export function registerCaseworkRoutes({ app, services, api }: RouteContext) {
  const choices = {
    channels: CONTACT_CHANNELS.map((value) => ({ value, text: CHANNEL_LABELS[value] })),
    outcomes: CONTACT_OUTCOMES.map((value) => ({ value, text: OUTCOME_LABELS[value] })),
  };

  for (const subject of SUBJECTS) {
    const back = (id: number) => `/${subject.path}/${id}`;
    // Resolving the subject first means a form for a record outside the officer's authority is a 404.
    const describe = async (request: FastifyRequest, id: number) => {
      const actor = actorOf(request);
      if (subject.path === 'accounts') {
        const account = await services.accounts.requireAccount(actor, id);
        return { heading: `${account.customer_name}, account ${account.reference}`, warnings: account.warnings };
      }
      const view = await services.customers.getCustomerView(actor, id);
      return { heading: view.customer.display_name, warnings: view.customer.warning ? [view.customer.warning] : [] };
    };

    for (const [kind, form] of Object.entries(FORMS) as [keyof typeof FORMS, (typeof FORMS)[keyof typeof FORMS]][]) {
      const url = `/${subject.path}/:${subject.param}/${kind}/new`;
      const render = async (request: FastifyRequest, reply: FastifyReply, id: number, extra: Record<string, unknown> = {}, status = 200) =>
        reply.page(form.template, { title: form.title, backHref: back(id), action: `/${subject.path}/${id}/${kind}/new`, subject: await describe(request, id), ...choices, ...extra }, status);

      app.get(url, { config: { access: 'cases.note' } }, async (request, reply) => {
        const id = idParam(subject.param).parse(request.params)[subject.param];
        return render(request, reply, id);
      });

      app.post(url, { config: { access: 'cases.note' } }, async (request, reply) => {
        const id = idParam(subject.param).parse(request.params)[subject.param];
        const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
        void _csrf;
        try {
          if (kind === 'notes') await services.casework.addNote(actorOf(request), subject.target(id), input);
          else await services.casework.logContact(actorOf(request), subject.target(id), input);
          return reply.redirect(`${back(id)}?added=${form.added}`, 303);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return render(request, reply, id, { errors: error.fields, values: input }, 400);
        }
      });
    }

    const label = subject.path === 'accounts' ? 'an account' : 'a customer (not tied to one account)';
    api.add(app, {
      method: 'POST',
      url: `/api/v1/${subject.path}/:${subject.param}/notes`,
      summary: `Add a note to ${label}`,
      tag: 'Casework',
      access: 'cases.note',
      params: idParam(subject.param),
      body: noteSchema,
      response: createdSchema,
      successStatus: 201,
      handler: async ({ params, body, request }) => ({
        eventId: await services.casework.addNote(actorOf(request), subject.target(params[subject.param] as number), body),
      }),
    });
    api.add(app, {
      method: 'POST',
      url: `/api/v1/${subject.path}/:${subject.param}/contacts`,
      summary: `Log a contact (call, email, letter, visit) with its outcome on ${label}`,
      tag: 'Casework',
      access: 'cases.note',
      params: idParam(subject.param),
      body: contactSchema,
      response: createdSchema,
      successStatus: 201,
      handler: async ({ params, body, request }) => ({
        eventId: await services.casework.logContact(actorOf(request), subject.target(params[subject.param] as number), body),
      }),
    });
  }
}
