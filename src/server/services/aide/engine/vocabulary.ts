/**
 * The engine's fixed English vocabulary: what words mean as operators, and which words carry no
 * meaning of their own. Everything about a particular dataset comes from its description instead.
 */

/**
 * Words an analyst uses for the same column. A question word matches a column when both fall in
 * one group. Kept small on purpose: a wide net turns into wrong answers.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['revenue', 'sales', 'amount', 'turnover', 'income'],
  ['customer', 'client', 'buyer'],
  ['country', 'nation'],
  ['date', 'day', 'time'],
  ['count', 'number'],
  ['quantity', 'qty', 'units'],
  ['category', 'kind', 'segment'],
  ['employee', 'staff', 'worker'],
  ['department', 'dept', 'division'],
  ['salary', 'pay', 'wage', 'compensation', 'earnings', 'payroll'],
  ['city', 'town'],
  ['product', 'item'],
  ['temperature', 'temp'],
  ['price', 'cost', 'fare'],
  ['gender', 'sex'],
  ['station', 'location', 'site'],
  ['rainfall', 'precipitation', 'rain'],
  ['job', 'role', 'position'],
  ['score', 'rating'],
  // "CO2 emissions": a header names the gas, the question what it is.
  ['co2', 'emission'],
];

/** Synonyms that name the total of a column otherwise averaged: "payroll" sums the salaries. */
export const SUMMED_SYNONYMS = new Set(['payroll']);

/** Words with no meaning for the query ("what is the ... please"); ignored wherever they are left over. */
export const FILLER_WORDS = new Set(
  (
    'a an the of for to in on at is are was were be been being do does did what whats which who whom ' +
    'show me give get list display tell find return see know want need would could can you please i we us ' +
    'our my your their its it this that these those there here and or with has have had having as all ' +
    'each every any some value values data dataset table records record rows row entries entry overall ' +
    'current currently s how much many by per from over across into among within than then also just only ' +
    'look lookup calculate compute what’s whats let break down broken split grouped group' +
    ' about like total per cent where whose when' +
    // Verbs that only say the rows happened: "products sold", "people who work in".
    ' sold sell sells selling bought buy made make placed work works working worked recorded registered' +
    ' generated got occurred happened came come employed measured logged spent comes brings bring' +
    ' generates generate contributes contribute gets paid charged taken took brought carried carry carries' +
    ' place places used use'
  ).split(/\s+/),
);

/**
 * Verbs that say which amount a question means when it names no column: "how much did we sell"
 * is the sales, "how many did we sell" the quantity. Each lists the words that may name the
 * column; the question is answered only when they name exactly one numeric column of the
 * dataset (two, like Sales and Profit for "earn", are refused).
 */
export const MEASURE_VERBS: Record<string, { amount: string[]; count: string[] }> = (() => {
  const sell = { amount: ['sales', 'revenue'], count: ['quantity'] };
  const pay = { amount: ['fare', 'amount', 'total', 'price', 'cost', 'payment'], count: [] };
  const spend = { amount: ['spend', 'spending', 'amount', 'cost', 'expense'], count: [] };
  const earn = { amount: ['revenue', 'income', 'earnings', 'profit'], count: [] };
  const verbs: Record<string, { amount: string[]; count: string[] }> = {};
  for (const w of ['sell', 'sells', 'selling', 'sold']) verbs[w] = sell;
  for (const w of ['pay', 'pays', 'paying', 'paid']) verbs[w] = pay;
  for (const w of ['spend', 'spends', 'spending', 'spent']) verbs[w] = spend;
  for (const w of ['earn', 'earns', 'earning', 'earned', 'make', 'made', 'makes']) verbs[w] = earn;
  return verbs;
})();

/**
 * Superlatives that say "more of some amount" without saying which: "best region", "biggest
 * customer". With no column named they are refused; "most", "top", "busiest" count rows.
 */
export const MEASURE_SUPERLATIVES = new Set([
  'highest',
  'largest',
  'biggest',
  'greatest',
  'best',
  'lowest',
  'smallest',
  'worst',
]);

