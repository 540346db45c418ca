// The recovery notices as letters (data): a timetable stage names its template; this file says
// what each one contains. The documents module stores, prints, emails and renders them.
import { formatFinancialYear, type IsoDate } from '../../domain/calendar.ts';
import { formatPence } from '../../domain/money.ts';
import { longDate, type StageAction } from '../../domain/recovery/evaluate.ts';
import type { RecoveryStream } from '../../domain/recovery/timetable.ts';
import type { LetterBlock, LetterContent } from '../documents/letter.ts';

export interface RecoveryLetterContext {
  template: string;
  from: LetterContent['from'];
  to: { name: string; addressLines: string[] };
  reference: string;
  stream: RecoveryStream;
  financialYear: number;
  propertyAddress: string | null;
  action: StageAction;
  /** What is owed for the year before this stage's costs. */
  balancePence: number;
  /** From the timetable: so earlier notices can say what a summons and an order would cost. */
  summonsCostsPence: number;
  liabilityOrderCostsPence: number;
  hearing?: { courtName: string; courtAddress: string; on: IsoDate; time: string; caseNumber: string } | null;
}

export const TEMPLATE_TITLES: Record<string, string> = {
  ct_reminder_1: 'Council Tax reminder notice',
  ct_reminder_2: 'Council Tax second reminder notice',
  ct_final_notice: 'Council Tax final notice',
  ct_summons: 'Council Tax summons to the magistrates’ court',
  ct_liability_order: 'Council Tax liability order',
  nndr_reminder: 'Business Rates reminder notice',
  nndr_final_notice: 'Business Rates final notice',
  nndr_summons: 'Business Rates summons to the magistrates’ court',
  nndr_liability_order: 'Business Rates liability order',
};

export const isKnownTemplate = (template: string) => template in TEMPLATE_TITLES;

const money = formatPence;
const CT_REGS = 'the Council Tax (Administration and Enforcement) Regulations 1992';
const NNDR_REGS = 'the Non-Domestic Rating (Collection and Enforcement) (Local Lists) Regulations 1989';

function howToPay(ctx: RecoveryLetterContext): LetterBlock[] {
  return [
    { type: 'heading', text: 'How to pay' },
    { type: 'paragraph', text: `Quote your reference ${ctx.reference}. Pay online or by phone with a debit or credit card, by bank transfer, by Direct Debit, or at a Post Office or PayPoint with the barcode on your bill.` },
  ];
}

function help(ctx: RecoveryLetterContext): LetterBlock[] {
  const who = ctx.stream === 'council_tax'
    ? 'You may be able to get Council Tax Reduction if you are on a low income.'
    : 'You may be able to get a rate relief: ask us which apply to your business.';
  return [
    { type: 'heading', text: 'If you cannot pay' },
    { type: 'paragraph', text: `Contact us straight away: we may be able to agree a payment plan. ${who} Free, independent debt advice is available from Citizens Advice (citizensadvice.org.uk) and StepChange (stepchange.org, 0800 138 1111).` },
    { type: 'paragraph', text: 'If you have paid in the last few days, thank you, and please ignore this notice.' },
  ];
}

function instalmentTable(action: StageAction): LetterBlock[] {
  if (!action.instalmentsDemanded.length) return [];
  return [{
    type: 'table', columns: ['Instalment', 'Due on', 'Unpaid'], numericColumns: [2],
    rows: action.instalmentsDemanded.map((i) => [String(i.seq), longDate(i.dueOn), money(i.unpaidPence)]),
  }];
}

function reminder(ctx: RecoveryLetterContext, second: boolean): LetterBlock[] {
  const a = ctx.action;
  const year = formatFinancialYear({ startYear: ctx.financialYear });
  const ct = ctx.stream === 'council_tax';
  const tax = ct ? 'Council Tax' : 'business rates';
  return [
    { type: 'paragraph', text: `${second ? 'This is your second reminder this year. ' : ''}You have not paid all the ${tax} instalments due for ${year}${ctx.propertyAddress ? ` for ${ctx.propertyAddress}` : ''}.` },
    ...instalmentTable(a),
    { type: 'notice', text: `Pay ${money(a.demandPence)} by ${longDate(a.payBy!)}.` },
    { type: 'heading', text: `If you do not pay by ${longDate(a.payBy!)}` },
    { type: 'paragraph', text: `You will lose the right to pay by instalments. The whole balance for the year, ${money(ctx.balancePence)}, will become due on ${longDate(a.escalatesOn!)} (${ct ? 'regulation 23 of ' + CT_REGS : NNDR_REGS}).` },
    { type: 'paragraph', text: `If it is still not paid we will ask the magistrates’ court for a summons, and ${money(ctx.summonsCostsPence)} costs will be added to what you owe.` },
    { type: 'heading', text: 'If you pay this reminder' },
    {
      type: 'paragraph',
      text: ct
        ? second
          ? 'Keep paying your instalments on time. If you miss another instalment this year you will lose the right to pay by instalments, and the whole balance will become due the day after, without another reminder.'
          : 'Keep paying your instalments on time. If you miss another instalment this year we will send a second reminder. A third missed instalment makes the whole balance due straight away, without a reminder.'
        : 'Keep paying your instalments on time. If you miss another instalment this year the whole balance becomes due straight away, without another reminder.',
    },
    ...howToPay(ctx),
    ...help(ctx),
  ];
}

