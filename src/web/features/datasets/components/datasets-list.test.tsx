import { screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatasetsList } from './datasets-list.js';
import { datasetItem, renderWithApp } from './datasets-test-utils.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const list = (items: unknown[], total = items.length) => ({ items, total, limit: 20, offset: 0 });

describe('DatasetsList', () => {
  it('shows a loading skeleton, then the datasets with links, sizes and counts', async () => {
    server.use(
      http.get('/api/v1/datasets', async () => {
        await delay(50);
        return HttpResponse.json(list([datasetItem()]));
      }),
    );
    renderWithApp(<DatasetsList showOwner={false} canDelete />);

    expect(screen.getByRole('status', { name: 'Loading datasets' })).toBeTruthy();
    const link = await screen.findByRole('link', { name: 'Sales 2024' });
    expect(link.getAttribute('href')).toBe('/app/datasets/3f0c6a8e-1d2b-4c5e-9f7a-0b1c2d3e4f50');
    const row = link.closest('tr')!;
    expect(within(row).getByText('sales-2024.csv')).toBeTruthy();
    expect(within(row).getByText((12_345).toLocaleString())).toBeTruthy();
    expect(within(row).getByText('2.5 MB')).toBeTruthy();
    expect(within(row).getByText('5 minutes ago')).toBeTruthy();
    expect(screen.queryByRole('columnheader', { name: 'Owner' })).toBeNull();
  });

  it('says how to start when there are no datasets', async () => {
    server.use(http.get('/api/v1/datasets', () => HttpResponse.json(list([]))));
    renderWithApp(<DatasetsList showOwner={false} canDelete />);
    expect(await screen.findByText(/Upload a CSV to get started/)).toBeTruthy();
  });

  it('sends the search (debounced) and the sort to the API', async () => {
    const seen: URLSearchParams[] = [];
    server.use(
      http.get('/api/v1/datasets', ({ request }) => {
        const params = new URL(request.url).searchParams;
        seen.push(params);
        const search = params.get('search');
        return HttpResponse.json(
          list(search ? [datasetItem({ name: 'Churn', originalFilename: 'churn.csv' })] : [datasetItem()]),
        );
      }),
    );
    const user = userEvent.setup();
    renderWithApp(<DatasetsList showOwner={false} canDelete />);
    await screen.findByRole('link', { name: 'Sales 2024' });

    await user.type(screen.getByRole('searchbox', { name: 'Search' }), 'churn');
    expect(await screen.findByRole('link', { name: 'Churn' })).toBeTruthy();
    // One request for the whole word, not one per key.
    expect(seen.filter((p) => p.has('search')).map((p) => p.get('search'))).toEqual(['churn']);
    expect(seen.at(-1)?.get('offset')).toBe('0');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Sort' }), 'Most rows');
    await waitFor(() => expect(seen.at(-1)?.get('sort')).toBe('-rowCount'));
    expect(seen.at(-1)?.get('search')).toBe('churn');
  });

  it('pages through the datasets', async () => {
    const offsets: string[] = [];
    server.use(
      http.get('/api/v1/datasets', ({ request }) => {
        const offset = new URL(request.url).searchParams.get('offset') ?? '0';
        offsets.push(offset);
        return HttpResponse.json({
          ...list([datasetItem({ name: `Page at ${offset}` })], 45),
          offset: Number(offset),
        });
      }),
    );
    const user = userEvent.setup();
    renderWithApp(<DatasetsList showOwner={false} canDelete />);
    await screen.findByRole('link', { name: 'Page at 0' });
    expect(screen.getByText('Page 1 of 3')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByRole('link', { name: 'Page at 20' })).toBeTruthy();
    expect(screen.getByText('21–40 of 45')).toBeTruthy();
  });

  it('shows the error and retries', async () => {
    let calls = 0;
    server.use(
      http.get('/api/v1/datasets', () => {
        calls++;
        if (calls === 1) {
          return HttpResponse.json(
            {
              type: '/problems/internal-error',
              title: 'Internal server error',
              status: 500,
              detail: 'Boom.',
              correlationId: 'c1',
            },
            { status: 500 },
          );
        }
        return HttpResponse.json(list([datasetItem()]));
      }),
    );
    const user = userEvent.setup();
    renderWithApp(<DatasetsList showOwner={false} canDelete />);
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Boom.')).toBeTruthy();
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'Sales 2024' })).toBeTruthy();
  });

  it('shows the owner to an admin', async () => {
    server.use(http.get('/api/v1/datasets', () => HttpResponse.json(list([datasetItem()]))));
    renderWithApp(<DatasetsList showOwner canDelete />);
    await screen.findByRole('link', { name: 'Sales 2024' });
    expect(screen.getByRole('columnheader', { name: 'Owner' })).toBeTruthy();
    expect(screen.getByTitle('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d')).toBeTruthy();
  });

  it('deletes a dataset only after the confirmation', async () => {
    let deleted: string | undefined;
    server.use(
      http.get('/api/v1/datasets', () => HttpResponse.json(list(deleted ? [] : [datasetItem()]))),
      http.delete('/api/v1/datasets/:id', ({ params }) => {
        deleted = String(params.id);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const user = userEvent.setup();
    renderWithApp(<DatasetsList showOwner={false} canDelete />);
    await user.click(await screen.findByRole('button', { name: 'Delete Sales 2024' }));

    const dialog = screen.getByRole('dialog', { name: 'Delete “Sales 2024”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(deleted).toBeUndefined();

    await user.click(screen.getByRole('button', { name: 'Delete Sales 2024' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete dataset' }));
    expect(await screen.findByText('Deleted “Sales 2024”.')).toBeTruthy();
    expect(deleted).toBe('3f0c6a8e-1d2b-4c5e-9f7a-0b1c2d3e4f50');
    expect(await screen.findByText(/Upload a CSV to get started/)).toBeTruthy();
  });
});
