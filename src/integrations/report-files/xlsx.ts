// Report tables as an Excel workbook (exceljs): an "About" sheet saying what the report is, its
// filters and notes, then one sheet per table. Money cells are numbers in pounds formatted £#,##0.00,
// percentages numbers with two decimals, counts whole numbers, dates real date cells.
import ExcelJS from 'exceljs';
import { columnHeading, type SheetTable } from './csv.ts';

export interface WorkbookInput {
  title: string;
  description: string;
  about: [string, string][];
  notes: string[];
  tables: SheetTable[];
  created: Date;
}

const FORMATS = { pence: '£#,##0.00;-£#,##0.00', percent: '0.00', points: '+0.00;-0.00;0.00', count: '#,##0', date: 'yyyy-mm-dd', year: '0', text: '@' } as const;

/** Excel sheet names: at most 31 characters, none of : \ / ? * [ ], unique in the workbook. */
function sheetName(title: string, taken: Set<string>): string {
  const clean = title.replace(/\//g, '-').replace(/[:\\?*[\]]/g, ' ').replace(/\s+/g, ' ').trim();
  // Cut at a word boundary so the name reads as words ("Arrears at each recovery", not "… recovery sta").
  const cut = (clean.length <= 31 ? clean : clean.slice(0, 32).replace(/\s+\S*$/, '')).replace(/[\s,;.-]+$/, '');
  const base = cut || 'Sheet';
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 28)} ${i}`;
  taken.add(name.toLowerCase());
  return name;
}

function cellValue(value: string | number | null | undefined, type: keyof typeof FORMATS): ExcelJS.CellValue {
  if (value === null || value === undefined || value === '') return null;
  if (type === 'pence' && typeof value === 'number') return value / 100;
  if (type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(`${value}T00:00:00Z`);
  return value;
}

export async function tablesToXlsx(input: WorkbookInput): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Levy';
  workbook.created = input.created;
  workbook.modified = input.created;
  workbook.title = input.title;
  const taken = new Set<string>();

  const about = workbook.addWorksheet(sheetName('About', taken));
  about.columns = [{ width: 34 }, { width: 90 }];
  about.addRow([input.title]).font = { bold: true, size: 14 };
  about.addRow([input.description]);
  about.addRow([]);
  for (const [label, value] of input.about) about.addRow([label, value]).getCell(1).font = { bold: true };
  if (input.notes.length) {
    about.addRow([]);
    about.addRow(['Notes']).font = { bold: true };
    for (const note of input.notes) about.addRow(['', note]).getCell(2).alignment = { wrapText: true };
  }
  about.addRow([]);
  about.addRow(['Sheets']).font = { bold: true };
  const names = input.tables.map((t) => sheetName(t.title, taken));
  input.tables.forEach((t, i) => about.addRow([names[i], t.title]));

  input.tables.forEach((table, i) => {
    const sheet = workbook.addWorksheet(names[i], { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.columns.map((c) => ({
      header: columnHeading(c),
      key: c.key,
      width: Math.min(Math.max(columnHeading(c).length + 2, c.type === 'text' ? 18 : 12), 48),
      style: { numFmt: FORMATS[c.type] },
    }));
    sheet.getRow(1).font = { bold: true };
    for (const row of table.rows) sheet.addRow(table.columns.map((c) => cellValue(row[c.key], c.type)));
    if (table.totals) sheet.addRow(table.columns.map((c) => cellValue(table.totals![c.key], c.type))).font = { bold: true };
  });

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
