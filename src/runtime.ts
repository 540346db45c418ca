// Starting Levy: configuration → database → migrations → services. Shared by `levy serve`, every
// other CLI command and the tests, so they all run the same code.
import { systemClock, fixedClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { openDatabase, type Db } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { createRepositories, createServices, type Services } from './services.ts';
import { createNotifier } from './integrations/notify/notify.ts';

export interface Runtime {
  db: Db;
  clock: Clock;
  services: Services;
  close(): Promise<void>;
}

export function clockFor(config: Pick<Config, 'LEVY_TODAY'>): Clock {
  return config.LEVY_TODAY ? fixedClock(config.LEVY_TODAY) : systemClock;
}

export async function startRuntime(config: Config, clock: Clock = clockFor(config)): Promise<Runtime> {
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir, pgliteSharedBuffers: config.LEVY_PGLITE_SHARED_BUFFERS });
  await migrate(db);
  const services = createServices(db, createRepositories(db), clock, {
    sessionIdleMinutes: config.SESSION_IDLE_MINUTES,
    notifier: createNotifier({ apiKey: config.NOTIFY_API_KEY, emailTemplateId: config.NOTIFY_EMAIL_TEMPLATE_ID, smsTemplateId: config.NOTIFY_SMS_TEMPLATE_ID }),
  });
  return { db, clock, services, close: () => db.close() };
}
