// The CLI bundle's built-ins by require() (tools/builtins-by-require.ts): a module bundled with the
// step imports no built-in but node:module, every kind of import still gets its value, a getter
// (tls.rootCertificates) still works when read, and Node's fs stream code is no longer loaded by
// the import alone; built without the step, the same module does load it (what the step is for).
// Built by Vite itself, as `npm run build` does, so the bundler's own parser and output are used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinName, builtinsByRequire } from '../../tools/builtins-by-require.ts';
import { bundleForNode } from './vite-node-bundle.ts';

const SOURCE = `#!/usr/bin/env node
import { existsSync as exists, readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import path from 'node:path';
import { join, "sep" as separator } from 'path';
import 'node:os';
import { createRequire } from 'node:module';
export const seen = {
  exists: typeof exists,
  read: typeof readFileSync,
  joined: path.join('a', 'b') === join('a', 'b'),
  separator,
  roots: () => tls.rootCertificates.length,
  createRequire: typeof createRequire,
};
`;

async function bundle(withStep: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'moa-builtins-by-require-'));
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, SOURCE);
  return bundleForNode(entry, join(dir, 'out'), withStep ? [builtinsByRequire()] : []);
}

/** Import the bundle in a fresh Node: its values, and whether fs's stream code got loaded. */
function run(file: string): { seen: Record<string, unknown>; streamsLoaded: boolean } {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
const streamsLoaded = process.moduleLoadList.includes('NativeModule internal/fs/streams');
console.log(JSON.stringify({ seen: { ...m.seen, roots: m.seen.roots() }, streamsLoaded }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { seen: Record<string, unknown>; streamsLoaded: boolean };
}

test('which imports are rewritten: built-ins with or without node:, not node:module, not packages', () => {
  assert.equal(builtinName('node:fs'), 'fs');
  assert.equal(builtinName('fs/promises'), 'fs/promises');
  assert.equal(builtinName('node:module'), undefined);
  assert.equal(builtinName('vite'), undefined);
});

test('a bundle built with the step: only node:module imported, every value there, no fs streams loaded', async () => {
  const file = await bundle(true);
  const code = readFileSync(file, 'utf8');
  const imported = [...code.matchAll(/^import\b.*?from\s*"([^"]+)"/gm)].map((m) => m[1]);
  assert.deepEqual([...new Set(imported)], ['node:module'], code);
  assert.ok(code.startsWith('#!/usr/bin/env node\n'), 'the #! line stays first');
  const { seen, streamsLoaded } = run(file);
  assert.deepEqual({ ...seen, roots: (seen.roots as number) > 10 }, {
    exists: 'function',
    read: 'function',
    joined: true,
    separator: '/',
    roots: true,
    createRequire: 'function',
  });
  assert.equal(streamsLoaded, false, 'importing node:fs no longer loads its stream classes');
});

test('the same module built without the step loads fs streams (the cost the step removes)', async () => {
  const file = await bundle(false);
  assert.match(readFileSync(file, 'utf8'), /from "node:fs"/);
  assert.equal(run(file).streamsLoaded, true);
});