function finalNotice(ctx: RecoveryLetterContext): LetterBlock[] {
  const a = ctx.action;
  const year = formatFinancialYear({ startYear: ctx.financialYear });
  return [
    { type: 'paragraph', text: `You have lost the right to pay by instalments. The whole balance of your ${ctx.stream === 'council_tax' ? 'Council Tax' : 'business rates'} for ${year}${ctx.propertyAddress ? ` for ${ctx.propertyAddress}` : ''} has been due since ${longDate(a.balanceDueOn ?? a.issueOn)}.` },
    ...instalmentTable(a),
    { type: 'notice', text: `Pay ${money(a.demandPence)} by ${longDate(a.payBy!)}.` },
    { type: 'heading', text: 'If you do not pay' },
    { type: 'paragraph', text: `We will apply to the magistrates’ court for a liability order without further notice. ${money(ctx.summonsCostsPence)} costs will be added when the summons is issued, and ${money(ctx.liabilityOrderCostsPence)} more if the court makes the order.` },
    ...howToPay(ctx),
    ...help(ctx),
  ];
}

function summons(ctx: RecoveryLetterContext): LetterBlock[] {
  const a = ctx.action;
  const h = ctx.hearing!;
  const year = formatFinancialYear({ startYear: ctx.financialYear });
  const tax = ctx.stream === 'council_tax' ? 'Council Tax' : 'business rates';
  return [
    { type: 'paragraph', text: `${ctx.from.name} has complained to the magistrates’ court that you have not paid ${tax} for ${year}${ctx.propertyAddress ? ` for ${ctx.propertyAddress}` : ''}, and has applied for a liability order against you (${ctx.stream === 'council_tax' ? 'regulation 34 of ' + CT_REGS : NNDR_REGS}).` },
    {
      type: 'keyValue',
      rows: [
        ['Case number', h.caseNumber],
        ['Court', h.courtName],
        ['Court address', h.courtAddress || 'As shown on the court’s list'],
        ['Hearing', `${longDate(h.on)} at ${h.time}`],
        [`${tax} unpaid`, money(ctx.balancePence)],
        ['Costs of issuing this summons', money(a.costsPence)],
        ['Total to pay', money(a.demandPence)],
      ],
    },
    { type: 'notice', text: `You are summoned to appear before the magistrates on ${longDate(h.on)} at ${h.time} to say why you have not paid. If you pay ${money(a.demandPence)} in full before the hearing we will withdraw the application and you need not attend.` },
    { type: 'heading', text: 'If the court makes a liability order' },
    { type: 'paragraph', text: `Further costs of ${money(ctx.liabilityOrderCostsPence)} may be added. We can then ask your employer to take money from your wages, ask the Department for Work and Pensions to take it from your benefits, or instruct enforcement agents, who add their own fees.` },
    { type: 'paragraph', text: 'The court can only refuse the order for a legal reason, for example that the amount is not owed or was already paid. Not being able to afford it is not a defence, but contact us before the hearing and we may be able to agree a payment plan.' },
    ...howToPay(ctx),
    ...help(ctx),
  ];
}

function liabilityOrder(ctx: RecoveryLetterContext): LetterBlock[] {
  const a = ctx.action;
  const tax = ctx.stream === 'council_tax' ? 'Council Tax' : 'business rates';
  return [
    { type: 'paragraph', text: `On ${longDate(a.issueOn)} the magistrates’ court made a liability order against you for unpaid ${tax} for ${formatFinancialYear({ startYear: ctx.financialYear })}.` },
    { type: 'keyValue', rows: [['Amount of the order, costs included', money(a.demandPence)], ['Of which costs of the order', money(a.costsPence)]] },
    { type: 'notice', text: `Pay ${money(a.demandPence)} now, or contact us within 14 days to agree how you will pay.` },
    { type: 'heading', text: 'What happens next' },
    {
      type: 'paragraph',
      text: ctx.stream === 'council_tax'
        ? 'The order lets us ask your employer to take money from your wages (an attachment of earnings order), ask the Department for Work and Pensions to take it from your benefits, or instruct enforcement agents, who add their own fees.'
        : 'The order lets us instruct enforcement agents, who add their own fees, or take other action to recover what is owed.',
    },
    { type: 'heading', text: 'Information you must give us' },
    { type: 'paragraph', text: `By law you must tell us within 14 days: the name and address of your employer, your pay and your National Insurance number, or the benefits you receive${ctx.stream === 'council_tax' ? ' (regulation 36 of ' + CT_REGS + ')' : ''}. It is an offence not to, or to give false information.` },
    ...howToPay(ctx),
    ...help(ctx),
  ];
}

/** The letter for a stage, as data. Throws for a template Levy does not know (the timetable check refuses those). */
export function buildRecoveryLetter(ctx: RecoveryLetterContext): LetterContent {
  const title = TEMPLATE_TITLES[ctx.template];
  if (!title) throw new Error(`No letter template "${ctx.template}"`);
  let blocks: LetterBlock[];
  switch (ctx.template) {
    case 'ct_reminder_1':
    case 'nndr_reminder':
      blocks = reminder(ctx, false);
      break;
    case 'ct_reminder_2':
      blocks = reminder(ctx, true);
      break;
    case 'ct_final_notice':
    case 'nndr_final_notice':
      blocks = finalNotice(ctx);
      break;
    case 'ct_summons':
    case 'nndr_summons':
      if (!ctx.hearing) throw new Error('A summons needs a hearing');
      blocks = summons(ctx);
      break;
    default:
      blocks = liabilityOrder(ctx);
  }
  return { from: ctx.from, to: ctx.to, date: ctx.action.issueOn, reference: ctx.reference, title, blocks };
}
