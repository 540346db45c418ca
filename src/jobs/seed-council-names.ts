// Word lists and small generators for synthetic British people, places and businesses. Faker's
// en_GB locale has real UK street suffixes but its person names fall back to a US list
// ("Balistreri", "Greenfelder"), so names come from the lists below, drawn through the seeded faker
// instance so a seed always produces the same council. Everything here is fictitious; phone
// numbers and email domains are the ones reserved for drama and documentation, so nothing seeded
// can reach a real person.
import type { Faker } from '@faker-js/faker';

// Common surnames in England and Wales, most frequent first (the draw favours the front).
export const SURNAMES = `Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson
Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill Ward
Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young
Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall
Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain
Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray
Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne
Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Rose
Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr
Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed
Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson
Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson Curtis Hopkins
O'Connor Harper Coleman Watkins Moss McCarthy Chambers O'Neill Griffin Sharp Hardy Wheeler Potter Osborne Johnston
Gordon Doyle Wallace George Jordan Hutchinson Rowe Burke May Pritchard Gilbert Willis Higgins Read Miles Stevenson
Stephenson Hammond Arnold Buckley Walters Hewitt Barber Nelson Slater Austin Sullivan Whitehead Mann Frost Lambert
Stephens Blake Akhtar Lynch Goodwin Barton Woodward Thomson Cunningham Quinn Barnett Baxter Bibi Clayton Nash
Greenwood Jennings Holt Kemp Poole Gallagher Bond Stokes Tucker Davidson Fowler Heath Norman Middleton Lawson Banks
French Stanley Jarvis Gibbs Ferguson Hayward Carroll Douglas Dickinson Todd Barlow Peters Lucas Knowles Hartley Miah
Simmons Morton Alexander Field Morrison Norris Townsend Preston Hancock Thornton Baldwin Burrows Briggs Storey Pollard
Howell Dyer Kowalski Nowak Wiśniewski Okafor Mensah Adeyemi Nguyen Chen Sharma Chowdhury Rahman Iqbal Mahmood`
  .split(/\s+/)
  .filter(Boolean);

// First names by generation: people born before about 1975 and after.
const OLDER_FEMALE = `Susan Margaret Patricia Linda Christine Elizabeth Janet Carol Julie Karen Barbara Jean Sandra
Jacqueline Pauline Gillian Helen Anne Mary Deborah Joan Kathleen Sheila Maureen Valerie Lesley Dorothy Wendy Brenda
Lynn Angela Catherine Denise Hazel Jennifer Diane Sarah Alison Tracey Joyce Irene Marion Yvonne Beverley Shirley
Elaine Dawn Carole Frances Rosemary Ann`.split(/\s+/);
const OLDER_MALE = `David John Michael Peter Paul Robert Stephen Richard Andrew Christopher Ian Mark Anthony Alan Kevin
Brian Colin Keith Gary Philip Martin Graham Terence Trevor Barry Kenneth Raymond Derek Malcolm Roger Geoffrey Neil
Stuart Nigel Dennis Ronald Roy Gordon Clive Alistair Leslie Norman Frank Graeme Simon Julian Howard Patrick Francis
Douglas`.split(/\s+/);
const YOUNGER_FEMALE = `Sarah Emma Laura Rebecca Gemma Claire Amy Rachel Lauren Jessica Hannah Charlotte Sophie
Katie Amelia Olivia Emily Chloe Megan Zoe Natalie Danielle Kirsty Lucy Jade Leanne Stacey Samantha Victoria Holly
Ellie Grace Isla Ava Mia Freya Poppy Aisha Fatima Zara Priya Maja Anna Nicola Joanne Kelly Michelle Louise Jodie
Abigail`.split(/\s+/);
const YOUNGER_MALE = `James Daniel Thomas Matthew Christopher Ryan Luke Adam Jamie Michael Craig Lee Ben Sam Jack
Oliver Harry George Jacob Joshua William Lewis Connor Callum Dean Liam Scott Shaun Nathan Jordan Kyle Aaron Josh
Mohammed Muhammad Ali Hamza Bilal Arjun Jakub Tomasz Ethan Noah Alfie Charlie Reece Ashley Carl Wayne Darren Jason
Richard`.split(/\s+/);

