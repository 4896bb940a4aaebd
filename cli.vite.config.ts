// The command-line tool's bundle (`npm run build` runs it after electron-vite): one ESM file,
// out/cli/mail-oauth.js, with every dependency inside (an installed `mail-oauth` and the copy
// shipped in the desktop app's resources need no node_modules), and one lazily loaded chunk per
// command group (electron/cli/registry.ts) so `token` loads only what it runs: no imapflow,
// nodemailer, discovery or MSAL unless the command or the account needs them.
// Target node20: mail clients call the `node` on PATH, which is often the distribution's Node 20.
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as { version: string };
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  define: { __MAIL_OAUTH_VERSION__: JSON.stringify(pkg.version) },
  build: {
    // MOA_CLI_OUT_DIR: the install test builds a private copy (never under a running test's feet).
    outDir: process.env.MOA_CLI_OUT_DIR ?? resolve(import.meta.dirname, 'out', 'cli'),
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    ssr: true,
    rollupOptions: {
      input: { 'mail-oauth': resolve(import.meta.dirname, 'electron', 'cli.ts') },
      external: (id) => builtins.has(id),
      output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
    },
  },
  ssr: { noExternal: true, target: 'node' },
});
