import { screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { datasetItem, renderWithApp } from './datasets-test-utils.js';
import { UploadPanel } from './upload-panel.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const csv = () => new File(['id,amount\n1,10\n2,20\n'], 'orders.csv', { type: 'text/csv' });

function dataset() {
  const { columnCount: _, ...rest } = datasetItem({
    name: 'orders',
    originalFilename: 'orders.csv',
    rowCount: 1000,
  });
  return {
    ...rest,
    columns: [],
  };
}

function progress(uploadId: string, change: Record<string, unknown>) {
  return {
    uploadId,
    phase: 'receiving',
    bytes: 0,
    totalBytes: null,
    rows: 0,
    totalRows: null,
    datasetId: null,
    error: null,
    updatedAt: new Date().toISOString(),
    ...change,
  };
}

function problem(status: number, type: string, title: string, detail: string, errors?: unknown[]) {
  return HttpResponse.json(
    { type: `/problems/${type}`, title, status, detail, correlationId: 'c1', ...(errors ? { errors } : {}) },
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
}

async function chooseAndUpload(options: { quarantine?: boolean } = {}) {
  const user = userEvent.setup();
  renderWithApp(<UploadPanel />);
  await user.upload(screen.getByLabelText(/choose a file/i), csv());
  expect(screen.getByText('orders.csv')).toBeTruthy();
  if (options.quarantine) await user.click(screen.getByRole('radio', { name: /Keep good rows/ }));
  await user.click(screen.getByRole('button', { name: 'Upload' }));
  return user;
}

describe('UploadPanel', () => {
  it('uploads with the chosen options, shows the stored rows, then profiling, then the result', async () => {
    let uploadQuery: URLSearchParams | undefined;
    let body = '';
    let finishUpload: () => void = () => {};
    let polls = 0;
    let stored = false;
    server.use(
      http.post('/api/v1/datasets/upload', async ({ request }) => {
        uploadQuery = new URL(request.url).searchParams;
        body = await request.text();
        await new Promise<void>((resolve) => {
          finishUpload = resolve;
        });
        stored = true;
        return HttpResponse.json(
          { uploadId: uploadQuery.get('upload_id'), dataset: dataset(), rejectedRowCount: 0 },
          { status: 201 },
        );
      }),
      http.get('/api/v1/datasets/uploads/:uploadId', ({ params }) => {
        polls++;
        const id = String(params.uploadId);
        if (!stored) return HttpResponse.json(progress(id, { phase: 'loading', rows: 500, totalRows: 1000 }));
        // Profiling for two polls after the answer, then done.
        return HttpResponse.json(progress(id, { phase: polls > 100 ? 'done' : 'profiling', rows: 1000 }));
      }),
    );
    await chooseAndUpload();

    const bar = await screen.findByRole('progressbar');
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('50'));
    expect(screen.getByText(`Storing rows… 500 of ${(1000).toLocaleString()}`)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Cancel upload' })).toBeTruthy();
    expect(uploadQuery?.get('on_error')).toBe('reject');
    expect(uploadQuery?.get('upload_id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toBe('id,amount\n1,10\n2,20\n');

    polls = 99;
    finishUpload();
    expect(await screen.findByText('Profiling…')).toBeTruthy();
    expect(screen.getByRole('progressbar').hasAttribute('aria-valuenow')).toBe(false);
    expect(screen.getByRole('link', { name: 'Open “orders”' })).toBeTruthy();

    expect(await screen.findByText(/Uploaded “orders”: 1,000 rows\./)).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
    const link = screen.getByRole('link', { name: 'Open “orders”' });
    expect(link.getAttribute('href')).toMatch(/^\/app\/datasets\/[0-9a-f-]{36}$/);
  });

  it('offers the rejected rows when bad rows were kept out', async () => {
    server.use(
      http.post('/api/v1/datasets/upload', ({ request }) => {
        const query = new URL(request.url).searchParams;
        expect(query.get('on_error')).toBe('quarantine');
        return HttpResponse.json(
          {
            uploadId: query.get('upload_id'),
            dataset: { ...dataset(), rejectedRowCount: 3 },
            rejectedRowCount: 3,
          },
          { status: 201 },
        );
      }),
      http.get('/api/v1/datasets/uploads/:uploadId', ({ params }) =>
        HttpResponse.json(progress(String(params.uploadId), { phase: 'done' })),
      ),
    );
    await chooseAndUpload({ quarantine: true });
    expect(await screen.findByText(/3 rows were set aside/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Download rejected rows' })).toBeTruthy();
  });

  it('explains a rejected file with its lines and what to do', async () => {
    server.use(
      http.post('/api/v1/datasets/upload', () =>
        problem(
          422,
          'csv-rejected',
          'Rows rejected',
          'Some rows do not fit the columns (the first 2 are all that were shown). Fix the file, override the column types, or upload with on_error=quarantine to load the good rows.',
          [
            { field: 'line 3', message: 'expected 2 fields, got 3' },
            { field: 'line 7, column "amount"', message: '"abc" is not a number' },
          ],
        ),
      ),
      http.get('/api/v1/datasets/uploads/:uploadId', () =>
        problem(404, 'not-found', 'Not found', 'No upload.'),
      ),
    );
    await chooseAndUpload();
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Rows rejected')).toBeTruthy();
    expect(within(alert).getByText('Line 3')).toBeTruthy();
    expect(within(alert).getByText(/expected 2 fields, got 3/)).toBeTruthy();
    expect(within(alert).getByText('Line 7, column "amount"')).toBeTruthy();
    expect(within(alert).getByText(/choose “Keep good rows”/)).toBeTruthy();
    expect(within(alert).queryByText(/on_error/)).toBeNull();
    // The same file can be sent again at once.
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('says the limit when the file is too large', async () => {
    server.use(
      http.post('/api/v1/datasets/upload', () =>
        problem(413, 'upload-too-large', 'File too large', 'The file is larger than the limit of 1 GiB.'),
      ),
      http.get('/api/v1/datasets/uploads/:uploadId', () =>
        problem(404, 'not-found', 'Not found', 'No upload.'),
      ),
    );
    await chooseAndUpload();
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('This file is too large')).toBeTruthy();
    expect(within(alert).getByText(/limit of 1 GiB/)).toBeTruthy();
  });

  it('stops sending when the server gave up on the upload but its answer does not arrive', async () => {
    // A browser still sending a too-large body may never see the 413 the server sent at once.
    const abort = vi.spyOn(XMLHttpRequest.prototype, 'abort');
    server.use(
      http.post('/api/v1/datasets/upload', async () => {
        await delay('infinite');
        return new HttpResponse(null, { status: 500 });
      }),
      http.get('/api/v1/datasets/uploads/:uploadId', ({ params }) =>
        HttpResponse.json(
          progress(String(params.uploadId), {
            phase: 'failed',
            error: 'The file is larger than the limit of 1 GiB.',
          }),
        ),
      ),
    );
    await chooseAndUpload();
    const alert = await screen.findByRole('alert', {}, { timeout: 4000 });
    expect(within(alert).getByText('This file is too large')).toBeTruthy();
    expect(within(alert).getByText('The file is larger than the limit of 1 GiB.')).toBeTruthy();
    expect(abort).toHaveBeenCalled();
    abort.mockRestore();
  });

  it('cancels a running upload', async () => {
    // MSW does not pass an XHR abort on to the handler; the browser API is where it shows.
    const abort = vi.spyOn(XMLHttpRequest.prototype, 'abort');
    let posts = 0;
    server.use(
      http.post('/api/v1/datasets/upload', async () => {
        posts++;
        await delay('infinite');
        return new HttpResponse(null, { status: 500 });
      }),
      http.get('/api/v1/datasets/uploads/:uploadId', ({ params }) =>
        HttpResponse.json(progress(String(params.uploadId), { bytes: 10, totalBytes: 100 })),
      ),
    );
    const user = await chooseAndUpload();
    await user.click(await screen.findByRole('button', { name: 'Cancel upload' }));
    expect(await screen.findByText('Upload cancelled. Nothing was stored.')).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
    expect(abort).toHaveBeenCalled();
    // The click that cancelled must not also submit the form again.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(posts).toBe(1);
    abort.mockRestore();
  });
});
