// Standard-font metrics shared by every PDF the process renders.
//
// Why: pdfkit builds a fresh metrics object (AFMFont: a glyph-width table and ~2,700 kerning pairs
// keyed by strings) for every font of every document, and then measures each word glyph by glyph
// through those string-keyed tables. For a two-page demand notice that was about a third of the CPU
// (profiled: AFMFont construction 11%, kerning and width look-ups 23%). Letters use two fonts and
// repeat most of their words, so here each font is built once per process and its two hot
// operations — the width of a string and its encoding — are memoised by the string.
//
// The output is byte-for-byte what pdfkit writes without this (a test compares the two). This leans
// on three pdfkit internals (the `_font`, `_fontFamilies` and `_fontCount` fields of a document),
// pinned by that same test: if an upgrade changes them, the test fails rather than the letters.
import PDFDocument from 'pdfkit';

export const LETTER_FONTS = ['Helvetica', 'Helvetica-Bold'] as const;

/** The parts of pdfkit's StandardFont this file touches. */
interface StandardFont {
  id: string;
  document: unknown;
  dictionary?: unknown;
  embedded?: boolean;
  widthOfString(text: string, size: number): number;
  encode(text: string, features?: unknown): [string[], object[]];
}

interface DocumentFontState {
  _font: StandardFont | null;
  _fontFamilies: Record<string, StandardFont>;
  _fontCount: number;
}

/** Bounded so a long-running server cannot grow the caches without limit. */
const MAX_CACHED_STRINGS = 50_000;

let shared: Map<string, StandardFont> | undefined;

function memoise<V>(compute: (text: string) => V): (text: string) => V {
  const cache = new Map<string, V>();
  return (text) => {
    let value = cache.get(text);
    if (value === undefined) {
      value = compute(text);
      if (cache.size >= MAX_CACHED_STRINGS) cache.clear();
      cache.set(text, value);
    }
    return value;
  };
}

/** pdfkit's own StandardFont for each letter font, made once from a throwaway document. */
function sharedFonts(): Map<string, StandardFont> {
  if (shared) return shared;
  const fonts = new Map<string, StandardFont>();
  for (const name of LETTER_FONTS) {
    const scratch = new PDFDocument({ font: name, autoFirstPage: false }) as unknown as DocumentFontState;
    const font = scratch._font!;
    const width = font.widthOfString.bind(font);
    const encode = font.encode.bind(font);
    // Width at size 1000 is the width in font units; scaled exactly as pdfkit scales it.
    const units = memoise((text) => width(text, 1000));
    font.widthOfString = (text, size) => units(String(text)) * (size / 1000);
    // pdfkit only reads the arrays encode returns (justified text copies them), so one result
    // can serve every document.
    const encoded = memoise((text) => encode(text));
    font.encode = (text) => encoded(String(text));
    fonts.set(name, font);
  }
  shared = fonts;
  return fonts;
}

/**
 * A new A4 document whose letter fonts share the process-wide metrics. Takes pdfkit's options;
 * the default font is Helvetica, as pdfkit's is.
 */
export function newPdfDocument(options: PDFKit.PDFDocumentOptions): PDFKit.PDFDocument {
  const autoFirstPage = options.autoFirstPage !== false;
  // No default font (so pdfkit builds none) and no page yet: fonts first, in pdfkit's order.
  const doc = new PDFDocument({ ...options, font: null as unknown as string, autoFirstPage: false });
  const state = doc as unknown as DocumentFontState;
  for (const [name, template] of sharedFonts()) {
    // Per-document identity (id, owning document, its PDF object) over the shared metrics.
    const font = Object.create(template) as StandardFont;
    font.id = `F${++state._fontCount}`;
    font.document = doc;
    font.dictionary = undefined;
    font.embedded = false;
    state._fontFamilies[name] = font;
  }
  doc.font(LETTER_FONTS[0]);
  if (autoFirstPage) doc.addPage();
  return doc;
}
