import { describe, expect, it } from 'vitest';
import { describeFixture, fixtureDataset } from '../engine/fixtures/datasets.js';
import { createBuiltinProvider } from './builtin-provider.js';

const dataset = describeFixture(fixtureDataset('sales'), { schema: 'axi_data', name: 'ds_0' });

describe('built-in provider', () => {
  it('passes the conversation context to the engine', async () => {
    const provider = createBuiltinProvider();
    const alone = await provider.generateSql({ question: 'only West', dataset });
    const followUp = await provider.generateSql({
      question: 'only West',
      dataset,
      context: ['total revenue by region'],
    });
    expect(alone).toMatchObject({ understood: true, sql: expect.stringContaining('SELECT * FROM') });
    expect(followUp).toMatchObject({
      understood: true,
      sql: expect.stringContaining('sum("revenue")'),
      explanation: expect.stringContaining('follow-up to "total revenue by region"'),
    });
  });
});