export const TOWN_SUFFIXES = ['ton', 'ham', 'ley', 'field', 'bury', 'worth', 'wood', 'thorpe', 'bridge', 'ford', 'by', 'well'];
const TOWN_PREFIXES = ['Upper', 'Lower', 'Great', 'Little', 'North', 'South', 'East', 'West', 'Old', 'New', 'High'];
const TOWN_STEMS = `Ash Ather Bar Black Brad Brom Burn Chad Char Church Clay Cold Dal Den Dun Farn Green Hal Hart
Hey Hind Holm Ince Kings Lang Lind Marl Mos Oak Orm Pem Rad Red Rom Shaw Stan Stock Stow Thorn Tyl Up Wal Wes Whit
Wil Win Wood`.split(/\s+/);

const STREET_STEMS = `Oak Ash Elm Beech Willow Birch Hawthorn Holly Chestnut Sycamore Rowan Maple Laurel Hazel Meadow
Brook Mill Church School Station Manor Park Orchard Fern Heather Primrose Bluebell Clover Victoria Albert Queens Kings
Windsor York Gladstone Nelson Wellington Grosvenor Devonshire Richmond Cambridge Oxford Hollins Moorside Crofton
Fairfield Greenacres Highfield Westfield Springfield Riverside Lakeside Woodland Bank Castle Chapel Well Bridge Cross`.split(/\s+/);
// Family and landowner names that English street names are made from ("Pemberton Road").
const STREET_NAMES = `Ashton Bradshaw Cavendish Derby Egerton Fletcher Grafton Harrison Lowther Marlborough Newton
Pemberton Rutland Stanley Talbot Walker Whitley Hamilton Kenyon Latham Gerard Molyneux Spencer Russell Howard
Percy Neville Clifford Hargreaves Ramsden Crompton Arkwright Peel Cobden Bright Shaftesbury Lister Atherton
Standish Worsley Brindley Tennyson Wordsworth Byron Milton Shelley Keats Dickens Kipling Elgar`.split(/\s+/);

const CLASSIC_STREETS = [
  'High Street',
  'Church Lane',
  'Station Road',
  'Mill Lane',
  'Victoria Road',
  'Queens Road',
  'Park Road',
  'Manor Road',
  'School Lane',
  'Church Street',
  'Market Street',
  'King Street',
  'Bridge Street',
  'North Road',
  'The Green',
  'The Avenue',
  'The Crescent',
  'Chapel Street',
  'New Road',
  'London Road',
];
export const COMMERCIAL_STREETS = [
  'High Street',
  'Market Street',
  'Station Road',
  'Church Street',
  'Bridge Street',
  'King Street',
  'Market Place',
  'Library Street',
  'Victoria Street',
  'Commercial Road',
  'The Arcade',
  'Northgate',
];
const SUFFIX_WEIGHTED = [
  'Road',
  'Road',
  'Street',
  'Street',
  'Close',
  'Lane',
  'Avenue',
  'Drive',
  'Way',
  'Grove',
  'Crescent',
  'Gardens',
  'Terrace',
  'Place',
  'Court',
  'Walk',
  'Mews',
  'Rise',
  'View',
  'Croft',
  'Fold',
  'Brow',
];

// Letters used in the inward part of real postcodes (never C I K M O V).
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const CONSONANTS = 'BCDFGHJKLMNPRSTWY';

/** An index into a list of n, favouring the front (frequent names first): index = floor(n·u²). */
export function skewedIndex(faker: Faker, n: number): number {
  const u = faker.number.float();
  return Math.min(n - 1, Math.floor(n * u * u));
}

export function pickSkewed<T>(faker: Faker, list: readonly T[]): T {
  return list[skewedIndex(faker, list.length)];
}

export function surname(faker: Faker): string {
  return pickSkewed(faker, SURNAMES);
}

export function firstName(faker: Faker, sex: 'female' | 'male', birthYear: number): string {
  const older = birthYear < 1975;
  const list = sex === 'female' ? (older ? OLDER_FEMALE : YOUNGER_FEMALE) : older ? OLDER_MALE : YOUNGER_MALE;
  return faker.helpers.arrayElement(list);
}

export function title(faker: Faker, sex: 'female' | 'male', married: boolean): string {
  if (faker.number.int(99) < 2) return 'Dr';
  if (sex === 'male') return 'Mr';
  if (married) return faker.number.int(9) < 8 ? 'Mrs' : 'Ms';
  return faker.helpers.arrayElement(['Miss', 'Ms', 'Mrs']);
}

