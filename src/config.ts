// All configuration in one typed place. Safe local defaults; production refuses to start without secrets.
import path from 'node:path';
import { z } from 'zod';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  // Empty counts as unset (DATABASE_URL= in a shell or .env): use the embedded database.
  DATABASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  LEVY_DATA_DIR: z.string().default('.levy-data'),
  // PostgreSQL's page cache inside the embedded database, e.g. 512MB; PGlite's own default when unset.
  LEVY_PGLITE_SHARED_BUFFERS: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^\d+(kB|MB|GB)$/, 'a size such as 512MB').optional()),
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Pin "today" for demos and tests (ISO date). Unset in production: the system clock is used.
  LEVY_TODAY: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  LEVY_DEMO_DWELLINGS: z.coerce.number().int().min(0).default(20000),
  LEVY_DEMO_BUSINESSES: z.coerce.number().int().min(0).default(1500),
  LEVY_DEMO_AUTHORITY: z.string().default('E08000010'),
  // GOV.UK Notify: one generic template per channel with ((subject)) and ((body)). Unset: messages are held locally.
  NOTIFY_API_KEY: z.string().optional(),
  NOTIFY_EMAIL_TEMPLATE_ID: z.string().optional(),
  NOTIFY_SMS_TEMPLATE_ID: z.string().optional(),
});

export type Config = z.infer<typeof schema> & { dataDir: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const config = parsed.data;
  // Sessions need no signing secret (they are random ids stored hashed); what production must be
  // given is its database credential: a live council does not run on the embedded database.
  if (config.NODE_ENV === 'production' && !config.DATABASE_URL) {
    throw new Error('Invalid configuration: DATABASE_URL must be set in production');
  }
  return { ...config, dataDir: path.resolve(config.LEVY_DATA_DIR) };
}
