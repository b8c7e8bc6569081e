/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server serves dist/ with an index.html fallback for client routes; hashed assets under /assets/.
// `npm run dev` proxies the API to a local server (see DEVELOPERS.md for starting one).
const api = 'http://127.0.0.1:18090';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', assetsDir: 'assets', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': { target: api, ws: true, changeOrigin: false } } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