/** Made-up villages and districts around the main town: "Little Ashworth", "Hindley Green". */
export function makeTowns(faker: Faker, mainTown: string, count: number): string[] {
  const towns = new Set<string>([mainTown]);
  while (towns.size < count + 1) {
    const stem = faker.helpers.arrayElement(TOWN_STEMS) + faker.helpers.arrayElement(TOWN_SUFFIXES);
    const name = faker.number.int(9) < 4 ? `${faker.helpers.arrayElement(TOWN_PREFIXES)} ${stem}` : stem;
    towns.add(name);
  }
  return [...towns];
}

export function streetName(faker: Faker): string {
  const r = faker.number.int(99);
  if (r < 12) return faker.helpers.arrayElement(CLASSIC_STREETS);
  const stem = faker.helpers.arrayElement(r < 55 ? STREET_STEMS : STREET_NAMES);
  return `${stem} ${faker.helpers.arrayElement(SUFFIX_WEIGHTED)}`;
}

export function blockName(faker: Faker): string {
  return `${faker.helpers.arrayElement(STREET_STEMS)} ${faker.helpers.arrayElement(['Court', 'House', 'Heights', 'Lodge', 'Mansions', 'Point'])}`;
}

/** A two-letter postcode area that looks like the town's ("Bolton" → "BL"). */
export function postcodeArea(town: string): string {
  const letters = town.toUpperCase().replace(/[^A-Z]/g, '');
  const first = letters[0] ?? 'L';
  const second = [...letters.slice(1)].find((c) => CONSONANTS.includes(c)) ?? 'N';
  return first + second;
}

export function inwardCode(faker: Faker, sector: number): string {
  return `${sector}${faker.helpers.arrayElement([...INWARD_LETTERS])}${faker.helpers.arrayElement([...INWARD_LETTERS])}`;
}

/** Ofcom's numbers reserved for drama: 07700 900000–900999, 01632 960000–960999, 020 7946 0000–0999. */
export function dramaPhoneNumber(faker: Faker): string {
  const n = String(faker.number.int(999)).padStart(3, '0');
  const r = faker.number.int(9);
  if (r < 6) return `07700 900${n}`;
  if (r < 8) return `01632 960${n}`;
  return `020 7946 0${n}`;
}

/** Email at a documentation domain (RFC 2606), never a real mailbox. */
export function exampleEmail(faker: Faker, first: string, last: string): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z]/g, '');
  const domain = faker.helpers.arrayElement(['example.com', 'example.org', 'example.net']);
  const sep = faker.helpers.arrayElement(['.', '', '_']);
  const num = faker.number.int(9) < 4 ? String(faker.number.int({ min: 1, max: 99 })) : '';
  return `${clean(first)}${sep}${clean(last)}${num}@${domain}`;
}

// ---------------------------------------------------------------------------------------------
// Businesses

export interface HereditamentKind {
  description: string;
  /** share of hereditaments, in thousandths */
  weight: number;
  /** median rateable value in pounds */
  medianRv: number;
  /** Retail, hospitality and leisure: the lower RHL multipliers apply (England, 2026/27). */
  rhl: boolean;
  /** on an industrial estate ("Unit 4, …") rather than a street number */
  unit: boolean;
  names: (faker: Faker, town: string) => string;
}

const pick = <T>(faker: Faker, list: readonly T[]) => faker.helpers.arrayElement(list);

const PUB_NAMES = [
  'Red Lion',
  'Crown',
  'Royal Oak',
  'White Hart',
  'Swan',
  'Plough',
  'Bell',
  'Kings Arms',
  'Queens Head',
  'Black Horse',
  'Rose and Crown',
  'George',
  'Wheatsheaf',
  'Fox and Hounds',
  'Railway',
  'White Lion',
  'New Inn',
  'Ship',
  'Golden Lion',
  'Bay Horse',
  'Dog and Partridge',
  'Millstone',
  'Moulders Arms',
  'Park Inn',
];

