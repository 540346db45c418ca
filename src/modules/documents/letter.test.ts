import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleDemandNotices } from '../../../test/support/demand-notices.ts';
import { renderLetterPdf, renderPrintFile, type LetterContent } from './letter.ts';

const creationDate = new Date('2026-03-08T09:00:00Z');

/** Equal bytes, or a short message naming the first difference (not two whole PDFs). */
function assertSameBytes(actual: Buffer, expected: Buffer, label: string) {
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < Math.min(actual.length, expected.length) && actual[at] === expected[at]) at++;
  assert.fail(`${label}: ${actual.length} bytes against ${expected.length}, first difference at byte ${at}`);
}

test('shared font metrics write the same bytes as pdfkit building its own fonts per document', async () => {
  const letters = sampleDemandNotices(12);
  // Characters outside ASCII go through the WinAnsi encoding and kerning too.
  letters.push({
    ...letters[0],
    title: 'Café “notice” — £1,234.56 ½',
    blocks: [{ type: 'paragraph', text: 'Naïve façade: AVAWAY To Ty Yo — “quoted” ‘single’ £5 €6 ®' }, ...letters[0].blocks],
  });
  for (const letter of letters) {
    // Twice with shared fonts, so the second reads the caches the first filled.
    const shared1 = await renderLetterPdf(letter, { creationDate });
    const shared2 = await renderLetterPdf(letter, { creationDate });
    const own = await renderLetterPdf(letter, { creationDate, sharedFonts: false });
    assert.ok(own.length > 3000, 'a real PDF');
    assertSameBytes(shared1, own, letter.title);
    assertSameBytes(shared2, own, letter.title);
  }
  const run = await renderPrintFile('Print file', letters, { creationDate });
  const runOwn = await renderPrintFile('Print file', letters, { creationDate, sharedFonts: false });
  assertSameBytes(run, runOwn, 'print file');
});

test('each document gets its own font objects, so a font embedded in one is still written in the next', async () => {
  const letter: LetterContent = sampleDemandNotices(1)[0];
  const first = (await renderLetterPdf(letter, { creationDate })).toString('latin1');
  const second = (await renderLetterPdf(letter, { creationDate })).toString('latin1');
  for (const pdf of [first, second]) {
    assert.match(pdf, /\/BaseFont \/Helvetica\b/);
    assert.match(pdf, /\/BaseFont \/Helvetica-Bold\b/);
  }
});
