/**
 * Word-level text helpers shared by the lexer and the column index: both sides of every
 * comparison (question words, column headers, cell values) go through the same functions, so a
 * match never depends on case, separators or a plural.
 */

/** Lowercase without accents, so "São" and "sao" are one word. */
export function foldCase(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** Splits a header, identifier or value into lowercase words: "unitPrice", "Unit_Price" -> [unit, price]. */
export function splitWords(text: string): string[] {
  return foldCase(text.replace(/([a-z0-9])([A-Z])/g, '$1 $2'))
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * A light stem: plural, -ed and -ing endings and a final e removed, a final double consonant
 * collapsed. It only has to map "orders"/"ordered"/"order" and "hired"/"hire" to one key; it is
 * applied to both sides, so over-stemming costs nothing as long as it is consistent.
 */
export function stem(word: string): string {
  let s = word.toLowerCase();
  if (/^\d/.test(s)) return s;
  if (s.length > 4 && s.endsWith('ies')) s = `${s.slice(0, -3)}y`;
  else if (s.endsWith('sses')) s = s.slice(0, -2);
  else if (s.length > 3 && s.endsWith('s') && !/(ss|us|is)$/.test(s)) s = s.slice(0, -1);
  if (s.length > 5 && s.endsWith('ing')) s = s.slice(0, -3);
  else if (s.length > 3 && s.endsWith('ed')) s = s.slice(0, -2);
  // Adjectives in -y ("rainy", "sunny") share the noun's stem.
  if (s.length > 4 && s.endsWith('y')) s = s.slice(0, -1);
  if (s.length > 2 && s.endsWith('e')) s = s.slice(0, -1);
  if (/([b-df-hj-np-tv-z])\1$/.test(s) && s.length > 3) s = s.slice(0, -1);
  return s;
}

/** The key two phrases share when they mean the same words: stems joined by spaces. */
export function phraseKey(words: readonly string[]): string {
  return words.map(stem).join(' ');
}

/** Levenshtein distance, for "did you mean" hints only (never for matching). */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}