/** Generic nouns for "the rows" in any dataset ("how many records"). */
export const ROW_NOUNS = new Set(
  'row rows record records entry entries line lines observation observations item items case cases transaction transactions event events'.split(
    ' ',
  ),
);

/** Nouns that name the same rows: a dataset whose title or id column says one accepts the others. */
export const ROW_NOUN_GROUPS: readonly (readonly string[])[] = [
  // "taxis" as well: the stemmer keeps a final "is" ("analysis").
  ['trip', 'ride', 'journey', 'taxi', 'taxis', 'cab'],
  ['order', 'purchase'],
  ['passenger', 'traveller', 'traveler'],
  ['employee', 'staff', 'worker'],
  ['car', 'vehicle', 'automobile'],
  ['movie', 'film'],
];

/** Row nouns found glued after an abbreviation in a title ("mtcars"). */
export const TITLE_ROW_NOUNS = new Set(['cars', 'vehicles', 'movies', 'films']);

/** Units written after a number ("40 km/h", "50 years"): part of the number, not a column. */
export const NUMBER_UNITS = new Set(
  'c f degrees degree km h kmh kph mph mm cm m kg g lb eur euros usd dollars gbp pounds percent years year old days hours minutes seconds'.split(
    ' ',
  ),
);

/** Comparative adjectives that name their column: "older than 50" is age > 50. */
export const COMPARATIVE_COLUMNS: Record<string, [string, '>' | '<']> = {
  older: ['age', '>'],
  younger: ['age', '<'],
  cheaper: ['price', '<'],
  pricier: ['price', '>'],
  heavier: ['weight', '>'],
  lighter: ['weight', '<'],
  taller: ['height', '>'],
  shorter: ['height', '<'],
};

/**
 * Superlative adjectives that name their column: "youngest" is the lowest age. Several words: the
 * one of them that names exactly one numeric column ("longest" trip is its duration or distance,
 * whichever the dataset has; both is ambiguous and refused).
 */
export const SUPERLATIVE_COLUMNS: Record<string, [string[], 'desc' | 'asc']> = {
  youngest: [['age'], 'asc'],
  oldest: [['age'], 'desc'],
  cheapest: [['price'], 'asc'],
  priciest: [['price'], 'desc'],
  coldest: [['temperature'], 'asc'],
  hottest: [['temperature'], 'desc'],
  warmest: [['temperature'], 'desc'],
  heaviest: [['weight', 'mass'], 'desc'],
  lightest: [['weight', 'mass'], 'asc'],
  tallest: [['height'], 'desc'],
  shortest: [['height', 'duration', 'distance', 'length', 'runtime'], 'asc'],
  longest: [['duration', 'distance', 'length', 'runtime'], 'desc'],
  farthest: [['distance'], 'desc'],
  furthest: [['distance'], 'desc'],
  fastest: [['speed'], 'desc'],
  slowest: [['speed'], 'asc'],
  wettest: [['precipitation'], 'desc'],
  driest: [['precipitation'], 'asc'],
};

/** "most expensive", "least expensive": adjectives that name a column only after most/least. */
export const MOST_ADJECTIVE_COLUMNS: Record<string, string[]> = {
  expensive: ['price', 'budget'],
  costly: ['price', 'budget'],
  profitable: ['profit'],
  populous: ['population'],
};

/** Everyday words for common cell values: "women" finds the value Female. */
export const VALUE_ALIASES: Record<string, string[]> = {
  female: ['women', 'woman', 'females'],
  male: ['men', 'man', 'males'],
  f: ['women', 'woman', 'female'],
  m: ['men', 'man', 'male'],
};

export type Aggregate = 'sum' | 'avg' | 'min' | 'max' | 'median';

