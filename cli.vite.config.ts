// The command-line tool's bundle (`npm run build` runs it after electron-vite): one CommonJS file,
// out/cli/mail-oauth.cjs, with every dependency inside but the native keyring binding, and one lazily loaded chunk per
// command group (electron/cli/registry.ts) so `token` loads only what it runs: no imapflow,
// nodemailer, discovery or MSAL unless the command or the account needs them.
// Target node20: mail clients call the `node` on PATH, which is often the distribution's Node 20.
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { lazyLibmimeGbk } from './tools/lazy-libmime-gbk.ts';
import { fetchLiteImports } from './tools/fetch-lite-imports.ts';
import { eagerModuleWrappersPlugin } from './tools/eager-module-wrappers.ts';

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as { version: string };
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

export default defineConfig({
  publicDir: false,
  // openid-client and oauth4webapi on our Headers/Response, not undici's (tools/fetch-lite-imports.ts).
  // CommonJS dependencies compiled with their chunk, so the compile cache keeps them (tools/eager-module-wrappers.ts).
  plugins: [fetchLiteImports(), lazyLibmimeGbk(), eagerModuleWrappersPlugin()],
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
      // @napi-rs/keyring is a native library (a .node file per platform): it stays a package,
      // resolved from node_modules beside the bundle (the checkout's, or the copy the packaged
      // app ships in resources/cli/node_modules).
      external: (id) => builtins.has(id) || id === '@napi-rs/keyring' || id.startsWith('@napi-rs/keyring-'),
      output: {
        // CommonJS, loaded by bin/mail-oauth.cjs with require(): an ES module entry makes Node set
        // up its ESM loader first (~6 ms of every call), and built-ins are then plain require()
        // calls, which never build Node's ESM facades (node:fs's streams, node:https's undici).
        format: 'cjs',
        // A dynamic import of a built-in becomes a require() too: the chunks compiled from the code
        // cache (electron/cli/code-cache.ts) run in a vm.Script, where import() would need Node's
        // experimental default-loader option, which prints a warning to the mail client's stderr.
        dynamicImportInCjs: false,
        // ASCII only (other characters escaped, JSDoc comments left out; licence comments stay):
        // V8 keeps a source with a single non-ASCII character as two-byte text, slower to read,
        // hash for the compile cache and compile on every start (test/integration/bundle-budget.test.ts).
        charset: 'ascii',
        comments: { legal: true, annotation: false, jsdoc: false },
        // `token` with a saved token, what mail clients run on every connection, reads 5 files
        // instead of 16: each module file costs its own resolution (realpath), read, cache lookup
        // and link (~0.3 ms each measured alone; 54.6 instead of 58.3 ms a call, 81 interleaved
        // runs). The shared start (`--help` loads only it) and the token path are one chunk each;
        // everything else is split as the bundler chooses, per command (electron/cli/registry.ts).
        codeSplitting: {
          groups: [
            { name: 'base', test: /electron[\\/](cli[\\/](command|exit|version|code-cache)|core[\\/]exit-process)\.ts$/ },
            {
              name: 'token',
              test: /(electron[\\/](cli[\\/](token-command|token-fast|args|locate)|core[\\/](data-dir|ports)|store[\\/](node-secret-box|secret-file|aes-secret-box|keyring)|health[\\/]usage)|shared[\\/](app-error|diagnostics)(\.ts|[\\/]))/,
            },
          ],
        },
        entryFileNames: '[name].cjs',
        chunkFileNames: 'chunks/[name]-[hash].cjs',
      },
    },
  },
  ssr: { noExternal: true, target: 'node' },
  // imapflow's SOCKS proxy support and its default logger, which the CLI never uses: not loaded
  // (electron/cli/socks-stub.ts, electron/cli/pino-stub.ts); graceful-fs's patching of fs, which it
  // does not need (electron/cli/graceful-fs-stub.cjs).
  resolve: {
    alias: {
      socks: resolve(import.meta.dirname, 'electron', 'cli', 'socks-stub.ts'),
      pino: resolve(import.meta.dirname, 'electron', 'cli', 'pino-stub.ts'),
      'graceful-fs': resolve(import.meta.dirname, 'electron', 'cli', 'graceful-fs-stub.cjs'),
    },
  },
});
