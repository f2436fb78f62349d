import { describe, expect, it } from 'vitest';
import { analyseCsv, type CsvAnalysis } from './analyse-csv.js';
import { chunkedInput } from './chunked-input.js';
import { columnNames } from './column-names.js';
import { EmptyFile, NotCsv, TooManyColumns, UploadTooLarge } from './ingest.errors.js';
import { dateOrderOf } from './ingest-column.js';
import { applyTypeOverrides } from './type-overrides.js';

const pieces = chunkedInput;

const limits = { maxBytes: 10_000_000, maxColumns: 50 };
const analyse = (data: string | Uint8Array, size?: number) => analyseCsv(pieces(data, size), limits);
const typeOf = (analysis: CsvAnalysis, name: string) => analysis.columns.find((c) => c.name === name)?.type;
const column = (analysis: CsvAnalysis, name: string) => {
  const found = analysis.columns.find((c) => c.name === name);
  if (!found) throw new Error(`no column ${name}`);
  return found;
};

describe('type inference over every value', () => {
  it('tells integer, bigint and double apart by range and form', async () => {
    const a = await analyse(
      'i,b,d,e\n1,2147483648,1.5,1e5\n-2147483648,-9223372036854775808,.5,-2.5E-3\n0,9223372036854775807,0,3\n',
    );
    expect([typeOf(a, 'i'), typeOf(a, 'b'), typeOf(a, 'd'), typeOf(a, 'e')]).toEqual([
      'integer',
      'bigint',
      'double',
      'double',
    ]);
  });

  it('keeps numbers beyond bigint, and decimals a double would change, as text', async () => {
    const a = await analyse(
      'big,precise,fine\n9223372036854775808,0.12345678901234567,0.30000000000000004\n',
    );
    expect([typeOf(a, 'big'), typeOf(a, 'precise'), typeOf(a, 'fine')]).toEqual(['text', 'text', 'double']);
  });

  it('keeps leading-zero codes as text, while 0 and 0.5 are numbers', async () => {
    const a = await analyse(
      'zip,id,zero,half,phone\n01234,007,0,0.5,+33612345678\n75001,12,0,1.25,+33612345679\n',
    );
    expect(typeOf(a, 'zip')).toBe('text');
    expect(typeOf(a, 'id')).toBe('text');
    expect(typeOf(a, 'zero')).toBe('integer');
    expect(typeOf(a, 'half')).toBe('double');
    expect(typeOf(a, 'phone')).toBe('text');
    expect(column(a, 'zip').evidence.blockers[0]).toEqual({ type: 'integer', value: '01234', line: 2 });
    expect(column(a, 'zip').evidence.reason).toBe(
      'Kept as text: 50% of the values read as an integer, but values such as "01234" (line 2) do not.',
    );
  });

  it('says why words are text without naming a type they never were', async () => {
    const a = await analyse('name\nZoë\nAna\n');
    expect(column(a, 'name').evidence.reason).toBe(
      'Kept as text: the values are not numbers, dates or yes/no values.',
    );
  });

  it('makes yes/no words boolean only when the whole column is; 0/1 stays integer', async () => {
    const a = await analyse('yn,tf,bits,mixed\nyes,TRUE,0,yes\nNo,f,1,1\ny,t,1,no\n');
    expect(typeOf(a, 'yn')).toBe('boolean');
    expect(typeOf(a, 'tf')).toBe('boolean');
    expect(typeOf(a, 'bits')).toBe('integer');
    expect(typeOf(a, 'mixed')).toBe('text');
    expect(column(a, 'mixed').evidence.shares.boolean).toBeCloseTo(2 / 3);
  });

  it('reads ISO dates and date-times (with or without an offset)', async () => {
    const a = await analyse(
      'd,ts,mixed,bad\n2024-02-29,2024-01-02T03:04:05Z,2024-01-02,2023-02-29\n' +
        '1999-12-31,2024-01-02 03:04:05.123456+02:00,2024-01-02T03:04,2024-01-01\n',
    );
    expect(typeOf(a, 'd')).toBe('date');
    expect(typeOf(a, 'ts')).toBe('timestamp');
    expect(typeOf(a, 'mixed')).toBe('timestamp');
    expect(typeOf(a, 'bad')).toBe('text');
  });

  it('reads slash dates only when the column settles day-first or month-first', async () => {
    const a = await analyse(
      'dmy,mdy,ambiguous,dots\n01/02/2024,01/02/2024,01/02/2024,31.12.2024\n31/01/2024,12/31/2024,03/04/2024,1.2.2024\n',
    );
    expect(typeOf(a, 'dmy')).toBe('date');
    expect(dateOrderOf(column(a, 'dmy'))).toBe('dmy');
    expect(typeOf(a, 'mdy')).toBe('date');
    expect(dateOrderOf(column(a, 'mdy'))).toBe('mdy');
    expect(typeOf(a, 'dots')).toBe('date');
    const ambiguous = column(a, 'ambiguous');
    expect(ambiguous.type).toBe('text');
    expect(ambiguous.evidence.ambiguousExamples).toEqual(['01/02/2024', '03/04/2024']);
    expect(ambiguous.evidence.shares.date).toBe(1);
    expect(ambiguous.evidence.reason).toMatch(/day-first or month-first/);
  });

  it('makes a column numeric for 10,000 rows and then text, text, naming the line', async () => {
    let text = 'n\n';
    for (let i = 0; i < 10_000; i++) text += `${i}\n`;
    text += 'n/a\n';
    const a = await analyse(text, 4096);
    const n = column(a, 'n');
    expect(n.type).toBe('text');
    expect(n.evidence.nonEmpty).toBe(10_001);
    expect(n.evidence.shares.integer).toBeCloseTo(10_000 / 10_001);
    expect(n.evidence.blockers).toContainEqual({ type: 'integer', value: 'n/a', line: 10_002 });
  });

  it('counts empty cells as null and a column with no values as text', async () => {
    const a = await analyse('a,b\n1,\n,\n3,""\n');
    expect(column(a, 'a').evidence).toMatchObject({ nonEmpty: 2, empty: 1 });
    expect(column(a, 'a').type).toBe('integer');
    expect(column(a, 'b').type).toBe('text');
    expect(column(a, 'b').evidence.empty).toBe(3);
    expect(a.sampleRows).toEqual([
      ['1', null],
      [null, null],
      ['3', null],
    ]);
  });

  it('treats a quoted value with a doubled quote as text', async () => {
    const a = await analyse('a\n"1"\n"2"""\n');
    expect(typeOf(a, 'a')).toBe('text');
    expect(a.sampleRows).toEqual([['1'], ['2"']]);
  });
});

