/**
 * Demo data for a fresh install, sent through the public API of a running server so it takes
 * the same path as real traffic (validation, outbox, events to ECHO).
 * Usage: npm run seed-data [-- --base-url http://localhost:8000]
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { 'base-url': { type: 'string', default: 'http://localhost:8000' } },
});
const baseUrl = values['base-url']!.replace(/\/$/, '');

const visits = [
  { path: '/', referrer: 'https://www.linkedin.com/feed/' },
  { path: '/', referrer: 'https://github.com/' },
  { path: '/projects/axi' },
  { path: '/projects/mlog', referrer: 'https://news.ycombinator.com/' },
  { path: '/projects/echo' },
  { path: '/cv' },
  { path: '/cv', referrer: 'https://www.google.com/' },
  { path: '/contact' },
];

let sent = 0;
for (const visit of visits) {
  const res = await fetch(`${baseUrl}/api/portfolio/visits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(visit),
    signal: AbortSignal.timeout(5_000),
  }).catch((err: Error) => {
    console.error(`cannot reach ${baseUrl}: ${err.message}. Is the server running (npm start)?`);
    process.exit(1);
  });
  if (res.status !== 202) {
    console.error(
      `POST /api/portfolio/visits ${JSON.stringify(visit)} -> ${res.status}: ${await res.text()}`,
    );
    process.exit(1);
  }
  sent++;
}
console.log(`seeded ${sent} portfolio visits at ${baseUrl}`);
