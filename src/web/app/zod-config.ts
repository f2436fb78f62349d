import { config } from 'zod';

// Zod compiles parsers with `new Function` unless told not to. Our CSP (script-src 'self')
// forbids eval, and even zod's probe for it is reported as a violation. This module is imported
// first by main.tsx, before any schema is built.
config({ jitless: true });
