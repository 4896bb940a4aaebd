// The size budgets of issue 18 on the bundles `npm test` just built (npm run build runs first):
// a new heavy import in the renderer's start path, or the contract pulled back into the preload,
// fails here with the table of sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
