/**
 * What one non-empty cell could be stored as, read straight from its bytes (no string, no regex:
 * this runs for every cell of the file). A value gets a bit for every type it fits exactly, in
 * the form PostgreSQL reads back to the same value; text fits everything and has no bit.
 */
export const INT32 = 1;
export const INT64 = 2;
export const DOUBLE = 4;
export const BOOL = 8;
/** YYYY-MM-DD. */
export const DATE_ISO = 16;
/** ISO 8601 date-time, or an ISO date (midnight). */
export const TIMESTAMP = 32;
/** A date when read day first (D/M/YYYY, D.M.YYYY); ISO dates have it too. */
export const DATE_DMY = 64;
/** A date when read month first (M/D/YYYY); ISO dates have it too. */
export const DATE_MDY = 128;
/** Day-first and month-first readings are both valid and differ (01/02/2024). */
export const DATE_AMBIGUOUS = 256;
/** Written D/M/Y or M/D/Y (must be rewritten as ISO to load). */
export const DATE_SLASH = 512;

const ZERO = 0x30;
const NINE = 0x39;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const COLON = 0x3a;
const SLASH = 0x2f;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

export function classifyValue(buf: Uint8Array, start: number, end: number): number {
  const first = buf[start] as number;
  if (isDigit(first) || first === MINUS || first === DOT) {
    const number = classifyNumber(buf, start, end);
    if (number !== 0) return number;
    if (isDigit(first)) return classifyDate(buf, start, end);
    return 0;
  }
  return classifyBoolean(buf, start, end);
}

function classifyNumber(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = buf[i] === MINUS;
  if (negative) i++;
  const intStart = i;
  while (i < end && isDigit(buf[i] as number)) i++;
  const intDigits = i - intStart;
  let fracDigits = 0;
  let dot = false;
  if (i < end && buf[i] === DOT) {
    dot = true;
    i++;
    const fracStart = i;
    while (i < end && isDigit(buf[i] as number)) i++;
    fracDigits = i - fracStart;
  }
  if (intDigits === 0 && fracDigits === 0) return 0;
  let exponent = false;
  if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
    exponent = true;
    i++;
    if (i < end && (buf[i] === MINUS || buf[i] === PLUS)) i++;
    const expStart = i;
    while (i < end && isDigit(buf[i] as number)) i++;
    if (i === expStart) return 0;
  }
  if (i !== end) return 0;
  // Leading zeros mark codes (ZIP, IDs: "007", "01234"), which must keep their zeros: text.
  if (intDigits > 1 && buf[intStart] === ZERO) return 0;

  if (!dot && !exponent) {
    if (intDigits <= 9) return INT32 | INT64 | DOUBLE;
    if (intDigits <= 15) {
      // Exact in a double: no BigInt needed for the common ids and amounts.
      let value = 0;
      for (let k = intStart; k < end; k++) value = value * 10 + (buf[k] as number) - ZERO;
      if (negative) value = -value;
      return (value >= -2147483648 && value <= 2147483647 ? INT32 : 0) | INT64 | DOUBLE;
    }
    let mask = 0;
    if (intDigits <= 19) {
      const value = BigInt(latin1(buf, start, end));
      if (value >= -9223372036854775808n && value <= 9223372036854775807n) mask |= INT64;
    }
    if (exactDouble(latin1(buf, start, end))) mask |= DOUBLE;
    return mask;
  }
  let significant = intDigits + fracDigits;
  // Leading zeros of "0.000123" are not significant.
  for (let k = intStart; k < end && significant > 0; k++) {
    const c = buf[k] as number;
    if (c === DOT) continue;
    if (c !== ZERO) break;
    significant--;
  }
  if (!exponent && significant <= 15) return DOUBLE;
  return exactDouble(latin1(buf, start, end)) ? DOUBLE : 0;
}

/**
 * The decimal text is exactly a double that PostgreSQL prints back the same (shortest
 * round-trip form), so storing it as double precision loses nothing.
 */
function exactDouble(text: string): boolean {
  const value = Number(text);
  if (!Number.isFinite(value)) return false;
  const a = normaliseDecimal(text);
  if (value === 0) return a.digits === '';
  return (
    a.digits === normaliseDecimal(String(value)).digits &&
    a.exponent === normaliseDecimal(String(value)).exponent
  );
}

function normaliseDecimal(text: string): { digits: string; exponent: number } {
  let body = text.replace(/^[-+]/, '');
  let exponent = 0;
  const e = body.search(/[eE]/);
  if (e >= 0) {
    exponent = Number(body.slice(e + 1));
    body = body.slice(0, e);
  }
  const dot = body.indexOf('.');
  let digits = body;
  if (dot >= 0) {
    digits = body.slice(0, dot) + body.slice(dot + 1);
    exponent -= body.length - dot - 1;
  }
  const trimmedStart = digits.replace(/^0+/, '');
  const trimmed = trimmedStart.replace(/0+$/, '');
  exponent += trimmedStart.length - trimmed.length;
  return { digits: trimmed, exponent };
}

