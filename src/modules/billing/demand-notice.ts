// The demand notice as a letter (data): everything the regulations ask a bill to say, in plain
// English. Council Tax: SI 1992/613 reg 20 and Sch 1; the Council Tax (Demand Notices) (England)
// Regulations 2011 (SI 2011/3038): the band, how the charge is reached, each precepting authority's
// amount, discounts and reductions, the instalments and their dates, how to pay, how to appeal,
// where to get help. Business rates: SI 1989/1058 and the Non-Domestic Rating (Demand Notices)
// (England) Regulations 2003 (SI 2003/2613): the rateable value, the multiplier, reliefs.
// The layout is the documents module's; this file only decides what the letter says.
import { formatFinancialYear } from '../../domain/calendar.ts';
import { formatPence } from '../../domain/money.ts';
import type { LetterBlock, LetterContent } from '../documents/letter.ts';
import type { ChargeCalculation, ChargeLine } from './charge-calculation.ts';

export interface DemandNoticeInput {
  from: LetterContent['from'];
  to: { name: string; addressLines: string[] };
  reference: string;
  issuedOn: string;
  tax: 'council_tax' | 'business_rates';
  financialYear: number;
  kind: 'annual' | 'rebill';
  /** A bill for this year was issued before (or billed before Levy): this one replaces it. */
  amended: boolean;
  reason: string;
  propertyAddress: string;
  /** Everyone liable, jointly and severally. */
  liable: string[];
  propertyDescription?: string | null;
  calculation: ChargeCalculation;
  previousChargePence: number;
  creditsBeforePence: number;
  instalments: { dueOn: string; amountPence: number }[];
  payingByDirectDebit: boolean;
  /** Last year's Band D, for the percentage change (council tax). */
  previousBandDPence?: number | null;
  howToPay?: string | null;
  helpText?: string | null;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const longDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
};
const shortDate = (iso: string) => {
  const [, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1].slice(0, 3)}`;
};
const money = (pence: number) => formatPence(pence);
const pounds = (n: number) => `£${n.toLocaleString('en-GB')}`;

function lineWhat(tax: DemandNoticeInput['tax'], line: ChargeLine): string {
  if (tax === 'council_tax') return `Band ${line.band}: ${money(line.annualPence)} a year`;
  return `RV ${pounds(line.rateableValuePounds!)} × ${line.multiplierPence}p (${line.multiplierName} multiplier) = ${money(line.annualPence)} a year`;
}

function percentChange(now: number, before: number): string {
  const tenths = Math.round(((now - before) * 1000) / before);
  return `${tenths < 0 ? '-' : ''}${Math.floor(Math.abs(tenths) / 10)}.${Math.abs(tenths) % 10}%`;
}

export function buildDemandNotice(input: DemandNoticeInput): { title: string; content: LetterContent } {
  const c = input.calculation;
  const year = formatFinancialYear({ startYear: input.financialYear });
  const taxName = input.tax === 'council_tax' ? 'Council Tax' : 'Business Rates';
  const title = `${input.amended ? 'Amended ' : ''}${taxName} bill ${year}`;
  const blocks: LetterBlock[] = [];
  const netCharge = c.totals.net;
  const toPay = netCharge - input.creditsBeforePence;

  const facts: [string, string][] = [
    ['Property', input.propertyAddress],
    [input.liable.length > 1 ? 'Liable (jointly and severally)' : 'Liable person', input.liable.join(' and ')],
  ];
  const bands = [...new Set(c.lines.map((l) => l.band).filter(Boolean))];
  const rvs = [...new Set(c.lines.map((l) => l.rateableValuePounds).filter((v) => v !== null))] as number[];
  if (input.tax === 'council_tax') facts.push(['Valuation band', bands.length ? bands.join(', then ') : 'none in this year']);
  else {
    facts.push(['Rateable value', rvs.length ? rvs.map(pounds).join(', then ') : 'none in this year']);
    if (input.propertyDescription) facts.push(['Description', input.propertyDescription]);
  }
  facts.push(['Period', c.lines.length ? `${longDate(c.lines[0].from)} to ${longDate(c.lines[c.lines.length - 1].to)}` : `No liability in ${year}`]);
  blocks.push({ type: 'keyValue', rows: facts });

  if (input.amended) {
    blocks.push({ type: 'paragraph', text: `This bill replaces the one we sent before. Why: ${input.reason}.` });
  }

  // How the charge is worked out, line by line.
  blocks.push({ type: 'heading', text: 'How your charge is worked out' });
  if (c.lines.length) {
    const rows: string[][] = [];
    for (const line of c.lines) {
      rows.push([`${shortDate(line.from)} to ${shortDate(line.to)} (${line.days} of ${line.daysInYear} days)`, lineWhat(input.tax, line), money(line.grossPence)]);
      for (const a of line.adjustments) {
        const sign = a.component === 'premium' ? '+' : '-';
        rows.push(['', `${a.label}${a.percent ? ` ${a.percent}%` : ''}`, `${sign}${money(a.pence)}`]);
      }
    }
    blocks.push({ type: 'table', columns: ['Period', 'How it is worked out', 'Amount'], rows, numericColumns: [2] });
    if (input.tax === 'council_tax') {
      blocks.push({ type: 'paragraph', text: 'Council tax is charged for each day you are liable: the yearly amount for your band × the days ÷ the days in the year. A discount or premium is a percentage of that.' });
    } else {
      blocks.push({ type: 'paragraph', text: 'Business rates are the rateable value × the multiplier for the year, charged for each day you are liable. Reliefs are taken off that.' });
    }
  } else {
    blocks.push({ type: 'paragraph', text: `You are not liable for any day in ${year}.` });
  }

  const summary: [string, string][] = [['Charge for the period', money(c.totals.gross)]];
  if (c.totals.premium) summary.push(['Premium', `+${money(c.totals.premium)}`]);
  if (c.totals.discount) summary.push(['Discounts and exemptions', `-${money(c.totals.discount)}`]);
  if (c.totals.relief) summary.push(['Reliefs', `-${money(c.totals.relief)}`]);
  if (c.totals.ctr) summary.push(['Council Tax Reduction', `-${money(c.totals.ctr)}`]);
  summary.push([`Your ${taxName.toLowerCase()} for ${year}`, money(netCharge)]);
  if (input.amended) summary.push(['On your previous bill', money(input.previousChargePence)]);
  if (input.creditsBeforePence) summary.push(['Already paid or credited', `-${money(input.creditsBeforePence)}`]);
  summary.push([toPay >= 0 ? 'Left to pay' : 'In credit', money(Math.abs(toPay))]);
  blocks.push({ type: 'keyValue', rows: summary });

  // Where council tax goes.
  if (input.tax === 'council_tax' && c.precepts.length && c.bandDPence) {
    blocks.push({ type: 'heading', text: 'Where your council tax goes' });
    const band = bands[bands.length - 1];
    const rows = c.precepts.map((p) => [p.preceptor, money(p.bandDPence), band ? money(p.byBand[band]) : '']);
    rows.push(['Total', money(c.bandDPence), band ? money(c.lines.find((l) => l.band === band)!.annualPence) : '']);
    blocks.push({ type: 'table', columns: ['Authority', 'Band D', band ? `Band ${band}` : ''], rows, numericColumns: [1, 2] });
    if (input.previousBandDPence) {
      blocks.push({ type: 'paragraph', text: `The Band D amount has changed by ${percentChange(c.bandDPence, input.previousBandDPence)} from last year (${money(input.previousBandDPence)}).` });
    }
  }
  for (const note of c.notes) blocks.push({ type: 'paragraph', text: note });

  // Instalments.
  blocks.push({ type: 'heading', text: 'When to pay' });
  if (input.instalments.length) {
    const first = input.instalments[0];
    const how = input.payingByDirectDebit ? 'We will collect these by Direct Debit' : 'Please pay these instalments';
    blocks.push({ type: 'notice', text: `${how}: ${input.instalments.length === 1 ? `${money(first.amountPence)} on ${longDate(first.dueOn)}` : `${input.instalments.length} instalments, the first of ${money(first.amountPence)} on ${longDate(first.dueOn)}`}.` });
    blocks.push({ type: 'table', columns: ['Due on', 'Amount'], rows: input.instalments.map((i) => [longDate(i.dueOn), money(i.amountPence)]), numericColumns: [1] });
    blocks.push({ type: 'paragraph', text: 'If you miss an instalment we will send a reminder. If you do not pay after a reminder you lose the right to pay by instalments and the whole amount becomes due.' });
  } else if (toPay < 0) {
    blocks.push({ type: 'notice', text: `You have paid ${money(-toPay)} more than you owe for ${year}. You do not need to pay anything. We will refund it, or move it to another bill you owe, and write to tell you.` });
  } else {
    blocks.push({ type: 'notice', text: `You have nothing to pay for ${year}.` });
  }

  blocks.push({ type: 'heading', text: 'How to pay' });
  blocks.push({
    type: 'paragraph',
    text: input.howToPay ??
      `Quote your reference ${input.reference}. Direct Debit is the easiest way: set one up online or by phone and choose the 1st or 15th of the month. ` +
      `You can also pay online or by phone with a debit card, by bank transfer, or with your bill's barcode at a Post Office or PayPoint.`,
  });

  blocks.push({ type: 'heading', text: 'If you think your bill is wrong' });
  if (input.tax === 'council_tax') {
    blocks.push({ type: 'paragraph', text: 'If you think your band is wrong, contact the Valuation Office Agency: www.gov.uk/challenge-council-tax-band. Keep paying while they look at it.' });
    blocks.push({ type: 'paragraph', text: 'If you think you are not the liable person, or a discount, exemption or premium is wrong, write to us. If we do not reply within two months or you disagree with our answer, you can appeal to the Valuation Tribunal: www.valuationtribunal.gov.uk.' });
  } else {
    blocks.push({ type: 'paragraph', text: 'If you think your rateable value is wrong, use the Valuation Office Agency\'s check, challenge and appeal service: www.gov.uk/correct-your-business-rates. Keep paying while they look at it.' });
    blocks.push({ type: 'paragraph', text: 'If you think you are not the ratepayer or a relief is wrong, write to us.' });
  }

  blocks.push({ type: 'heading', text: 'Help' });
  blocks.push({
    type: 'paragraph',
    text: input.helpText ??
      (input.tax === 'council_tax'
        ? 'If you live alone you may get a 25% single person discount. If you are on a low income you may get Council Tax Reduction. If you are struggling to pay, contact us as soon as you can: we can agree a plan. Free, independent advice: Citizens Advice (www.citizensadvice.org.uk, 0800 144 8848) and StepChange (www.stepchange.org, 0800 138 1111).'
        : 'You may qualify for small business rate relief, charity relief or other reliefs: ask us. If you are struggling to pay, contact us as soon as you can. Free advice for businesses: Business Debtline (www.businessdebtline.org, 0800 197 6026).'),
  });
  if (input.from.phone || input.from.website) {
    blocks.push({ type: 'paragraph', text: `Contact us: ${[input.from.phone ? `phone ${input.from.phone}` : '', input.from.website ?? '', input.from.email ?? ''].filter(Boolean).join(', ')}. Ask for this letter in large print, Braille, audio or another language.` });
  }

  return {
    title,
    content: { from: input.from, to: input.to, date: input.issuedOn, reference: input.reference, title, blocks },
  };
}
