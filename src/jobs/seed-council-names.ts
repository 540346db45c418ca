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
Fairfield Greenacres Highfield Westfield Springfield Riverside Lakeside Woodland Bank Castle Chapel Well Bridge Cross`
  .split(/\s+/);
// Family and landowner names that English street names are made from ("Pemberton Road").
const STREET_NAMES = `Ashton Bradshaw Cavendish Derby Egerton Fletcher Grafton Harrison Lowther Marlborough Newton
Pemberton Rutland Stanley Talbot Walker Whitley Hamilton Kenyon Latham Gerard Molyneux Spencer Russell Howard
Percy Neville Clifford Hargreaves Ramsden Crompton Arkwright Peel Cobden Bright Shaftesbury Lister Atherton
Standish Worsley Brindley Tennyson Wordsworth Byron Milton Shelley Keats Dickens Kipling Elgar`.split(/\s+/);

const CLASSIC_STREETS = [
  'High Street', 'Church Lane', 'Station Road', 'Mill Lane', 'Victoria Road', 'Queens Road', 'Park Road',
  'Manor Road', 'School Lane', 'Church Street', 'Market Street', 'King Street', 'Bridge Street', 'North Road',
  'The Green', 'The Avenue', 'The Crescent', 'Chapel Street', 'New Road', 'London Road',
];
export const COMMERCIAL_STREETS = [
  'High Street', 'Market Street', 'Station Road', 'Church Street', 'Bridge Street', 'King Street', 'Market Place',
  'Library Street', 'Victoria Street', 'Commercial Road', 'The Arcade', 'Northgate',
];
const SUFFIX_WEIGHTED = ['Road', 'Road', 'Street', 'Street', 'Close', 'Lane', 'Avenue', 'Drive', 'Way', 'Grove',
  'Crescent', 'Gardens', 'Terrace', 'Place', 'Court', 'Walk', 'Mews', 'Rise', 'View', 'Croft', 'Fold', 'Brow'];

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
  const clean = (s: string) => s.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '');
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

const PUB_NAMES = ['Red Lion', 'Crown', 'Royal Oak', 'White Hart', 'Swan', 'Plough', 'Bell', 'Kings Arms',
  'Queens Head', 'Black Horse', 'Rose and Crown', 'George', 'Wheatsheaf', 'Fox and Hounds', 'Railway', 'White Lion',
  'New Inn', 'Ship', 'Golden Lion', 'Bay Horse', 'Dog and Partridge', 'Millstone', 'Moulders Arms', 'Park Inn'];

export const HEREDITAMENT_KINDS: HereditamentKind[] = [
  { description: 'Shop and premises', weight: 330, medianRv: 8_000, rhl: true, unit: false,
    names: (f) => `${surname(f)}'s ${pick(f, ['Newsagents', 'Bakery', 'Butchers', 'Florist', 'Hardware', 'Pharmacy',
      'Convenience Store', 'Cards and Gifts', 'Off Licence', 'Fish Bar', 'Dry Cleaners', 'Pet Supplies', 'Opticians'])}` },
  { description: 'Office and premises', weight: 190, medianRv: 9_500, rhl: false, unit: false,
    names: (f) => `${surname(f)} ${pick(f, ['& Co Solicitors', 'Accountants LLP', 'Associates Ltd',
      'Property Services Ltd', 'Insurance Brokers Ltd', 'Recruitment Ltd', 'IT Solutions Ltd', 'Estate Agents'])}` },
  { description: 'Warehouse and premises', weight: 100, medianRv: 22_000, rhl: false, unit: true,
    names: (f, town) => `${town} ${pick(f, ['Distribution Ltd', 'Logistics Ltd', 'Storage Ltd', 'Builders Merchants Ltd',
      'Wholesale Ltd'])}` },
  { description: 'Workshop and premises', weight: 110, medianRv: 7_000, rhl: false, unit: true,
    names: (f) => `${surname(f)} ${pick(f, ['Motors', 'Engineering Ltd', 'Joinery Ltd', 'Fabrications Ltd',
      'Auto Repairs', 'Signs Ltd', 'Upholstery'])}` },
  { description: 'Factory and premises', weight: 45, medianRv: 45_000, rhl: false, unit: true,
    names: (f, town) => `${pick(f, [town, surname(f)])} ${pick(f, ['Plastics Ltd', 'Foods Ltd', 'Packaging Ltd',
      'Precision Ltd', 'Textiles Ltd', 'Components Ltd'])}` },
  { description: 'Public house and premises', weight: 35, medianRv: 18_000, rhl: true, unit: false,
    names: (f) => `The ${pick(f, PUB_NAMES)}` },
  { description: 'Restaurant and premises', weight: 40, medianRv: 14_000, rhl: true, unit: false,
    names: (f) => pick(f, [`${surname(f)}'s Kitchen`, `The ${pick(f, ['Olive Tree', 'Spice Garden', 'Golden Dragon',
      'Lemon Grove', 'Taj Mahal', 'Bella Italia', 'Old Bakehouse'])}`]) },
  { description: 'Cafe and premises', weight: 35, medianRv: 6_500, rhl: true, unit: false,
    names: (f) => `${pick(f, [surname(f) + "'s", 'The Corner', 'The Market', 'Bean There', 'The Daily Grind'])} Cafe` },
  { description: 'Hairdressing salon and premises', weight: 40, medianRv: 5_500, rhl: true, unit: false,
    names: (f) => `${pick(f, ['Cutting Edge', 'Scissor Sisters', 'Top Cuts', `${firstName(f, 'female', 1985)}'s`,
      'The Barber Shop', 'Headlines'])} Hair` },
  { description: 'Hotel and premises', weight: 8, medianRv: 60_000, rhl: true, unit: false,
    names: (f, town) => pick(f, [`The ${town} Hotel`, `${surname(f)} House Hotel`, `${town} Park Hotel`]) },
  { description: 'Surgery and premises', weight: 12, medianRv: 25_000, rhl: false, unit: false,
    names: (f, town) => `${town} ${pick(f, ['Dental Practice', 'Medical Centre', 'Veterinary Surgery'])}` },
  { description: 'Car park', weight: 15, medianRv: 4_500, rhl: false, unit: false,
    names: (f, town) => `${town} ${pick(f, ['Parking Ltd', 'Car Parks Ltd'])}` },
  { description: 'Advertising right', weight: 20, medianRv: 1_800, rhl: false, unit: false,
    names: () => 'Northern Outdoor Media Ltd' },
  { description: 'Land used for storage and premises', weight: 20, medianRv: 5_000, rhl: false, unit: true,
    names: (f) => `${surname(f)} Plant Hire Ltd` },
];

/** A charity shop occupier (80% mandatory relief): fictitious local charities. */
export function charityName(faker: Faker, town: string): string {
  return `${town} ${pick(faker, ['Hospice', 'Animal Rescue', 'Community Trust', 'Mind', 'Age Concern', 'Children\'s Charity'])}`;
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
