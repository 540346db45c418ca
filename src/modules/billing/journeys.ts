// Officer journeys in the GOV.UK pattern: one question per page, check your answers, confirmation.
// The answers live server-side (form_journeys), so the journey works without JavaScript and an
// officer can come back to it; each journey belongs to the officer who started it.
import crypto from 'node:crypto';
import type { Db } from '../../db/database.ts';
import { NotFoundError } from '../../errors.ts';
import { isIsoDate } from '../../domain/calendar.ts';
import type { FieldProblem } from '../../errors.ts';

export type JourneyKind = 'move-in' | 'move-out' | 'liable-parties';

export interface Journey {
  id: string;
  userId: number;
  kind: JourneyKind;
  data: JourneyData;
  completedAt: Date | null;
}

export interface JourneyData {
  propertyId?: number;
  propertyAddress?: string;
  propertyKind?: 'dwelling' | 'hereditament';
  accountId?: number;
  accountReference?: string;
  customerName?: string;
  ddDays?: number[];
  // move in
  moveInDate?: string;
  people?: { title: string; forenames: string; surname: string }[];
  businessName?: string;
  anotherPerson?: 'yes' | 'no';
  livesAlone?: 'yes' | 'no';
  paymentMethod?: 'direct_debit' | 'cash';
  instalmentDay?: number;
  wantsEmail?: 'yes' | 'no';
  email?: string;
  // move out
  moveOutDate?: string;
  knowsAddress?: 'yes' | 'no';
  forwarding?: { line1: string; line2?: string; town: string; postcode: string };
  // change of liable people
  changeFrom?: string;
  /** The account's liability periods and who was liable in each, when the journey started. */
  liabilities?: { from: string; to: string | null; parties: { id: number; name: string }[] }[];
  /** Of those liable on changeFrom, who stays liable. */
  keepIds?: number[];
  // result
  result?: { accountId: number; reference: string; documentId: number | null; chargePence: number | null; instalments: number };
}

export interface QuestionField {
  type: 'date' | 'radios' | 'checkboxes' | 'person' | 'text' | 'select' | 'address';
  name: string;
  legend: string;
  hint?: string;
  items?: { value: string; text: string; hint?: string; conditional?: { name: string; label: string; type: string; autocomplete?: string } }[];
  /** Visible label for a single text input. */
  label?: string;
  autocomplete?: string;
  inputClasses?: string;
}

