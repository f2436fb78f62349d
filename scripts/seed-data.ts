/**
 * Demo data for a fresh install, sent through the public API of a running server so it takes
 * the same path as real traffic (validation, outbox, events to ECHO):
 * - a demo account (LOCAL USE ONLY: the credentials below are public),
 * - three generated datasets uploaded as CSV files (orders, weekly marketing, a semicolon
 *   Windows-1252 staff list), deterministic so every install shows the same numbers,
 * - a few portfolio visits.
 * Usage: npm run seed-data [-- --base-url http://localhost:8000]
 */
import { parseArgs } from 'node:util';
import iconv from 'iconv-lite';
import { demoAccount } from './demo-account.js';

const { values } = parseArgs({
  options: { 'base-url': { type: 'string', default: 'http://localhost:8000' } },
});
const baseUrl = values['base-url']!.replace(/\/$/, '');

async function call(path: string, init: RequestInit & { expect: number[] }): Promise<Response> {
  const res = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(60_000) }).catch(
    (err: Error) => {
      console.error(`cannot reach ${baseUrl}: ${err.message}. Is the server running (npm start)?`);
      process.exit(1);
    },
  );
  if (!init.expect.includes(res.status)) {
    console.error(`${init.method ?? 'GET'} ${path} -> ${res.status}: ${await res.text()}`);
    process.exit(1);
  }
  return res;
}

/** A small deterministic PRNG (mulberry32), so the demo numbers are the same on every install. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ordersCsv(): string {
  const random = prng(7);
  const regions = ['North', 'South', 'East', 'West'];
  const categories = ['Books', 'Games', 'Garden', 'Kitchen', 'Sports'];
  const lines = [
    'order_id,customer_id,order_date,region,category,quantity,unit_price,discount,revenue,returned',
  ];
  let id = 10_000;
  for (let c = 1; c <= 600; c++) {
    const customer = `C${String(c).padStart(4, '0')}`;
    const region = regions[Math.floor(random() * regions.length)]!;
    // Customers join through the year and come back less often as months pass.
    const firstMonth = Math.floor(random() * 12);
    for (let month = firstMonth; month < 12; month++) {
      const orders = month === firstMonth ? 1 : random() < 0.55 - (month - firstMonth) * 0.04 ? 1 : 0;
      for (let o = 0; o < orders; o++) {
        const day = 1 + Math.floor(random() * 28);
        const quantity = 1 + Math.floor(random() * 6);
        const unitPrice = Math.round((5 + random() * 95) * 100) / 100;
        const discount = random() < 0.3 ? Math.round(random() * 20) / 100 : 0;
        const revenue = Math.round(quantity * unitPrice * (1 - discount) * 100) / 100;
        const date = `2025-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
        const category = categories[Math.floor(random() * categories.length)]!;
        lines.push(
          [
            id++,
            customer,
            date,
            region,
            category,
            quantity,
            unitPrice,
            discount,
            revenue,
            random() < 0.06 ? 'yes' : 'no',
          ].join(','),
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function marketingCsv(): string {
  const random = prng(11);
  const channels = ['Search', 'Social', 'Email', 'Display'];
  const lines = ['week_start,channel,spend,impressions,clicks,signups'];
  const start = Date.UTC(2025, 0, 6);
  for (let w = 0; w < 52; w++) {
    const week = new Date(start + w * 7 * 86_400_000).toISOString().slice(0, 10);
    for (const channel of channels) {
      const spend = Math.round((500 + random() * 4500) * 100) / 100;
      const impressions = Math.round(spend * (80 + random() * 40));
      const clicks = Math.round(impressions * (0.01 + random() * 0.03));
      const signups = Math.round(clicks * (0.02 + random() * 0.08));
      lines.push([week, channel, spend, impressions, clicks, signups].join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** What an export from a European spreadsheet looks like: `;`, Windows-1252, day-first dates. */
function staffCsv(): Buffer {
  const rows = [
    'Name;Département;Start date;Salary (€);Remote',
    'Zoë Müller;Ventes;15/03/2019;52000;Oui',
    'François Dupont;Finance;01/09/2020;61000;Non',
    'Ana Peña;Marketing;23/11/2021;48500;Oui',
    'Søren Kierkegaard;Finance;30/06/2018;70500;Non',
    'Chloé Bernard;Ventes;02/02/2022;45000;Oui',
  ];
  return iconv.encode(`${rows.join('\r\n')}\r\n`, 'windows-1252');
}

// 1. The demo account: registered once, then signed into on every run.
const register = await call('/api/v1/auth/register', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(demoAccount),
  expect: [201, 409],
});
const login = await call('/api/v1/auth/token', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: demoAccount.email, password: demoAccount.password }),
  expect: [200],
});
const { accessToken } = (await login.json()) as { accessToken: string };
const auth = { authorization: `Bearer ${accessToken}` };
console.log(`${register.status === 201 ? 'created' : 'found'} demo account ${demoAccount.email}`);

// 2. Datasets, skipped when the account already has one of that name.
const existing = (await (
  await call('/api/v1/datasets?limit=100', { headers: auth, expect: [200] })
).json()) as { items: { name: string }[] };
const files: { name: string; filename: string; body: string | Buffer }[] = [
  { name: 'Demo: online orders 2025', filename: 'orders-2025.csv', body: ordersCsv() },
  { name: 'Demo: weekly marketing spend', filename: 'marketing-weekly.csv', body: marketingCsv() },
  { name: 'Demo: staff list (semicolon, Windows-1252)', filename: 'staff.csv', body: staffCsv() },
];
for (const file of files) {
  if (existing.items.some((d) => d.name === file.name)) {
    console.log(`dataset "${file.name}" already there`);
    continue;
  }
  const res = await call(`/api/v1/datasets/upload?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    headers: {
      ...auth,
      'content-type': 'text/csv',
      'content-disposition': `attachment; filename="${file.filename}"`,
    },
    body: typeof file.body === 'string' ? file.body : new Uint8Array(file.body),
    expect: [201],
  });
  const { dataset } = (await res.json()) as { dataset: { rowCount: number; columns: unknown[] } };
  console.log(`uploaded "${file.name}": ${dataset.rowCount} rows, ${dataset.columns.length} columns`);
}

// 3. Portfolio visits (anonymous, as the public site sends them).
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
for (const visit of visits) {
  await call('/api/portfolio/visits', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(visit),
    expect: [202],
  });
}
console.log(`seeded ${visits.length} portfolio visits at ${baseUrl}`);
