/**
 * Production bundle sizes of the web app, held to issue 4's budget: the JavaScript a first visit
 * must load (the entry and the chunks index.html preloads) under 200 kB gzip. Lazy route chunks
 * are listed with their sizes too.
 *
 *   npm run build:web && npx tsx bench/web-bundle.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = resolve(import.meta.dirname, '../dist/web');
const budgetBytes = 200 * 1024;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [
  ...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g),
].map((m) => m[1]!);
const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+\.css)"/g)].map((m) => m[1]!);

const gz = (file: string) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const raw = (file: string) => readFileSync(join(dist, file)).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

console.log('initial route (loaded by every first visit):');
let initialGz = 0;
for (const file of initial) {
  initialGz += gz(file);
  console.log(`  ${file.padEnd(48)} ${kb(raw(file)).padStart(10)} raw ${kb(gz(file)).padStart(10)} gzip`);
}
for (const file of css)
  console.log(`  ${file.padEnd(48)} ${kb(raw(file)).padStart(10)} raw ${kb(gz(file)).padStart(10)} gzip`);
console.log(
  `  initial JS total ${kb(initialGz)} gzip, budget ${kb(budgetBytes)}: ${(initialGz / budgetBytes).toFixed(2)} of budget`,
);

console.log('\nlazy chunks (loaded by the route that needs them):');
const lazy = readdirSync(join(dist, 'assets'))
  .filter((f) => f.endsWith('.js') && !initial.includes(`assets/${f}`))
  .map((f) => ({ file: `assets/${f}`, gz: gz(`assets/${f}`) }))
  .sort((a, b) => b.gz - a.gz);
for (const { file, gz: size } of lazy) console.log(`  ${file.padEnd(48)} ${kb(size).padStart(10)} gzip`);
