import { describe, expect, it } from 'vitest';
import { dayLiteral, likeLiteral, numberLiteral, qualifiedTable, quoteIdent, quoteText } from './sql-text.js';

describe('sql-text', () => {
  it('double-quotes identifiers, doubling embedded quotes', () => {
    expect(quoteIdent('order date')).toBe('"order date"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(qualifiedTable({ schema: 'axi_data', name: 'ds_1' })).toBe('"axi_data"."ds_1"');
    expect(() => quoteIdent('')).toThrow();
  });

  it('escapes string literals by doubling single quotes and dropping NULs', () => {
    expect(quoteText("O'Reilly")).toBe("'O''Reilly'");
    expect(quoteText("x'; DROP TABLE t; --")).toBe("'x''; DROP TABLE t; --'");
    expect(quoteText('a\0b')).toBe("'ab'");
  });

  it('writes only finite, plain numbers', () => {
    expect(numberLiteral(42)).toBe('42');
    expect(numberLiteral(0.25)).toBe('0.25');
    expect(numberLiteral(-5)).toBe('(-5)');
    expect(() => numberLiteral(Number.NaN)).toThrow();
    expect(() => numberLiteral(Number.POSITIVE_INFINITY)).toThrow();
    expect(numberLiteral(1e21)).toBe('1000000000000000000000');
    expect(numberLiteral(1e-7)).toBe('0.0000001');
  });

  it('escapes LIKE wildcards so a fragment matches literally', () => {
    expect(likeLiteral('50%_off', 'contains')).toBe(String.raw`'%50\%\_off%'`);
    expect(likeLiteral("o'", 'starts')).toBe("'o''%'");
    expect(likeLiteral('x', 'ends')).toBe("'%x'");
    expect(likeLiteral('Lyon', 'exact')).toBe("'Lyon'");
  });

  it('types day literals for the column: dates, or UTC midnight for timestamps', () => {
    expect(dayLiteral('2024-03-01', 'date')).toBe("DATE '2024-03-01'");
    expect(dayLiteral('2024-03-01', 'timestamp')).toBe("TIMESTAMPTZ '2024-03-01 00:00:00+00'");
    expect(() => dayLiteral("2024'--", 'date')).toThrow();
  });
});
