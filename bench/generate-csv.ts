import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync } from 'node:fs';

/**
 * A mixed-type CSV like the analysts' files the ingest benchmark is held to: 12 columns (ints,
 * bigints, doubles, booleans, ISO dates, timestamps, short texts, some quoted with commas, some
 * empty cells), about 140 bytes a row. Deterministic: the same rows every time.
 */
export async function generateCsv(path: string, rows: number): Promise<void> {
  if (existsSync(path)) return;
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const cities = ['Lyon', 'Paris', 'Berlin', 'Madrid', 'Rome', 'Oslo', 'Porto', 'Ghent'];
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india'];
  const pad = (n: number) => String(n).padStart(2, '0');
  out.write(
    'order_id,customer_id,amount,quantity,is_paid,order_date,created_at,customer_name,city,product_code,discount,note\n',
  );
  let batch = '';
  for (let i = 1; i <= rows; i++) {
    const day = new Date(Date.UTC(2020, 0, 1) + Math.floor(random() * 1500) * 86_400_000);
    const date = `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
    const time = `${date}T${pad(Math.floor(random() * 24))}:${pad(Math.floor(random() * 60))}:${pad(Math.floor(random() * 60))}Z`;
    const word = words[Math.floor(random() * words.length)] as string;
    const city = cities[Math.floor(random() * cities.length)] as string;
    const name = random() < 0.1 ? `"${word}, ${city} ""ltd"""` : `${word} ${city.toLowerCase()}`;
    batch += [
      i,
      9_000_000_000 + Math.floor(random() * 1_000_000_000),
      (random() * 10_000).toFixed(2),
      Math.floor(random() * 50),
      random() < 0.5 ? 'true' : 'false',
      date,
      time,
      name,
      random() < 0.05 ? `"${city}, FR"` : city,
      `P${String(Math.floor(random() * 100_000)).padStart(6, '0')}`,
      random() < 0.2 ? '' : (random() * 0.5).toFixed(4),
      random() < 0.3
        ? ''
        : `${word} order shipped to the ${city} depot in box ${Math.floor(random() * 1000)}`,
    ].join(',');
    batch += '\n';
    if (i % 10_000 === 0) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  renameSync(partial, path);
}
