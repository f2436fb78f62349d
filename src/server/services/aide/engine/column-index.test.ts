import { describe, expect, it } from 'vitest';
import { buildColumnIndex, type Lexeme } from './column-index.js';
import type { DatasetDescription } from './engine.types.js';
import { tokenize } from './lexer.js';

const dataset: DatasetDescription = {
  table: { schema: 'axi_data', name: 'ds_test' },
  title: 'orders.csv',
  columns: [
    { name: 'order_id', originalName: 'Order ID', type: 'integer' },
    { name: 'order_date', originalName: 'Order Date', type: 'date' },
    { name: 'ship_date', originalName: 'Ship Date', type: 'date' },
    {
      name: 'client_name',
      originalName: 'Client Name',
      type: 'text',
      distinctValues: ['Acme Corp', 'Globex'],
    },
    {
      name: 'ship_country',
      originalName: 'Ship Country',
      type: 'text',
      distinctValues: ['France', 'Germany'],
    },
    { name: 'bill_country', originalName: 'Bill Country', type: 'text', distinctValues: ['France', 'Spain'] },
    { name: 'amount_eur', originalName: 'Amount (EUR)', type: 'double' },
    { name: 'is_paid', originalName: 'Is Paid', type: 'boolean' },
  ],
};
const index = buildColumnIndex(dataset);
const lex = (q: string) => index.lexemes(tokenize(q));
const columnsOf = (l: Lexeme | undefined) =>
  l?.kind === 'column' ? l.hits.map((h) => [h.column.name, h.score]) : [];

describe('column index', () => {
  it('matches a header whatever the case, separators or plural', () => {
    for (const q of ['Client Name', 'client_name', 'CLIENT NAMES', 'clientName']) {
      expect(columnsOf(lex(q)[0])).toEqual([['client_name', 3]]);
    }
  });

  it('drops units from headers and is_ prefixes from booleans', () => {
    expect(columnsOf(lex('amount')[0])).toEqual([['amount_eur', 3]]);
    expect(columnsOf(lex('paid')[0])).toEqual([['is_paid', 3]]);
  });

  it('matches synonyms below exact names', () => {
    expect(columnsOf(lex('revenue')[0])).toEqual([['amount_eur', 2]]);
    // "Client Name" is the client (an "<entity> name" header), so its synonym names it as a whole.
    expect(columnsOf(lex('customer')[0])).toEqual([['client_name', 2]]);
  });

  it('records every column a partial word could mean, for the parser to refuse ties', () => {
    expect(columnsOf(lex('country')[0])).toEqual([
      ['ship_country', 1],
      ['bill_country', 1],
    ]);
  });

  it('reads a word naming the rows as a word, not an id column', () => {
    expect(lex('orders')[0]).toMatchObject({ kind: 'word', text: 'orders' });
  });

  it('finds cell values, longest phrase first, with every column holding them', () => {
    const [value] = lex('Acme Corp');
    expect(value).toMatchObject({ kind: 'value', raw: 'Acme Corp' });
    const [france] = lex('France');
    expect(france?.kind === 'value' && france.hits.map((h) => h.column.name)).toEqual([
      'ship_country',
      'bill_country',
    ]);
  });

  it('reads "unpaid" as the negated boolean column', () => {
    expect(lex('unpaid')[0]).toMatchObject({ kind: 'column', negated: true });
  });

  it('leaves time words to the parser', () => {
    expect(lex('days')[0]).toMatchObject({ kind: 'word', text: 'days' });
  });
});
