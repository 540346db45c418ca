// A letter as data, and its PDF. Modules build LetterContent (demand notices, reminders, summonses,
// refund letters…); this file lays it out the same way every time: sender block, recipient address
// in the window position, date and reference, title, then the blocks in order.
import PDFDocument from 'pdfkit';
import { newPdfDocument } from './pdf-fonts.ts';

export type LetterBlock =
  | { type: 'heading'; text: string }
  | { type: 'paragraph'; text: string }
  /** Boxed text for what the reader must not miss (amounts due, deadlines, rights). */
  | { type: 'notice'; text: string }
  | { type: 'keyValue'; rows: [string, string][] }
  | { type: 'table'; columns: string[]; rows: string[][]; numericColumns?: number[] };

export interface LetterContent {
  from: { name: string; department: string; addressLines: string[]; phone?: string | null; email?: string | null; website?: string | null };
  to: { name: string; addressLines: string[] };
  date: string; // ISO date of issue
  reference: string; // the account reference the reader quotes
  title: string;
  blocks: LetterBlock[];
}

const MARGIN = 56; // about 20 mm
const WIDTH = 595.28 - MARGIN * 2; // A4 portrait
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const longDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
};

function drawLetter(doc: PDFKit.PDFDocument, letter: LetterContent) {
  // Sender, top right.
  doc.font('Helvetica-Bold').fontSize(14).text(letter.from.name, MARGIN, MARGIN, { width: WIDTH, align: 'right' });
  doc.font('Helvetica').fontSize(10);
  const senderLines = [letter.from.department, ...letter.from.addressLines, letter.from.phone ? `Phone ${letter.from.phone}` : '', letter.from.email ?? '', letter.from.website ?? ''].filter(Boolean);
  doc.text(senderLines.join('\n'), { width: WIDTH, align: 'right' });

  // Recipient in the window-envelope position (about 50 mm down, 20 mm in).
  doc.font('Helvetica').fontSize(11).text([letter.to.name, ...letter.to.addressLines].join('\n'), MARGIN, 142, { width: 260 });

  doc.moveDown(2);
  const metaTop = Math.max(doc.y, 250);
  doc.fontSize(11).text(`Date: ${longDate(letter.date)}`, MARGIN, metaTop);
  doc.font('Helvetica-Bold').text(`Reference: ${letter.reference}`);
  doc.moveDown(1.2);
  doc.font('Helvetica-Bold').fontSize(16).text(letter.title, { width: WIDTH });
  doc.moveDown(0.6);

  for (const block of letter.blocks) {
    ensureSpace(doc, 60);
    switch (block.type) {
      case 'heading':
        doc.moveDown(0.4).font('Helvetica-Bold').fontSize(12.5).text(block.text, MARGIN, doc.y, { width: WIDTH });
        doc.moveDown(0.3);
        break;
      case 'paragraph':
        doc.font('Helvetica').fontSize(11).text(block.text, MARGIN, doc.y, { width: WIDTH, lineGap: 2 });
        doc.moveDown(0.6);
        break;
      case 'notice': {
        const top = doc.y;
        doc.font('Helvetica-Bold').fontSize(11.5);
        const height = doc.heightOfString(block.text, { width: WIDTH - 24 }) + 20;
        ensureSpace(doc, height + 10);
        const boxTop = doc.y === top ? top : doc.y;
        doc.lineWidth(2).rect(MARGIN, boxTop, WIDTH, height).stroke();
        doc.text(block.text, MARGIN + 12, boxTop + 10, { width: WIDTH - 24 });
        doc.y = boxTop + height + 10;
        break;
      }
      case 'keyValue':
        for (const [key, value] of block.rows) {
          ensureSpace(doc, 20);
          const y = doc.y;
          doc.font('Helvetica').fontSize(11).text(key, MARGIN, y, { width: WIDTH * 0.6 });
          const keyBottom = doc.y;
          doc.font('Helvetica-Bold').text(value, MARGIN + WIDTH * 0.6, y, { width: WIDTH * 0.4, align: 'right' });
          doc.y = Math.max(keyBottom, doc.y) + 3;
        }
        doc.moveDown(0.5);
        break;
      case 'table':
        drawTable(doc, block);
        break;
    }
  }
}

