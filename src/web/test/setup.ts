import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Role queries compute accessible names for the whole tree, which on a loaded CI machine
// (test files run in parallel) can take longer than the library's 1 s default for `findBy*`
// and `waitFor`. A longer wait only matters when a test would otherwise fail.
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => {
  cleanup();
});