export interface Step {
  id: string;
  title: string;
  field: QuestionField;
  /** Applies to this journey's answers (skipped otherwise). */
  applies?: (d: JourneyData) => boolean;
  /** Turns the posted form into answers, or field problems. */
  read: (body: Record<string, unknown>, d: JourneyData) => { patch: Partial<JourneyData> } | { errors: FieldProblem[] };
  /** The current answer, for pre-filling the page. */
  values: (d: JourneyData) => Record<string, unknown>;
  /** The next step (after this one), default: the next applicable step in order. */
  next?: (d: JourneyData) => string;
  /** The line on the check-your-answers page. */
  summary?: (d: JourneyData) => string;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** Reads a GOV.UK date input (name-day, name-month, name-year) into an ISO date. */
export function readDateInput(body: Record<string, unknown>, name: string, what: string): { value: string } | { error: FieldProblem } {
  const day = text(body[`${name}-day`]);
  const month = text(body[`${name}-month`]);
  const year = text(body[`${name}-year`]);
  if (!day && !month && !year) return { error: { field: `${name}-day`, message: `Enter ${what}` } };
  const missing = [['day', day], ['month', month], ['year', year]].filter(([, v]) => !v).map(([k]) => k);
  if (missing.length) return { error: { field: `${name}-${missing[0]}`, message: `${what.charAt(0).toUpperCase()}${what.slice(1)} must include a ${missing.join(' and a ')}` } };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return { error: { field: `${name}-day`, message: `${what.charAt(0).toUpperCase()}${what.slice(1)} must be a real date` } };
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  if (!isIsoDate(iso)) return { error: { field: `${name}-day`, message: `${what.charAt(0).toUpperCase()}${what.slice(1)} must be a real date` } };
  return { value: iso };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const longDate = (iso?: string) => {
  if (!iso) return '';
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
};
const dateValues = (name: string, iso?: string) => {
  if (!iso) return {};
  const [y, m, d] = iso.split('-');
  return { [`${name}-day`]: String(Number(d)), [`${name}-month`]: String(Number(m)), [`${name}-year`]: y };
};
/** Which person the "who" page is about: a new one after "anyone else? yes", else the last one entered. */
const whoIndex = (d: JourneyData) => (d.anotherPerson === 'yes' ? d.people?.length ?? 0 : Math.max(0, (d.people?.length ?? 0) - 1));
const personName = (p: { title: string; forenames: string; surname: string }) => [p.title, p.forenames, p.surname].filter(Boolean).join(' ');

const yesNo = (name: string, legend: string, hint?: string): QuestionField => ({
  type: 'radios', name, legend, hint, items: [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }],
});
const readYesNo = (name: keyof JourneyData, message: string) => (body: Record<string, unknown>) => {
  const v = text(body[name]);
  return v === 'yes' || v === 'no' ? { patch: { [name]: v } as Partial<JourneyData> } : { errors: [{ field: name, message }] };
};

/** The first question of each journey: a date, asked in the GOV.UK date input pattern. */
function dateStep(name: 'moveInDate' | 'moveOutDate' | 'changeFrom', question: string, hint: string, what: string): Step {
  return {
    id: 'date', title: question,
    field: { type: 'date', name, legend: question, hint },
    read: (body) => {
      const r = readDateInput(body, name, what);
      return 'error' in r ? { errors: [r.error] } : { patch: { [name]: r.value } };
    },
    values: (d) => dateValues(name, d[name]),
    summary: (d) => longDate(d[name]),
  };
}

export const MOVE_IN_STEPS: Step[] = [
  dateStep('moveInDate', 'When did they move in?', 'The first day they are liable. For example, 27 3 2026', 'the date they moved in'),
  {
    id: 'business', title: 'Who is the ratepayer?', applies: (d) => d.propertyKind === 'hereditament',
    field: { type: 'text', name: 'businessName', legend: 'Who is the ratepayer?', label: 'Business or organisation name', hint: 'The person or organisation in occupation', autocomplete: 'organization' },
    read: (body) => (text(body.businessName) ? { patch: { businessName: text(body.businessName).slice(0, 200) } } : { errors: [{ field: 'businessName', message: 'Enter the name of the ratepayer' }] }),
    values: (d) => ({ businessName: d.businessName }),
    summary: (d) => d.businessName ?? '',
  },
  {
    id: 'who', title: 'Who is liable for the council tax?', applies: (d) => d.propertyKind !== 'hereditament',
    field: { type: 'person', name: 'person', legend: 'Who is liable for the council tax?', hint: 'Usually the resident owner or tenant. Add anyone jointly liable on the next page.' },
    read: (body, d) => {
      const p = { title: text(body.title).slice(0, 20), forenames: text(body.forenames).slice(0, 100), surname: text(body.surname).slice(0, 100) };
      const errors: FieldProblem[] = [];
      if (!p.forenames) errors.push({ field: 'forenames', message: 'Enter their first name' });
      if (!p.surname) errors.push({ field: 'surname', message: 'Enter their last name' });
      if (errors.length) return { errors };
      const people = [...(d.people ?? [])];
      people[whoIndex(d)] = p;
      return { patch: { people, anotherPerson: undefined } };
    },
    values: (d) => ({ ...(d.people?.[whoIndex(d)] ?? {}) }),
    summary: (d) => (d.people ?? []).map(personName).join(', '),
  },
  {
    id: 'another', title: 'Is anyone else jointly liable?', applies: (d) => d.propertyKind !== 'hereditament' && (d.people?.length ?? 0) < 4,
    field: yesNo('anotherPerson', 'Is anyone else jointly liable?', 'For example, a partner or joint owner who lives there. Everyone liable can be asked to pay the whole amount.'),
    read: readYesNo('anotherPerson', 'Select yes if someone else is jointly liable'),
    values: () => ({}),
    next: (d) => (d.anotherPerson === 'yes' ? 'who' : 'alone'),
  },
  {
    id: 'alone', title: 'Does anyone else aged 18 or over live at the property?', applies: (d) => d.propertyKind !== 'hereditament' && (d.people?.length ?? 0) === 1,
    field: yesNo('livesAlone', 'Does anyone else aged 18 or over live at the property?', 'If they live alone they get a 25% single person discount.'),
    read: (body) => {
      const v = text(body.livesAlone);
      // The question asks whether anyone ELSE lives there: "no" means they live alone.
      return v === 'yes' || v === 'no' ? { patch: { livesAlone: v === 'no' ? 'yes' : 'no' } } : { errors: [{ field: 'livesAlone', message: 'Select yes if anyone else aged 18 or over lives there' }] };
    },
    values: (d) => ({ livesAlone: d.livesAlone === undefined ? undefined : d.livesAlone === 'yes' ? 'no' : 'yes' }),
    summary: (d) => (d.livesAlone === 'yes' ? 'No, they live alone (single person discount)' : 'Yes'),
  },
  {
    id: 'pay', title: 'How will they pay?',
    field: { type: 'radios', name: 'paymentMethod', legend: 'How will they pay?', items: [
      { value: 'direct_debit', text: 'Direct Debit', hint: 'Set up the mandate once the account is open' },
      { value: 'cash', text: 'Another way', hint: 'Online, by phone, bank transfer, at a Post Office or PayPoint' },
    ] },
    read: (body) => {
      const v = text(body.paymentMethod);
      return v === 'direct_debit' || v === 'cash' ? { patch: { paymentMethod: v, instalmentDay: undefined } } : { errors: [{ field: 'paymentMethod', message: 'Select how they will pay' }] };
    },
    values: (d) => ({ paymentMethod: d.paymentMethod }),
    summary: (d) => (d.paymentMethod === 'direct_debit' ? 'Direct Debit' : 'Another way (online, phone, transfer, Post Office, PayPoint)'),
  },
  {
    id: 'day', title: 'Which day of the month should instalments be due?',
    field: { type: 'radios', name: 'instalmentDay', legend: 'Which day of the month should instalments be due?' },
    read: (body, d) => {
      const v = Number(text(body.instalmentDay));
      const allowed = d.paymentMethod === 'direct_debit' ? d.ddDays ?? [1, 15] : [1, 8, 15, 22, 28];
      return allowed.includes(v) ? { patch: { instalmentDay: v } } : { errors: [{ field: 'instalmentDay', message: 'Select the day of the month' }] };
    },
    values: (d) => ({ instalmentDay: d.instalmentDay === undefined ? undefined : String(d.instalmentDay) }),
    summary: (d) => `The ${ordinal(d.instalmentDay ?? 1)} of each month`,
  },
  {
    id: 'email', title: 'Do they want their bills by email as well as by post?',
    field: yesNo('wantsEmail', 'Do they want their bills by email as well as by post?'),
    read: (body) => {
      const v = text(body.wantsEmail);
      if (v === 'no') return { patch: { wantsEmail: 'no', email: undefined } };
      return v === 'yes' ? { patch: { wantsEmail: 'yes' } } : { errors: [{ field: 'wantsEmail', message: 'Select yes if they want their bills by email' }] };
    },
    values: (d) => ({ wantsEmail: d.wantsEmail }),
    summary: (d) => (d.wantsEmail === 'yes' ? 'Yes' : 'No, by post only'),
  },
  {
    id: 'email-address', title: 'What is their email address?', applies: (d) => d.wantsEmail === 'yes',
    field: { type: 'text', name: 'email', legend: 'What is their email address?', label: 'Email address', hint: 'Bills are emailed through GOV.UK Notify as well as posted', autocomplete: 'email', inputClasses: 'email' },
    read: (body) => {
      const email = text(body.email);
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? { patch: { email } } : { errors: [{ field: 'email', message: 'Enter an email address in the correct format, like name@example.com' }] };
    },
    values: (d) => ({ email: d.email }),
    summary: (d) => d.email ?? '',
  },
];

export const MOVE_OUT_STEPS: Step[] = [
  dateStep('moveOutDate', 'What was the last day they were liable?', 'Usually the day they moved out. For example, 31 8 2026', 'the last day they were liable'),
  {
    id: 'address', title: 'Do you know their new address?',
    field: yesNo('knowsAddress', 'Do you know their new address?', 'We send the final bill there.'),
    read: (body) => {
      const v = text(body.knowsAddress);
      if (v === 'no') return { patch: { knowsAddress: 'no', forwarding: undefined } };
      return v === 'yes' ? { patch: { knowsAddress: 'yes' } } : { errors: [{ field: 'knowsAddress', message: 'Select yes if you know their new address' }] };
    },
    values: (d) => ({ knowsAddress: d.knowsAddress }),
    summary: (d) => (d.knowsAddress === 'yes' ? 'Yes' : 'Not known'),
  },
  {
    id: 'new-address', title: 'What is their new address?', applies: (d) => d.knowsAddress === 'yes',
    field: { type: 'address', name: 'forwarding', legend: 'What is their new address?' },
    read: (body) => {
      const f = { line1: text(body.line1), line2: text(body.line2) || undefined, town: text(body.town), postcode: text(body.postcode).toUpperCase() };
      const errors: FieldProblem[] = [];
      if (!f.line1) errors.push({ field: 'line1', message: 'Enter the first line of the address' });
      if (!f.town) errors.push({ field: 'town', message: 'Enter the town or city' });
      if (!/^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/.test(f.postcode)) errors.push({ field: 'postcode', message: 'Enter a full UK postcode, like WN1 1YN' });
      return errors.length ? { errors } : { patch: { forwarding: f } };
    },
    values: (d) => ({ ...(d.forwarding ?? {}) }),
    summary: (d) => (d.forwarding ? [d.forwarding.line1, d.forwarding.line2, d.forwarding.town, d.forwarding.postcode].filter(Boolean).join(', ') : ''),
  },
];

/** Who was liable on the day the change takes effect (the liability running then). */
export function liableOn(d: JourneyData): { id: number; name: string }[] {
  if (!d.changeFrom) return [];
  const running = (d.liabilities ?? []).filter((l) => l.from < d.changeFrom! && (l.to === null || l.to >= d.changeFrom!));
  return running.length ? running[running.length - 1].parties : [];
}
const newPeople = (d: JourneyData) => d.people ?? [];

/** Adding or removing someone jointly and severally liable, from a date: the account is rebilled. */
export const LIABLE_PARTIES_STEPS: Step[] = [
  {
    ...dateStep('changeFrom', 'From what date does the change take effect?', 'The first day the new list of liable people applies, for example the day a partner moved in or out. For example, 1 9 2026', 'the date the change takes effect'),
    read: (body, d) => {
      const r = readDateInput(body, 'changeFrom', 'the date the change takes effect');
      if ('error' in r) return { errors: [r.error] };
      const running = (d.liabilities ?? []).some((l) => l.from < r.value && (l.to === null || l.to >= r.value));
      if (!running) return { errors: [{ field: 'changeFrom-day', message: 'The date must be after the liability started and on or before it ends' }] };
      // Who stays depends on who was liable then: a new date asks again.
      return { patch: { changeFrom: r.value, keepIds: r.value === d.changeFrom ? d.keepIds : undefined } };
    },
  },
  {
    id: 'keep', title: 'Who is still liable from that date?',
    field: { type: 'checkboxes', name: 'keep', legend: 'Who is still liable from that date?', hint: 'Untick anyone who stops being liable. You can add people on the next page.' },
    read: (body, d) => {
      const raw = body.keep === undefined ? [] : Array.isArray(body.keep) ? body.keep : [body.keep];
      const allowed = new Set(liableOn(d).map((p) => p.id));
      const ids = raw.map((v) => Number(v)).filter((v) => allowed.has(v));
      if (ids.length !== raw.length) return { errors: [{ field: 'keep', message: 'Choose from the people listed' }] };
      return { patch: { keepIds: [...new Set(ids)] } };
    },
    values: (d) => ({ keep: (d.keepIds ?? liableOn(d).map((p) => p.id)).map(String) }),
    summary: (d) => liableOn(d).filter((p) => d.keepIds?.includes(p.id)).map((p) => p.name).join(', ') || 'No one',
  },
  {
    id: 'add', title: 'Is anyone else becoming jointly liable from that date?', applies: (d) => newPeople(d).length < 4,
    field: yesNo('anotherPerson', 'Is anyone else becoming jointly liable from that date?', 'For example, a partner or joint owner who has moved in. Everyone liable can be asked to pay the whole amount.'),
    read: (body, d) => {
      const v = text(body.anotherPerson);
      if (v !== 'yes' && v !== 'no') return { errors: [{ field: 'anotherPerson', message: 'Select yes if someone else is becoming jointly liable' }] };
      if (v === 'no' && !(d.keepIds?.length) && !newPeople(d).length) {
        return { errors: [{ field: 'anotherPerson', message: 'Someone must be liable: select yes and add them, or go back and keep someone' }] };
      }
      return { patch: { anotherPerson: v } };
    },
    values: () => ({}),
    next: (d) => (d.anotherPerson === 'yes' ? 'new-person' : 'check'),
  },
  {
    id: 'new-person', title: 'Who is becoming jointly liable?', applies: (d) => newPeople(d).length > 0 || d.anotherPerson === 'yes',
    field: { type: 'person', name: 'person', legend: 'Who is becoming jointly liable?', hint: 'Their name as it should appear on the bill' },
    read: (body, d) => {
      const p = { title: text(body.title).slice(0, 20), forenames: text(body.forenames).slice(0, 100), surname: text(body.surname).slice(0, 100) };
      const errors: FieldProblem[] = [];
      if (!p.forenames) errors.push({ field: 'forenames', message: 'Enter their first name' });
      if (!p.surname) errors.push({ field: 'surname', message: 'Enter their last name' });
      if (errors.length) return { errors };
      const people = [...newPeople(d)];
      people[whoIndex(d)] = p;
      return { patch: { people, anotherPerson: undefined } };
    },
    values: (d) => ({ ...(d.people?.[whoIndex(d)] ?? {}) }),
    next: () => 'add',
    summary: (d) => newPeople(d).map(personName).join(', ') || 'No one',
  },
];

export function stepsFor(kind: JourneyKind): Step[] {
  return kind === 'move-in' ? MOVE_IN_STEPS : kind === 'move-out' ? MOVE_OUT_STEPS : LIABLE_PARTIES_STEPS;
}

export function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${s}`;
}

/** The step after `current`, honouring branches; 'check' when there is none. */
export function nextStep(kind: JourneyKind, current: string, d: JourneyData): string {
  const steps = stepsFor(kind);
  const step = steps.find((s) => s.id === current);
  if (step?.next) return step.next(d);
  const index = steps.findIndex((s) => s.id === current);
  for (const s of steps.slice(index + 1)) if (!s.applies || s.applies(d)) return s.id;
  return 'check';
}

/** The first step not yet answered (a journey resumed, or "check" reached too early). */
export function firstUnanswered(kind: JourneyKind, d: JourneyData): string | null {
  const required: Record<string, (x: JourneyData) => boolean> = {
    date: (x) => Boolean(kind === 'move-in' ? x.moveInDate : kind === 'move-out' ? x.moveOutDate : x.changeFrom),
    keep: (x) => x.keepIds !== undefined,
    // Asked again after each person added; answered once it is yes (a person to add) or no.
    add: (x) => kind !== 'liable-parties' || x.anotherPerson !== undefined,
    'new-person': (x) => x.anotherPerson !== 'yes',
    business: (x) => Boolean(x.businessName),
    who: (x) => Boolean(x.people?.length),
    alone: (x) => Boolean(x.livesAlone),
    pay: (x) => Boolean(x.paymentMethod),
    day: (x) => Boolean(x.instalmentDay),
    email: (x) => Boolean(x.wantsEmail),
    'email-address': (x) => Boolean(x.email),
    address: (x) => Boolean(x.knowsAddress),
    'new-address': (x) => Boolean(x.forwarding),
  };
  for (const s of stepsFor(kind)) {
    if (s.applies && !s.applies(d)) continue;
    if (required[s.id] && !required[s.id](d)) return s.id;
  }
  return null;
}

export function createJourneyStore(db: Db) {
  return {
    async start(userId: number, kind: JourneyKind, data: JourneyData): Promise<string> {
      const id = crypto.randomBytes(12).toString('base64url');
      await db.query('insert into form_journeys (id, user_id, kind, data) values ($1, $2, $3, $4)', [id, userId, kind, JSON.stringify(data)]);
      return id;
    },
    async get(id: string, userId: number, kind: JourneyKind): Promise<Journey> {
      const [row] = await db.query<{ id: string; user_id: number; kind: JourneyKind; data: JourneyData; completed_at: Date | null }>(
        'select id, user_id, kind, data, completed_at from form_journeys where id = $1 and user_id = $2 and kind = $3', [id, userId, kind]);
      if (!row) throw new NotFoundError('This form has expired or belongs to someone else: start again');
      return { id: row.id, userId: row.user_id, kind: row.kind, data: row.data, completedAt: row.completed_at };
    },
    async save(id: string, data: JourneyData, completed = false) {
      await db.query(`update form_journeys set data = $2, updated_at = now(), completed_at = case when $3 then now() else completed_at end where id = $1`, [id, JSON.stringify(data), completed]);
    },
  };
}
