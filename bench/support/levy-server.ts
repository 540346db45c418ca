// Running Levy for a benchmark the way a council does: `levy serve` as its own process on PGlite,
// building the demo council of the given size on first start (kept in dataDir for later runs).
import { spawn } from 'node:child_process';

export interface BenchServer {
  url: string;
  /** Stops the server and waits for it to exit (it checkpoints the database as it goes). */
  stop: () => Promise<void>;
  setupSeconds: number;
}

export async function startLevyServer(options: { dataDir: string; dwellings: number; today: string }): Promise<BenchServer> {
  const started = Date.now();
  const port = 3900 + Math.floor(Math.random() * 90);
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), 'bin/levy.js', 'serve'], {
    env: {
      ...process.env, DATABASE_URL: '', LEVY_DATA_DIR: options.dataDir, PORT: String(port), LEVY_TODAY: options.today,
      LEVY_DEMO_DWELLINGS: String(options.dwellings), LEVY_DEMO_BUSINESSES: String(Math.round(options.dwellings / 20)), LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      process.stdout.write(`  [server] ${text.split('\n')[0]}\n`);
      if (text.includes('Levy is running')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    setupSeconds: (Date.now() - started) / 1000,
  };
}

/** Signs in through the form as a browser does; returns the session cookie. */
export async function signIn(url: string, username: string, password: string): Promise<string> {
  const form = await fetch(`${url}/sign-in`);
  const pre = /levy_signin=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')![1];
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const res = await fetch(`${url}/sign-in`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `levy_signin=${pre}` },
    body: new URLSearchParams({ _csrf: token, username, password, returnTo: '/' }),
  });
  const session = /levy_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '');
  if (!session) throw new Error(`sign-in failed: ${res.status}`);
  return `levy_session=${session[1]}`;
}

/** The p-th percentile of an ascending list. */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
