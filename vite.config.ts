import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/web',
  plugins: [react()],
  build: { outDir: '../../dist/web', emptyOutDir: true },
  server: {
    port: 3000,
    proxy: { '/api': 'http://localhost:8000', '/health': 'http://localhost:8000' },
  },
});
