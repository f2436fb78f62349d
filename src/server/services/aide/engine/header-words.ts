/**
 * Headers as real public files write them: words glued together (`tripduration`, `usertype`,
 * `saleprice` after AXI lower-cases `SalePrice`), abbreviations (`lifeExp`, `pop`, `gdpPercap`,
 * `YrSold`, `OverallQual`) and units (`bill_length_mm`, `CO2_kt`). The column index reads every
 * header both as written and spelled out, so "trip duration", "life expectancy" and
 * "population" find their columns. Only header text goes through here, never the question or
 * cell values: a question word is matched as the user typed it.
 */
import { splitWords } from './text.js';

/**
 * Common words of data headers a glued word may be made of. Kept to data words on purpose: a
 * word is split only when all its pieces are listed, so an ordinary word is left whole.
 */
const DATA_WORDS = new Set(
  (
    'trip ride duration time type length width height depth weight mass count price cost area year ' +
    'month week day date hour start stop end begin user total per capita life gdp sale sales lot built ' +
    'overall bedroom bathroom bath room rooms garage central air country region city state name code ' +
    'bike birth station order customer product unit quantity amount number value rate score speed ' +
    'distance age size fare tip fee tax income revenue profit house home floor square feet living ' +
    'sold paid full half net gross first last pickup dropoff zip postal account balance credit ' +
    'payment item store shop employee salary wind rain snow temp low high open close volume market ' +
    'id key no nr data member visit visitor session page view click delay departure arrival flight'
  ).split(' '),
);

/** Abbreviations of header words, spelled out ("lifeExp" is life expectancy). */
const ABBREVIATIONS: Record<string, string> = {
  exp: 'expectancy',
  pop: 'population',
  cap: 'capita',
  yr: 'year',
  yrs: 'years',
  qual: 'quality',
  abv: 'above',
  gr: 'grade',
  qty: 'quantity',
  amt: 'amount',
  num: 'number',
  pct: 'percent',
  avg: 'average',
  temp: 'temperature',
  dur: 'duration',
  cnt: 'count',
  tot: 'total',
  dist: 'distance',
  dept: 'department',
  cust: 'customer',
  emp: 'employee',
  mgr: 'manager',
  sq: 'square',
  ft: 'feet',
  addr: 'address',
  // mtcars and other car-spec files
  cyl: 'cylinders',
  hp: 'horsepower',
  wt: 'weight',
  disp: 'displacement',
  mpg: 'miles per gallon',
};

const PIECES = new Set([...DATA_WORDS, ...Object.keys(ABBREVIATIONS)]);
const MIN_GLUED_LENGTH = 5;
const MAX_PIECES = 4;

/**
 * The listed words a glued word is made of, fewest pieces first ("tripduration" -> trip,
 * duration; "bedroomabvgr" -> bedroom, abv, gr), or the word alone when it is listed itself or
 * does not split wholly into listed words.
 */
export function segmentWord(word: string): string[] {
  if (word.length < MIN_GLUED_LENGTH || PIECES.has(word) || !/^[a-z]+$/.test(word)) return [word];
  // best[k]: fewest pieces covering word[0..k)
  const best: (string[] | undefined)[] = [[]];
  for (let end = 1; end <= word.length; end++) {
    for (let start = Math.max(0, end - 12); start <= end - 2; start++) {
      const head = best[start];
      const piece = word.slice(start, end);
      if (!head || !PIECES.has(piece)) continue;
      if (!best[end] || best[end]!.length > head.length + 1) best[end] = [...head, piece];
    }
  }
  const pieces = best[word.length];
  return pieces && pieces.length >= 2 && pieces.length <= MAX_PIECES ? pieces : [word];
}

/** Words of a header with glued words split: "tripduration" -> [trip, duration]. */
export function headerWords(text: string): string[] {
  return splitWords(text).flatMap(segmentWord);
}

/** The same words with abbreviations spelled out: [life, exp] -> [life, expectancy]. */
export function spelledOut(words: readonly string[]): string[] {
  return words.flatMap((w) => ABBREVIATIONS[w]?.split(' ') ?? [w]);
}
