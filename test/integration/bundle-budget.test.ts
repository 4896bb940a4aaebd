// The size budgets of issue 18 on the bundles `npm test` just built (npm run build runs first):
// a new heavy import in the renderer's start path, or the contract pulled back into the preload,
// fails here with the table of sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUDGETS, formatReport, measureBundles } from '../speed/bundle.ts';

test('renderer initial JS <= 120 KB gzip and preload <= 10 KB, the wizard loads lazily', () => {
  const r = measureBundles(join(import.meta.dirname, '..', '..'));
  const table = formatReport(r);
  assert.ok(r.initialGzip <= BUDGETS.initialRendererGzip, table);
  assert.ok(r.preload.raw <= BUDGETS.preloadRaw, table);
  assert.ok(r.initialGzip > 10 * 1024, `implausibly small initial JS, the measurement missed the entry:\n${table}`);
  assert.ok(r.lazy.some((f) => /wizard/.test(f.file)), `the wizard is its own lazily loaded chunk:\n${table}`);
  assert.doesNotMatch(r.preload.file, /\.map$/);
});

/** Every file of the command-line bundle, by its path under out/cli. */
function cliFiles(): string[] {
  const dir = join(import.meta.dirname, '..', '..', 'out', 'cli');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.cjs'));
  assert.ok(files.length > 10, `out/cli holds the bundle and its chunks: ${files.join(', ')}`);
  return files;
}
const cliText = (f: string): string => readFileSync(join(import.meta.dirname, '..', '..', 'out', 'cli', f), 'utf8');

test('the command-line bundle is ASCII only: V8 keeps a source with one other character as two-byte text', () => {
  // Every `mail-oauth` start reads, hashes (compile cache) and compiles these files: a single
  // non-ASCII character (a comment in a dependency, a “quote” in a message) doubles the text's size
  // in memory and slows each step; the IMAP chunk loaded ~7 ms faster once escaped
  // (cli.vite.config.ts: charset 'ascii', JSDoc comments left out).
  const offending = cliFiles().flatMap((f) => {
    const text = cliText(f);
    const at = text.search(/[\u0080-\uffff]/);
    return at === -1 ? [] : [`${f}: ${JSON.stringify(text.slice(Math.max(0, at - 30), at + 10))}`];
  });
  assert.deepEqual(offending, []);
});

test('the command-line bundle has no dynamic import(): built-ins are require()d', () => {
  // electron/cli/code-cache.ts runs the chunks in a vm.Script, where an import() fails unless it is
  // given Node's experimental default loader, which prints an ExperimentalWarning on the stderr of
  // the mail client that started the command (cli.vite.config.ts: dynamicImportInCjs false).
  const offending = cliFiles().flatMap((f) => {
    const text = cliText(f);
    const at = text.search(/(?<![\w$.])import\s*\(/);
    return at === -1 ? [] : [`${f}: ${JSON.stringify(text.slice(Math.max(0, at - 30), at + 30))}`];
  });
  assert.deepEqual(offending, []);
});
