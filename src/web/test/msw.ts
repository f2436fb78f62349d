import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { setAccessToken } from '../shared/api/http.js';

/**
 * The API as a test file sees it: MSW answering relative `/api/...` calls, any unhandled request
 * an error, and no session or stored token carried from one test to the next.
 */
export function mockApi(...handlers: RequestHandler[]) {
  const server = setupServer(...handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    localStorage.clear();
    setAccessToken(undefined);
  });
  afterAll(() => server.close());
  return server;
}