/** Phrases naming an aggregate, longest first. */
export const AGGREGATE_PHRASES: readonly [string, Aggregate][] = [
  ['sum of', 'sum'],
  ['sum', 'sum'],
  ['total', 'sum'],
  ['totals', 'sum'],
  ['combined', 'sum'],
  ['average', 'avg'],
  ['averages', 'avg'],
  ['avg', 'avg'],
  ['mean', 'avg'],
  ['typical', 'avg'],
  ['median', 'median'],
  ['minimum', 'min'],
  ['min', 'min'],
  ['maximum', 'max'],
  ['max', 'max'],
];

/** Superlatives: ranking words that pick the top (desc) or bottom (asc). */
export const SUPERLATIVES: Record<string, 'desc' | 'asc'> = {
  highest: 'desc',
  largest: 'desc',
  biggest: 'desc',
  greatest: 'desc',
  most: 'desc',
  busiest: 'desc',
  best: 'desc',
  top: 'desc',
  lowest: 'asc',
  smallest: 'asc',
  least: 'asc',
  fewest: 'asc',
  worst: 'asc',
  bottom: 'asc',
};

/** Comparison operators in words, longest phrases first so "at least" wins over "least". */
export const COMPARISON_PHRASES: readonly [string, '>' | '>=' | '<' | '<=' | '=' | '<>'][] = [
  ['greater than or equal to', '>='],
  ['less than or equal to', '<='],
  ['more than or equal to', '>='],
  ['greater than', '>'],
  ['more than', '>'],
  ['higher than', '>'],
  ['larger than', '>'],
  ['bigger than', '>'],
  ['over', '>'],
  ['above', '>'],
  ['exceeding', '>'],
  ['exceeds', '>'],
  ['exceed', '>'],
  ['at least', '>='],
  ['no less than', '>='],
  ['not less than', '>='],
  ['minimum of', '>='],
  ['less than', '<'],
  ['fewer than', '<'],
  ['lower than', '<'],
  ['smaller than', '<'],
  ['under', '<'],
  ['below', '<'],
  ['at most', '<='],
  ['no more than', '<='],
  ['not more than', '<='],
  ['up to', '<='],
  ['maximum of', '<='],
  ['not equal to', '<>'],
  ['different from', '<>'],
  ['equal to', '='],
  ['equals', '='],
  ['equal', '='],
  ['exactly', '='],
  ['of exactly', '='],
];

export const NEGATIONS = new Set([
  'not',
  'excluding',
  'except',
  'without',
  'exclude',
  'excludes',
  'non',
  'no',
]);

export const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** Month names and their common abbreviations -> 1..12. "may" is a month only next to a year. */
export function monthNumber(word: string): number | undefined {
  const full = MONTHS.indexOf(word);
  if (full >= 0) return full + 1;
  if (word === 'sept') return 9;
  const short = MONTHS.findIndex((m) => word.length === 3 && m.startsWith(word));
  return short >= 0 ? short + 1 : undefined;
}

export type TimeUnit = 'year' | 'quarter' | 'month' | 'week' | 'day';

/** Words that name a time bucket, alone ("by month") or as an adverb ("monthly"). */
export const TIME_UNIT_WORDS: Record<string, TimeUnit> = {
  year: 'year',
  years: 'year',
  yearly: 'year',
  annual: 'year',
  annually: 'year',
  quarter: 'quarter',
  quarters: 'quarter',
  quarterly: 'quarter',
  month: 'month',
  months: 'month',
  monthly: 'month',
  week: 'week',
  weeks: 'week',
  weekly: 'week',
  day: 'day',
  days: 'day',
  daily: 'day',
};

/**
 * Column-name words whose values are levels or rates, not amounts: grouped or ranked without an
 * explicit aggregate they are averaged ("temperature by city"), where amounts are summed.
 */
export const LEVEL_WORDS = new Set(
  (
    'price prices rate rates ratio percent percentage pct temperature temp humidity speed age score rating ' +
    'salary wage pay level index avg average mean margin duration probability share latitude longitude lat lon ' +
    'grade rank height weight pressure bmi tenure expectancy capita quality mass length depth width density'
  ).split(' '),
);
