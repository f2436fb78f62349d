import { defineConfig } from 'tsup';

// The server is bundled into one ESM file per entry; packages stay in node_modules (external).
export default defineConfig({
  entry: { main: 'src/server/main.ts' },
  outDir: 'dist/server',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: false,
});
