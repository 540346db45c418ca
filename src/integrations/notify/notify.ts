// GOV.UK Notify for email and text messages. Councils set up one generic template per channel with
// ((subject)) and ((body)) placeholders; Levy fills them. With no API key the Notifier says so and the
// outbox keeps the message for officers to read ("held locally"), so demos and tests run offline.
import { NotifyClient } from 'notifications-node-client';

export interface OutgoingMessage {
  channel: 'email' | 'sms';
  recipient: string;
  subject: string | null;
  body: string;
  reference: string; // our outbox id, echoed back by Notify
}

export type SendResult = { status: 'sent'; providerId: string } | { status: 'held_locally' } | { status: 'failed'; error: string };

export interface Notifier {
  readonly live: boolean;
  send(message: OutgoingMessage): Promise<SendResult>;
}

export const offlineNotifier: Notifier = {
  live: false,
  send: async () => ({ status: 'held_locally' }),
};

export function createNotifier(config: { apiKey?: string; emailTemplateId?: string; smsTemplateId?: string }): Notifier {
  if (!config.apiKey) return offlineNotifier;
  const client = new NotifyClient(config.apiKey);
  return {
    live: true,
    async send(message) {
      const templateId = message.channel === 'email' ? config.emailTemplateId : config.smsTemplateId;
      if (!templateId) return { status: 'failed', error: `No GOV.UK Notify template configured for ${message.channel}` };
      const options = { personalisation: { subject: message.subject ?? '', body: message.body }, reference: message.reference };
      try {
        const response = message.channel === 'email'
          ? await client.sendEmail(templateId, message.recipient, options)
          : await client.sendSms(templateId, message.recipient, options);
        return { status: 'sent', providerId: String((response as { data?: { id?: string } }).data?.id ?? '') };
      } catch (error) {
        const detail = (error as { response?: { data?: { errors?: { message: string }[] } } }).response?.data?.errors?.map((e) => e.message).join('; ');
        return { status: 'failed', error: detail || (error as Error).message };
      }
    },
  };
}
