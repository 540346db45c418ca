// The shape every report takes, whatever it is shown as: a page (charts + tables), CSV, XLSX or
// JSON. A report is tables of typed columns; charts are drawn from those same tables, so a chart
// can never show a number the table beside it does not.
import { divideRoundHalfUpBig } from '../../domain/money.ts';
import type { Permission } from '../auth/roles.ts';

export type ColumnType = 'text' | 'date' | 'pence' | 'count' | 'percent' | 'points' | 'year';
export type Cell = string | number | null;
export type Row = Record<string, Cell>;

export interface ReportColumn {
  key: string;
  label: string;
  type: ColumnType;
}

export interface ReportTable {
  key: string;
  title: string;
  columns: ReportColumn[];
  rows: Row[];
  /** A closing totals row, shown last (and written last to files). */
  totals?: Row;
  /** Said when the table has no rows. */
  empty?: string;
}

export interface ChartSeries {
  column: string;
  label: string;
}

export interface ReportChart {
  table: string;
  kind: 'line' | 'bar';
  title: string;
  /** One sentence saying what the chart shows, for its <desc> and for screen readers. */
  description: string;
  /** The column holding the x-axis labels. */
  x: string;
  series: ChartSeries[];
  /** Only the rows where these columns have these values (e.g. one chart per stream). */
  where?: Record<string, Cell>;
  stacked?: boolean;
}

export interface ReportResult {
  name: string;
  title: string;
  description: string;
  /** Today, for the figures that are "as the ledger now stands". */
  asAt: string;
  /** The filters as applied, for the page and the file headers. */
  applied: { label: string; value: string }[];
  headline: { label: string; value: string }[];
  tables: ReportTable[];
  charts: ReportChart[];
  notes: string[];
}

export type FilterName = 'authority' | 'stream' | 'year' | 'from' | 'to' | 'meetingDate';

export interface ReportInfo {
  name: string;
  title: string;
  description: string;
  permission: Permission;
  filters: FilterName[];
  /** Streams the stream filter offers (the collection rate is council tax and business rates only). */
  streams?: 'collectable' | 'all';
}

/**
 * receipts ÷ debit as a percentage rounded half up to two decimal places (QRC4 line 5), exactly:
 * integer pence in, a number with at most two decimals out. null when there is no debit.
 */
export function percentOf(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  const basisPoints = divideRoundHalfUpBig(BigInt(part) * 10_000n, BigInt(whole));
  return Number(basisPoints) / 100;
}

/** Difference of two percentages in percentage points, to two decimals. */
export function pointsBetween(a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  return Math.round(a * 100 - b * 100) / 100 + 0; // + 0: never -0
}

export function formatPercent(value: number | null): string {
  return value === null ? '' : `${value.toFixed(2)}%`;
}

/** A difference in percentage points, signed: "+1.07", "−13.94". */
export function formatPoints(value: number | null): string {
  if (value === null) return '';
  return value > 0 ? `+${value.toFixed(2)}` : value < 0 ? `−${Math.abs(value).toFixed(2)}` : '0.00';
}

export function formatCount(value: number | null): string {
  return value === null ? '' : value.toLocaleString('en-GB');
}
