// Three bundles: main (ESM, Node deps external), preload (CommonJS: sandboxed preloads cannot be
// ESM), renderer (React).
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/app/main.ts') },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require packages: everything it imports is bundled, which is why
      // it imports only the contract's names (shared/ipc-names.ts), not zod and the schemas.
      externalizeDeps: false,
      minify: true,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/app/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    build: {
      // electron-vite leaves bundles unminified; the renderer is what the window parses at every
      // start (budget: initial JS <= 120 KB gzip, `npm run bench:bundle`).
      minify: true,
      rollupOptions: { input: resolve(import.meta.dirname, 'renderer/index.html') },
    },
    plugins: [react()],
  },
});
