import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The admin app: one build served by the server at /admin and loaded by the desktop app from
 * app://roster/. Relative asset URLs and hash routing make the same files work under both.
 */
export default defineConfig({
  root: path.join(here, 'renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: path.join(here, '..', 'dist', 'admin'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(['/api', '/scim', '/healthz', '/readyz', '/openapi.json'].map((p) => [p, { target: process.env.ROSTER_URL ?? 'http://127.0.0.1:8080', changeOrigin: false }])),
  },
});