function drawTable(doc: PDFKit.PDFDocument, table: Extract<LetterBlock, { type: 'table' }>) {
  const columnWidth = WIDTH / table.columns.length;
  const row = (cells: string[], bold: boolean) => {
    ensureSpace(doc, 18);
    const y = doc.y;
    let bottom = y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(10.5);
    cells.forEach((cell, i) => {
      doc.text(cell, MARGIN + i * columnWidth, y, { width: columnWidth - 6, align: table.numericColumns?.includes(i) ? 'right' : 'left' });
      bottom = Math.max(bottom, doc.y);
    });
    // The rule sits in the gap below the row, and the next row starts below the rule.
    const rule = bottom + 2;
    doc.lineWidth(0.5).moveTo(MARGIN, rule).lineTo(MARGIN + WIDTH, rule).stroke();
    doc.y = rule + 4;
  };
  row(table.columns, true);
  for (const cells of table.rows) row(cells, false);
  doc.x = MARGIN;
  doc.moveDown(0.6);
}

function ensureSpace(doc: PDFKit.PDFDocument, needed: number) {
  if (doc.y + needed > doc.page.height - MARGIN) doc.addPage();
}

export interface RenderOptions {
  /** Fixed creation date (and so file ID), for byte-for-byte comparisons in tests. */
  creationDate?: Date;
  /**
   * false: let pdfkit build its own fonts per document, as it does by default. Only for the test and
   * benchmark that compare the two; letters always share the process-wide metrics (pdf-fonts.ts).
   */
  sharedFonts?: boolean;
}

function newPdf(title: string, options: RenderOptions = {}): PDFKit.PDFDocument {
  const pdfOptions: PDFKit.PDFDocumentOptions = {
    size: 'A4',
    margin: MARGIN,
    // Tagged PDF with a title and language, so screen readers announce it properly.
    pdfVersion: '1.7',
    tagged: true,
    lang: 'en-GB',
    displayTitle: true,
    info: { Title: title, Author: 'Levy', Creator: 'Levy', ...(options.creationDate ? { CreationDate: options.creationDate } : {}) },
    bufferPages: false,
  };
  return options.sharedFonts === false ? new PDFDocument(pdfOptions) : newPdfDocument(pdfOptions);
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

export function renderLetterPdf(letter: LetterContent, options: RenderOptions = {}): Promise<Buffer> {
  const doc = newPdf(letter.title, options);
  const done = collect(doc);
  drawLetter(doc, letter);
  doc.end();
  return done;
}

/** One print-ready PDF for a whole run: each letter starts on a new page. */
export function renderPrintFile(title: string, letters: Iterable<LetterContent>, options: RenderOptions = {}): Promise<Buffer> {
  const doc = newPdf(title, options);
  const done = collect(doc);
  let first = true;
  for (const letter of letters) {
    if (!first) doc.addPage();
    first = false;
    drawLetter(doc, letter);
  }
  if (first) doc.font('Helvetica').fontSize(11).text('No letters in this run.');
  doc.end();
  return done;
}

/** The letter as plain text, for email bodies and for the outbox page. */
export function letterAsText(letter: LetterContent): string {
  const lines = [letter.title, `Reference: ${letter.reference}`, `Date: ${longDate(letter.date)}`, ''];
  for (const block of letter.blocks) {
    if (block.type === 'heading') lines.push('', `# ${block.text}`);
    else if (block.type === 'paragraph' || block.type === 'notice') lines.push(block.text, '');
    else if (block.type === 'keyValue') lines.push(...block.rows.map(([k, v]) => `${k}: ${v}`), '');
    else lines.push(block.columns.join(' | '), ...block.rows.map((r) => r.join(' | ')), '');
  }
  lines.push('', letter.from.name, letter.from.department);
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