describe('structure: delimiter, quotes, line ends, line numbers', () => {
  it.each([
    [',', 'a,b,c\n1,2,3\n'],
    [';', 'a;b;c\n1,5;2,5;3\n'],
    ['\t', 'a\tb\tc\n1\t2\t"x,y"\n'],
    ['|', 'a|b|c\n1|2|3\n'],
  ])('sniffs %j', async (delimiter, text) => {
    const a = await analyse(text);
    expect(a.delimiter).toBe(delimiter);
    expect(a.columns.map((c) => c.name)).toEqual(['a', 'b', 'c']);
  });

  it('does not count delimiters inside quotes when sniffing', async () => {
    const a = await analyse('name;note\n"a,b,c";"d,e"\n"f,g";h\n');
    expect(a.delimiter).toBe(';');
  });

  it('handles CRLF, lone CR, quoted line breaks, and reports physical lines for ragged rows', async () => {
    const a = await analyse('a,b\r\n1,"two\r\nlines"\r\n3\r\n4,"x\ny"\r5,6,7\r\n', 3);
    expect(a.rowCount).toBe(4);
    expect(a.sampleRows[0]).toEqual(['1', 'two\r\nlines']);
    expect(a.ragged).toEqual({
      count: 2,
      examples: [
        { line: 4, expected: 2, got: 1 },
        { line: 7, expected: 2, got: 3 },
      ],
    });
  });

  it('keeps a quote inside an unquoted field and text after a closing quote', async () => {
    const a = await analyse('a,b\n5\'3" tall,"x"y\n');
    expect(a.sampleRows).toEqual([['5\'3" tall', '"x"y']]);
  });
});

