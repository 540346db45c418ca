// What a report is built from: the repository, the filters as resolved for this actor, and today.
import { STREAM_LABELS, type Stream } from '../../domain/account-reference.ts';
import { formatFinancialYear } from '../../domain/calendar.ts';
import type { Actor } from '../auth/context.ts';
import type { ReportsRepository } from './reports.repository.ts';
import type { ReportResult } from './report-model.ts';

export interface ResolvedFilters {
  authorities: { id: number; ons_code: string; name: string }[];
  authorityIds: number[];
  /** One stream, or null for all the report covers. */
  stream: Stream | null;
  /** Start year of the financial year (2026 = 2026/27). */
  year: number;
  /** Date range (inclusive) for the reports that count things happening in a period. */
  from: string;
  to: string;
  meetingDate: string;
  today: string;
}

export interface ReportContext {
  repo: ReportsRepository;
  actor: Actor;
  filters: ResolvedFilters;
}

export type ReportBuilder = (ctx: ReportContext) => Promise<Omit<ReportResult, 'name' | 'title' | 'description' | 'asAt' | 'applied'>>;

export const fy = (startYear: number) => formatFinancialYear({ startYear });
export const streamLabel = (stream: string) => STREAM_LABELS[stream as Stream] ?? stream;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "2026-11-22" → "22 November 2026". */
export function longDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}
/** "2026-11" or "2026-11-22" → "November 2026". */
export function monthLabel(iso: string): string {
  const [y, m] = iso.split('-').map(Number);
  return `${MONTHS[m - 1]} ${y}`;
}
/** "2026-11" → "Nov 2026" (chart axes). */
export function shortMonth(iso: string): string {
  const [y, m] = iso.split('-').map(Number);
  return `${MONTHS[m - 1].slice(0, 3)} ${y}`;
}