export const HEREDITAMENT_KINDS: HereditamentKind[] = [
  {
    description: 'Shop and premises',
    weight: 330,
    medianRv: 8_000,
    rhl: true,
    unit: false,
    names: (f) =>
      `${surname(f)}'s ${pick(f, [
        'Newsagents',
        'Bakery',
        'Butchers',
        'Florist',
        'Hardware',
        'Pharmacy',
        'Convenience Store',
        'Cards and Gifts',
        'Off Licence',
        'Fish Bar',
        'Dry Cleaners',
        'Pet Supplies',
        'Opticians',
      ])}`,
  },
  {
    description: 'Office and premises',
    weight: 190,
    medianRv: 9_500,
    rhl: false,
    unit: false,
    names: (f) =>
      `${surname(f)} ${pick(f, [
        '& Co Solicitors',
        'Accountants LLP',
        'Associates Ltd',
        'Property Services Ltd',
        'Insurance Brokers Ltd',
        'Recruitment Ltd',
        'IT Solutions Ltd',
        'Estate Agents',
      ])}`,
  },
  {
    description: 'Warehouse and premises',
    weight: 100,
    medianRv: 22_000,
    rhl: false,
    unit: true,
    names: (f, town) =>
      `${town} ${pick(f, ['Distribution Ltd', 'Logistics Ltd', 'Storage Ltd', 'Builders Merchants Ltd', 'Wholesale Ltd'])}`,
  },
  {
    description: 'Workshop and premises',
    weight: 110,
    medianRv: 7_000,
    rhl: false,
    unit: true,
    names: (f) =>
      `${surname(f)} ${pick(f, [
        'Motors',
        'Engineering Ltd',
        'Joinery Ltd',
        'Fabrications Ltd',
        'Auto Repairs',
        'Signs Ltd',
        'Upholstery',
      ])}`,
  },
  {
    description: 'Factory and premises',
    weight: 45,
    medianRv: 45_000,
    rhl: false,
    unit: true,
    names: (f, town) =>
      `${pick(f, [town, surname(f)])} ${pick(f, [
        'Plastics Ltd',
        'Foods Ltd',
        'Packaging Ltd',
        'Precision Ltd',
        'Textiles Ltd',
        'Components Ltd',
      ])}`,
  },
  {
    description: 'Public house and premises',
    weight: 35,
    medianRv: 18_000,
    rhl: true,
    unit: false,
    names: (f) => `The ${pick(f, PUB_NAMES)}`,
  },
  {
    description: 'Restaurant and premises',
    weight: 40,
    medianRv: 14_000,
    rhl: true,
    unit: false,
    names: (f) =>
      pick(f, [
        `${surname(f)}'s Kitchen`,
        `The ${pick(f, ['Olive Tree', 'Spice Garden', 'Golden Dragon', 'Lemon Grove', 'Taj Mahal', 'Bella Italia', 'Old Bakehouse'])}`,
      ]),
  },
  {
    description: 'Cafe and premises',
    weight: 35,
    medianRv: 6_500,
    rhl: true,
    unit: false,
    names: (f) => `${pick(f, [surname(f) + "'s", 'The Corner', 'The Market', 'Bean There', 'The Daily Grind'])} Cafe`,
  },
  {
    description: 'Hairdressing salon and premises',
    weight: 40,
    medianRv: 5_500,
    rhl: true,
    unit: false,
    names: (f) =>
      `${pick(f, [
        'Cutting Edge',
        'Scissor Sisters',
        'Top Cuts',
        `${firstName(f, 'female', 1985)}'s`,
        'The Barber Shop',
        'Headlines',
      ])} Hair`,
  },
  {
    description: 'Hotel and premises',
    weight: 8,
    medianRv: 60_000,
    rhl: true,
    unit: false,
    names: (f, town) => pick(f, [`The ${town} Hotel`, `${surname(f)} House Hotel`, `${town} Park Hotel`]),
  },
  {
    description: 'Surgery and premises',
    weight: 12,
    medianRv: 25_000,
    rhl: false,
    unit: false,
    names: (f, town) => `${town} ${pick(f, ['Dental Practice', 'Medical Centre', 'Veterinary Surgery'])}`,
  },
  {
    description: 'Car park',
    weight: 15,
    medianRv: 4_500,
    rhl: false,
    unit: false,
    names: (f, town) => `${town} ${pick(f, ['Parking Ltd', 'Car Parks Ltd'])}`,
  },
  { description: 'Advertising right', weight: 20, medianRv: 1_800, rhl: false, unit: false, names: () => 'Northern Outdoor Media Ltd' },
  {
    description: 'Land used for storage and premises',
    weight: 20,
    medianRv: 5_000,
    rhl: false,
    unit: true,
    names: (f) => `${surname(f)} Plant Hire Ltd`,
  },
];

/** A charity shop occupier (80% mandatory relief): fictitious local charities. */
export function charityName(faker: Faker, town: string): string {
  return `${town} ${pick(faker, ['Hospice', 'Animal Rescue', 'Community Trust', 'Mind', 'Age Concern', "Children's Charity"])}`;
}

/** Standard normal deviate from two seeded uniforms (Box–Muller). Not money: used for skews. */
export function normal(faker: Faker): number {
  const u1 = Math.max(faker.number.float(), 1e-12);
  const u2 = faker.number.float();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Rateable values are published rounded: to £25 below £10k, £250 below £100k, £1,000 below £1m. */
export function roundRateableValue(pounds: number): number {
  const step = pounds < 10_000 ? 25 : pounds < 100_000 ? 250 : pounds < 1_000_000 ? 1_000 : 5_000;
  return Math.max(step, Math.round(pounds / step) * step);
}

// ---------------------------------------------------------------------------------------------
// Postcodes and places

/** Real postcode areas for metropolitan districts, unitary authorities, London and Wales. */
const POSTCODE_AREAS: Record<string, string> = {
  E08000001: 'BL',
  E08000002: 'BL',
  E08000003: 'M',
  E08000004: 'OL',
  E08000005: 'OL',
  E08000006: 'M',
  E08000007: 'SK',
  E08000008: 'OL',
  E08000009: 'M',
  E08000010: 'WN',
  E08000011: 'L',
  E08000012: 'L',
  E08000013: 'WA',
  E08000014: 'L',
  E08000015: 'CH',
  E08000016: 'S',
  E08000017: 'DN',
  E08000018: 'S',
  E08000019: 'S',
  E08000021: 'NE',
  E08000022: 'NE',
  E08000023: 'NE',
  E08000024: 'SR',
  E08000025: 'B',
  E08000026: 'CV',
  E08000027: 'DY',
  E08000028: 'B',
  E08000029: 'B',
  E08000030: 'WS',
  E08000031: 'WV',
  E08000032: 'BD',
  E08000033: 'HX',
  E08000034: 'HD',
  E08000035: 'LS',
  E08000036: 'WF',
  E08000037: 'NE',
  E06000001: 'TS',
  E06000002: 'TS',
  E06000003: 'TS',
  E06000004: 'TS',
  E06000005: 'DL',
  E06000006: 'WA',
  E06000007: 'WA',
  E06000008: 'BB',
  E06000009: 'FY',
  E06000010: 'HU',
  E06000011: 'HU',
  E06000012: 'DN',
  E06000013: 'DN',
  E06000014: 'YO',
  E06000015: 'DE',
  E06000016: 'LE',
  E06000017: 'LE',
  E06000018: 'NG',
  E06000019: 'HR',
  E06000020: 'TF',
  E06000021: 'ST',
  E06000022: 'BA',
  E06000023: 'BS',
  E06000024: 'BS',
  E06000025: 'BS',
  E06000026: 'PL',
  E06000027: 'TQ',
  E06000028: 'BH',
  E06000029: 'BH',
  E06000030: 'SN',
  E06000031: 'PE',
  E06000032: 'LU',
  E06000033: 'SS',
  E06000034: 'RM',
  E06000035: 'ME',
  E06000036: 'RG',
  E06000037: 'RG',
  E06000038: 'RG',
  E06000039: 'SL',
  E06000040: 'SL',
  E06000041: 'RG',
  E06000042: 'MK',
  E06000043: 'BN',
  E06000044: 'PO',
  E06000045: 'SO',
  E06000046: 'PO',
  E06000047: 'DH',
  E06000049: 'CW',
  E06000050: 'CH',
  E06000051: 'SY',
  E06000052: 'TR',
  E06000053: 'TR',
  E06000054: 'SN',
  E06000055: 'MK',
  E06000056: 'LU',
  E06000057: 'NE',
  E09000001: 'EC',
  E09000002: 'IG',
  E09000003: 'N',
  E09000004: 'DA',
  E09000005: 'NW',
  E09000006: 'BR',
  E09000007: 'NW',
  E09000008: 'CR',
  E09000009: 'W',
  E09000010: 'EN',
  E09000011: 'SE',
  E09000012: 'E',
  E09000013: 'W',
  E09000014: 'N',
  E09000015: 'HA',
  E09000016: 'RM',
  E09000017: 'UB',
  E09000018: 'TW',
  E09000019: 'N',
  E09000020: 'W',
  E09000021: 'KT',
  E09000022: 'SE',
  E09000023: 'SE',
  E09000024: 'SW',
  E09000025: 'E',
  E09000026: 'IG',
  E09000027: 'TW',
  E09000028: 'SE',
  E09000029: 'SM',
  E09000030: 'E',
  E09000031: 'E',
  E09000032: 'SW',
  E09000033: 'SW',
  W06000001: 'LL',
  W06000002: 'LL',
  W06000003: 'LL',
  W06000004: 'LL',
  W06000005: 'CH',
  W06000006: 'LL',
  W06000008: 'SY',
  W06000009: 'SA',
  W06000010: 'SA',
  W06000011: 'SA',
  W06000012: 'SA',
  W06000013: 'CF',
  W06000014: 'CF',
  W06000015: 'CF',
  W06000016: 'CF',
  W06000018: 'CF',
  W06000019: 'NP',
  W06000020: 'NP',
  W06000021: 'NP',
  W06000022: 'NP',
  W06000023: 'LD',
  W06000024: 'CF',
};

export interface Place {
  town: string;
  /** Outward codes (postcode districts) for streets in this town. */
  outwards: string[];
  /** Relative share of the authority's streets. */
  weight: number;
}

/** The real towns and postcode districts of the default demo council (Wigan). */
const PLACES: Record<string, Place[]> = {
  E08000010: [
    { town: 'Wigan', outwards: ['WN1', 'WN3', 'WN5', 'WN6'], weight: 30 },
    { town: 'Leigh', outwards: ['WN7'], weight: 14 },
    { town: 'Hindley', outwards: ['WN2'], weight: 8 },
    { town: 'Ince-in-Makerfield', outwards: ['WN2', 'WN3'], weight: 5 },
    { town: 'Ashton-in-Makerfield', outwards: ['WN4'], weight: 8 },
    { town: 'Atherton', outwards: ['M46'], weight: 7 },
    { town: 'Tyldesley', outwards: ['M29'], weight: 7 },
    { town: 'Golborne', outwards: ['WA3'], weight: 7 },
    { town: 'Standish', outwards: ['WN6'], weight: 6 },
    { town: 'Orrell', outwards: ['WN5'], weight: 5 },
    { town: 'Shevington', outwards: ['WN6'], weight: 3 },
  ],
};

/**
 * Towns and postcode districts for a council: the real ones where Levy knows them, otherwise the
 * main town (about half the streets) and made-up villages, on districts of the authority's real
 * postcode area (or one that looks like the town's when the area is not in the table).
 */
export function placesFor(faker: Faker, onsCode: string, mainTown: string, dwellings: number): Place[] {
  const known = PLACES[onsCode];
  if (known) return known;
  const area = POSTCODE_AREAS[onsCode] ?? postcodeArea(mainTown);
  const districts = Math.max(4, Math.min(30, Math.ceil(dwellings / 5_000)));
  const numbers = faker.helpers.shuffle(Array.from({ length: districts + 6 }, (_, i) => i + 1)).slice(0, districts);
  const towns = makeTowns(faker, mainTown, 7);
  return towns.map((town, i) => {
    // the main town takes half the districts; each village one or two of the rest
    const share = i === 0 ? numbers.slice(0, Math.ceil(districts / 2)) : [numbers[(Math.ceil(districts / 2) + i - 1) % districts]];
    return { town, outwards: share.map((n) => `${area}${n}`), weight: i === 0 ? 50 : 50 / (towns.length - 1) };
  });
}

export function pickPlace(faker: Faker, places: Place[]): Place {
  const total = places.reduce((s, p) => s + p.weight, 0);
  let r = faker.number.float() * total;
  for (const p of places) {
    r -= p.weight;
    if (r < 0) return p;
  }
  return places[places.length - 1];
}