const booleanWords = new Set(['t', 'f', 'y', 'n', 'yes', 'no', 'true', 'false']);

function classifyBoolean(buf: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length > 5) return 0;
  const first = (buf[start] as number) | 0x20;
  // Most text fails here, before any string is made.
  if (first !== 0x74 && first !== 0x66 && first !== 0x79 && first !== 0x6e) return 0;
  let word = '';
  for (let i = start; i < end; i++) word += String.fromCharCode((buf[i] as number) | 0x20);
  return booleanWords.has(word) ? BOOL : 0;
}

function digitsAt(buf: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let k = 0; k < count; k++) {
    const c = buf[at + k] as number;
    if (!isDigit(c)) return -1;
    value = value * 10 + c - ZERO;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function validDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function classifyDate(buf: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length >= 10 && buf[start + 4] === MINUS && buf[start + 7] === MINUS) {
    const year = digitsAt(buf, start, 4);
    const month = digitsAt(buf, start + 5, 2);
    const day = digitsAt(buf, start + 8, 2);
    if (year < 0 || month < 0 || day < 0 || !validDate(year, month, day)) return 0;
    if (length === 10) return DATE_ISO | TIMESTAMP | DATE_DMY | DATE_MDY;
    return classifyTime(buf, start + 10, end) ? TIMESTAMP : 0;
  }
  return classifySlashDate(buf, start, end);
}

/** `[T ]HH:MM[:SS[.ffffff]][Z|±HH[:MM]]` after an ISO date. */
function classifyTime(buf: Uint8Array, at: number, end: number): boolean {
  const separator = buf[at] as number;
  if (separator !== 0x54 && separator !== 0x74 && separator !== 0x20) return false;
  let i = at + 1;
  if (end - i < 5 || buf[i + 2] !== COLON) return false;
  const hour = digitsAt(buf, i, 2);
  const minute = digitsAt(buf, i + 3, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  i += 5;
  if (i < end && buf[i] === COLON) {
    const second = digitsAt(buf, i + 1, 2);
    if (end - i < 3 || second < 0 || second > 59) return false;
    i += 3;
    if (i < end && buf[i] === DOT) {
      i++;
      const fracStart = i;
      while (i < end && isDigit(buf[i] as number)) i++;
      // PostgreSQL keeps microseconds; more digits would be rounded away.
      if (i === fracStart || i - fracStart > 6) return false;
    }
  }
  if (i === end) return true;
  const zone = buf[i] as number;
  if (zone === 0x5a || zone === 0x7a) return i + 1 === end;
  if (zone !== PLUS && zone !== MINUS) return false;
  const offsetHours = digitsAt(buf, i + 1, 2);
  if (end - i < 3 || offsetHours < 0 || offsetHours > 15) return false;
  i += 3;
  if (i === end) return true;
  if (buf[i] === COLON) i++;
  const offsetMinutes = digitsAt(buf, i, 2);
  return end - i === 2 && offsetMinutes >= 0 && offsetMinutes <= 59;
}

/** D/M/YYYY, M/D/YYYY (or with dots), one or two digits for day and month. */
function classifySlashDate(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let a = 0;
  let aDigits = 0;
  while (i < end && isDigit(buf[i] as number) && aDigits < 3) {
    a = a * 10 + (buf[i] as number) - ZERO;
    i++;
    aDigits++;
  }
  const separator = buf[i];
  if (aDigits === 0 || aDigits > 2 || (separator !== SLASH && separator !== DOT)) return 0;
  i++;
  let b = 0;
  let bDigits = 0;
  while (i < end && isDigit(buf[i] as number) && bDigits < 3) {
    b = b * 10 + (buf[i] as number) - ZERO;
    i++;
    bDigits++;
  }
  if (bDigits === 0 || bDigits > 2 || buf[i] !== separator || end - i !== 5) return 0;
  const year = digitsAt(buf, i + 1, 4);
  if (year < 0) return 0;
  let mask = 0;
  if (validDate(year, b, a)) mask |= DATE_DMY;
  if (validDate(year, a, b)) mask |= DATE_MDY;
  if (mask === 0) return 0;
  if (mask === (DATE_DMY | DATE_MDY) && a !== b) mask |= DATE_AMBIGUOUS;
  return mask | DATE_SLASH;
}

/** The ISO form (YYYY-MM-DD) of a D/M/Y or M/D/Y date the classifier accepted. */
export function isoFromSlashDate(buf: Uint8Array, start: number, end: number, order: 'dmy' | 'mdy'): string {
  const text = latin1(buf, start, end);
  const parts = text.split(/[./]/);
  const first = (parts[0] as string).padStart(2, '0');
  const second = (parts[1] as string).padStart(2, '0');
  const year = parts[2] as string;
  return order === 'dmy' ? `${year}-${second}-${first}` : `${year}-${first}-${second}`;
}

export function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}
