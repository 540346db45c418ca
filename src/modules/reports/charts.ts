// Server-rendered SVG charts (no JavaScript, no inline styles: the CSP allows neither). Each chart
// is an image with an accessible name (role="img", <title>, <desc>); its numbers are in the table
// beside it, which is what a screen reader user reads. Series differ by colour and by line dash or
// marker shape, so they can be told apart without colour.
import type { ColumnType, ReportChart, ReportTable } from './report-model.ts';

const WIDTH = 720;
const HEIGHT = 340;
const COLOURS = ['#1d70b8', '#f47738', '#00703c', '#4c2c92', '#d4351c', '#28a197', '#d53880', '#505a5f'];
const DASHES = ['', '8 4', '2 3', '12 3 2 3', '4 4', '1 2'];
const TEXT = '#0b0c0c';
const GRID = '#b1b4b6';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** 1, 2, 2.5 or 5 × a power of ten, at least value. */
export function niceStep(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= value) return m * power;
  return 10 * power;
}

export function axisLabel(value: number, type: ColumnType): string {
  if (type === 'percent') return `${Number(value.toFixed(2))}%`;
  if (type === 'pence') {
    const pounds = value / 100;
    const abs = Math.abs(pounds);
    const sign = pounds < 0 ? '-' : '';
    if (abs >= 1_000_000) return `${sign}£${Number((abs / 1_000_000).toFixed(2))}m`;
    if (abs >= 10_000) return `${sign}£${Number((abs / 1_000).toFixed(1))}k`;
    return `${sign}£${Number(abs.toFixed(2)).toLocaleString('en-GB')}`;
  }
  return Number(value.toFixed(2)).toLocaleString('en-GB');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface Prepared {
  labels: string[];
  series: { label: string; values: (number | null)[] }[];
  type: ColumnType;
}

function prepare(chart: ReportChart, table: ReportTable): Prepared {
  const rows = table.rows.filter((r) => Object.entries(chart.where ?? {}).every(([k, v]) => r[k] === v));
  const type = table.columns.find((c) => c.key === chart.series[0]?.column)?.type ?? 'count';
  return {
    labels: rows.map((r) => String(r[chart.x] ?? '')),
    series: chart.series.map((s) => ({
      label: s.label,
      values: rows.map((r) => (typeof r[s.column] === 'number' ? (r[s.column] as number) : null)),
    })),
    type,
  };
}

/** The chart as an SVG string; `id` must be unique on the page. */
export function renderChart(chart: ReportChart, table: ReportTable, id: string): string {
  const data = prepare(chart, table);
  const n = data.labels.length;
  const longest = Math.min(Math.max(0, ...data.labels.map((l) => l.length)), 26);
  const rotate = n > 8 || longest * 6.5 > (WIDTH - 90) / Math.max(n, 1);
  const bottom = rotate ? 24 + longest * 5 : 36;
  const legendRows = Math.ceil(data.series.length / 3);
  const top = 14 + legendRows * 20;
  const left = 78;
  const right = 16;
  const height = HEIGHT + (rotate ? longest * 5 : 0);
  const plotW = WIDTH - left - right;
  const plotH = height - top - bottom;

  // The value range: stacked bars add up; lines and grouped bars take the extremes; 0 is always in.
  const values: number[] = [];
  if (chart.kind === 'bar' && chart.stacked) {
    for (let i = 0; i < n; i++) {
      let pos = 0;
      let neg = 0;
      for (const s of data.series) {
        const v = s.values[i] ?? 0;
        if (v >= 0) pos += v;
        else neg += v;
      }
      values.push(pos, neg);
    }
  } else {
    for (const s of data.series) for (const v of s.values) if (v !== null) values.push(v);
  }
  let max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  if (data.type === 'percent' && chart.kind === 'line' && max <= 100 && min >= 0) max = 100;
  // Counts step in whole numbers (no "0.5 cases").
  const step = data.type === 'count' ? Math.max(1, niceStep((max - min) / 5 || 1)) : niceStep((max - min) / 5 || 1);
  const yMin = Math.floor(min / step) * step;
  const yMax = Math.max(Math.ceil(max / step) * step, yMin + step);
  const y = (v: number) => top + plotH - ((v - yMin) / (yMax - yMin)) * plotH;
  const band = plotW / Math.max(n, 1);
  const xCentre = (i: number) => left + band * i + band / 2;

  const parts: string[] = [];
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="levy-chart" id="${escapeXml(id)}" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${WIDTH} ${height}" width="100%" font-family="arial, sans-serif" font-size="12" fill="${TEXT}">`);
  parts.push(`<title id="${titleId}">${escapeXml(chart.title)}</title>`);
  parts.push(`<desc id="${descId}">${escapeXml(chart.description)} The figures are in the table “${escapeXml(table.title)}”.</desc>`);

  // Grid and y axis.
  for (let v = yMin; v <= yMax + step / 1000; v += step) {
    const yy = y(v).toFixed(1);
    parts.push(`<line x1="${left}" x2="${WIDTH - right}" y1="${yy}" y2="${yy}" stroke="${v === 0 ? TEXT : GRID}" stroke-width="1"/>`);
    parts.push(`<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${escapeXml(axisLabel(v, data.type))}</text>`);
  }

  // x labels (every k-th when crowded).
  const every = Math.ceil(n / 24);
  data.labels.forEach((label, i) => {
    if (i % every !== 0) return;
    const x = xCentre(i).toFixed(1);
    const yy = top + plotH + 14;
    const text = escapeXml(truncate(label, 26));
    parts.push(rotate
      ? `<text x="${x}" y="${yy}" text-anchor="end" transform="rotate(-40 ${x} ${yy})">${text}</text>`
      : `<text x="${x}" y="${yy}" text-anchor="middle">${text}</text>`);
  });

  if (chart.kind === 'bar') {
    const groups = chart.stacked ? 1 : data.series.length;
    const barW = Math.max(2, Math.min(48, (band * 0.8) / groups));
    for (let i = 0; i < n; i++) {
      let pos = 0;
      let neg = 0;
      data.series.forEach((s, k) => {
        const v = s.values[i];
        if (v === null || v === 0) return;
        let from: number;
        let to: number;
        let x: number;
        if (chart.stacked) {
          from = v >= 0 ? pos : neg;
          to = from + v;
          if (v >= 0) pos = to;
          else neg = to;
          x = xCentre(i) - barW / 2;
        } else {
          from = 0;
          to = v;
          x = xCentre(i) - (barW * groups) / 2 + k * barW;
        }
        const y1 = Math.min(y(from), y(to));
        const h = Math.max(Math.abs(y(to) - y(from)), 0.5);
        parts.push(`<rect x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOURS[k % COLOURS.length]}" stroke="#ffffff" stroke-width="0.5"/>`);
      });
    }
  } else {
    data.series.forEach((s, k) => {
      const colour = COLOURS[k % COLOURS.length];
      const dash = DASHES[k % DASHES.length];
      // A line breaks where a value is missing (months not reached yet, no target set).
      let path = '';
      let pen = false;
      s.values.forEach((v, i) => {
        if (v === null) {
          pen = false;
          return;
        }
        path += `${pen ? 'L' : 'M'}${xCentre(i).toFixed(1)} ${y(v).toFixed(1)} `;
        pen = true;
      });
      if (path) parts.push(`<path d="${path.trim()}" fill="none" stroke="${colour}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
      s.values.forEach((v, i) => {
        if (v !== null) parts.push(marker(k, xCentre(i), y(v), colour));
      });
    });
  }

  // Legend across the top.
  data.series.forEach((s, k) => {
    const col = k % 3;
    const row = Math.floor(k / 3);
    const lx = left + col * 210;
    const ly = 12 + row * 20;
    const colour = COLOURS[k % COLOURS.length];
    if (chart.kind === 'bar') parts.push(`<rect x="${lx}" y="${ly - 5}" width="14" height="10" fill="${colour}"/>`);
    else {
      const dash = DASHES[k % DASHES.length];
      parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
      parts.push(marker(k, lx + 12, ly, colour));
    }
    parts.push(`<text x="${lx + (chart.kind === 'bar' ? 20 : 30)}" y="${ly}" dominant-baseline="middle">${escapeXml(truncate(s.label, 28))}</text>`);
  });
  if (n === 0) parts.push(`<text x="${left + plotW / 2}" y="${top + plotH / 2}" text-anchor="middle">No figures to show</text>`);
  parts.push('</svg>');
  return parts.join('');
}

function marker(k: number, x: number, y: number, colour: string): string {
  const cx = x.toFixed(1);
  const cy = y.toFixed(1);
  switch (k % 3) {
    case 0:
      return `<circle cx="${cx}" cy="${cy}" r="3.5" fill="${colour}"/>`;
    case 1:
      return `<rect x="${(x - 3.5).toFixed(1)}" y="${(y - 3.5).toFixed(1)}" width="7" height="7" fill="${colour}"/>`;
    default:
      return `<path d="M${cx} ${(y - 4.5).toFixed(1)} L${(x + 4.5).toFixed(1)} ${(y + 3.5).toFixed(1)} L${(x - 4.5).toFixed(1)} ${(y + 3.5).toFixed(1)} Z" fill="${colour}"/>`;
  }
}