describe('encoding', () => {
  it('reads UTF-8 with a BOM', async () => {
    const a = await analyse(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('nom,ville\nÉlodie,Zürich\n')]),
      2,
    );
    expect(a).toMatchObject({ encoding: 'utf-8', bom: true });
    expect(a.columns.map((c) => [c.name, c.originalName])).toEqual([
      ['nom', 'nom'],
      ['ville', 'ville'],
    ]);
    expect(a.sampleRows).toEqual([['Élodie', 'Zürich']]);
  });

  it('falls back to Windows-1252 when the bytes are not UTF-8, even far into the file', async () => {
    let text = 'prix,libellé\n';
    for (let i = 0; i < 5000; i++) text += `${i},ligne\n`;
    const bytes = Buffer.concat([
      Buffer.from('prix,libell\xe9\n', 'latin1'),
      Buffer.from(text.slice(text.indexOf('\n') + 1), 'latin1'),
      Buffer.from('5,caf\xe9 \x80 5\n', 'latin1'),
    ]);
    const a = await analyse(bytes, 1000);
    expect(a.encoding).toBe('windows-1252');
    expect(column(a, 'libelle').originalName).toBe('libellé');
    expect(typeOf(a, 'prix')).toBe('integer');
    expect(column(a, 'libelle').evidence.blockers[0]?.value).toBe('ligne');
  });
});

describe('headers', () => {
  it('become safe unique identifiers, keeping the originals', () => {
    expect(
      columnNames([
        'Prix (€)',
        'Prix (€)',
        '',
        'Order',
        '2024 sales',
        'Çà et là',
        'xmin',
        '  ',
        'a'.repeat(80),
        'column_3',
      ]),
    ).toEqual([
      'prix',
      'prix_2',
      'column_3',
      'order_',
      'c_2024_sales',
      'ca_et_la',
      'xmin_',
      'column_8',
      'a'.repeat(63),
      'column_3_2',
    ]);
  });
});

describe('limits and bad files', () => {
  it('rejects a file over the limit as soon as it is seen', async () => {
    await expect(
      analyseCsv(pieces('a,b\n1,2\n3,4\n'), { maxBytes: 8, maxColumns: 5 }),
    ).rejects.toBeInstanceOf(UploadTooLarge);
  });

  it('rejects too many columns', async () => {
    await expect(
      analyseCsv(pieces('a,b,c\n1,2,3\n'), { maxBytes: 1000, maxColumns: 2 }),
    ).rejects.toBeInstanceOf(TooManyColumns);
  });

  it.each([[''], ['\n\r\n  \n'], ['\xef\xbb\xbf']])('rejects an empty file %j', async (text) => {
    await expect(analyse(Buffer.from(text, 'latin1'))).rejects.toBeInstanceOf(EmptyFile);
  });

  it('rejects binary files', async () => {
    await expect(
      analyse(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    ).rejects.toBeInstanceOf(NotCsv);
    await expect(analyse(Buffer.from('a,b\n1,2\u0000\n'))).rejects.toThrow(/NUL/);
    await expect(analyse(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 0x41]))).rejects.toBeInstanceOf(NotCsv);
  });

  it('accepts a header-only file as an empty dataset of text columns', async () => {
    const a = await analyse('a,b\n');
    expect(a.rowCount).toBe(0);
    expect(a.columns.map((c) => c.type)).toEqual(['text', 'text']);
  });

  it('reports progress and stops when aborted', async () => {
    const seen: number[] = [];
    const controller = new AbortController();
    const run = analyseCsv(pieces('a\n1\n2\n3\n4\n', 2), {
      ...limits,
      signal: controller.signal,
      onProgress: ({ bytes }) => {
        seen.push(bytes);
        if (bytes >= 6) controller.abort(new Error('client went away'));
      },
    });
    await expect(run).rejects.toThrow('client went away');
    expect(seen).toEqual([2, 4, 6]);
  });
});

describe('type overrides', () => {
  it('apply by stored or original name, and refuse unknown columns or types', async () => {
    const a = await analyse('Amount,when\n1,01/02/2024\n');
    const columns = applyTypeOverrides(a.columns, { Amount: 'double', when: 'date-dmy' });
    expect(columns.map((c) => [c.type, c.inferredType])).toEqual([
      ['double', 'integer'],
      ['date', 'text'],
    ]);
    expect(dateOrderOf(columns[1] as (typeof columns)[number])).toBe('dmy');
    expect(() => applyTypeOverrides(a.columns, { nope: 'text', amount: 'money' })).toThrow(
      expect.objectContaining({
        fieldErrors: [
          { field: 'overrides.nope', message: 'no column is named "nope"' },
          expect.objectContaining({ field: 'overrides.amount' }),
        ],
      }),
    );
  });
});
