// Collects a parser's stream into lists: for tests, previews and small files. Imports stream instead.
import type { ParseItem, ParsedRecord } from './payment-file.ts';

export interface CollectedParse {
  records: ParsedRecord[];
  good: Extract<ParsedRecord, { ok: true }>[];
  bad: Extract<ParsedRecord, { ok: false }>[];
  problems: string[];
  warnings: string[];
  declared: { lines?: number; amountPence?: number }[];
}

export async function collectParse(items: AsyncIterable<ParseItem>): Promise<CollectedParse> {
  const out: CollectedParse = { records: [], good: [], bad: [], problems: [], warnings: [], declared: [] };
  for await (const item of items) {
    if (item.kind === 'record') {
      out.records.push(item);
      if (item.ok) out.good.push(item);
      else out.bad.push(item);
    } else if (item.kind === 'file-problem') out.problems.push(item.message);
    else if (item.kind === 'warning') out.warnings.push(item.message);
    else out.declared.push({ lines: item.lines, amountPence: item.amountPence });
  }
  return out;
}
