// Server-rendered pages: Nunjucks with the GOV.UK Frontend and MOJ Frontend macros.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { STREAM_LABELS, type Stream } from '../domain/account-reference.ts';
import { formatFinancialYear } from '../domain/calendar.ts';
import { ROLE_LABELS, type Role } from '../modules/auth/roles.ts';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
export const GOVUK_DIST = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist');
export const MOJ_ROOT = path.dirname(require.resolve('@ministryofjustice/frontend/package.json'));

// Formatters are built once: building one per call (as toLocaleString and a new DateTimeFormat do)
// cost more than the rest of a page's formatting, on pages with hundreds of amounts and times.
const POUNDS = new Intl.NumberFormat('en-GB');
const LONDON_DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', hourCycle: 'h12',
});

export function formatPence(pence: number | null | undefined): string {
  if (pence === null || pence === undefined) return '';
  const sign = pence < 0 ? '-' : '';
  const abs = Math.abs(pence);
  const pounds = POUNDS.format(Math.floor(abs / 100));
  return `${sign}£${pounds}.${String(abs % 100).padStart(2, '0')}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2026-11-22" → "22 November 2026", the GOV.UK style. */
export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '';
  const iso = value instanceof Date ? value.toISOString().slice(0, 10) : value.slice(0, 10);
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const date = value instanceof Date ? value : new Date(value);
  return LONDON_DATE_TIME.format(date).replace(' at ', ', ');
}

export const financialYearLabel = (startYear: number) => formatFinancialYear({ startYear });

export function createViewEnvironment(): nunjucks.Environment {
  const env = nunjucks.configure([path.join(here, 'views'), path.join(here, '..', 'modules'), GOVUK_DIST, MOJ_ROOT], {
    autoescape: true,
    throwOnUndefined: false,
    noCache: process.env.NODE_ENV === 'development',
  });
  // Nunjucks' own trim returns a SafeString even when empty, and an object is always truthy, so
  // `{% set e = fieldError("x") | trim %}{% if e %}` showed an error on every field. Empty → ''.
  env.addFilter('trim', (value: unknown) => {
    const text = String(value ?? '').trim();
    if (!text) return '';
    return value instanceof nunjucks.runtime.SafeString ? new nunjucks.runtime.SafeString(text) : text;
  });
  // Nunjucks' selectattr knows only the one-argument form; templates use Jinja's
  // selectattr("field", "equalto", name) to find a field's error, which it silently ignored.
  env.addFilter('selectattr', (items: unknown, attribute: string, test?: string, value?: unknown) => {
    const list = Array.isArray(items) ? (items as Record<string, unknown>[]) : [];
    if (test === undefined) return list.filter((item) => item?.[attribute]);
    if (test === 'equalto' || test === '==' || test === 'eq') return list.filter((item) => item?.[attribute] === value);
    throw new Error(`selectattr test "${test}" is not supported`);
  });
  env.addFilter('money', formatPence);
  env.addFilter('date', formatDate);
  env.addFilter('datetime', formatDateTime);
  env.addFilter('fy', financialYearLabel);
  env.addFilter('stream', (s: string) => STREAM_LABELS[s as Stream] ?? s);
  env.addFilter('role', (r: string) => ROLE_LABELS[r as Role] ?? r);
  env.addFilter('humanise', (s: string) => (s ? (s.charAt(0).toUpperCase() + s.slice(1)).replace(/_/g, ' ') : ''));
  return env;
}
