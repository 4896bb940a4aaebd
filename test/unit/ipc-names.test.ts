// The preload bundles only shared/ipc-names.ts: its lists must be exactly the contract's channels and
// events (the type check in shared/ipc.ts catches a missing name; this also catches order and spelling
// at run time, and that the preload does not pull the contract back in).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRIDGE_KEY, CHANNELS, EVENT_NAMES } from '../../shared/ipc.ts';
import { BRIDGE_KEY as NAMES_BRIDGE_KEY, CHANNEL_NAMES, EVENT_NAME_LIST, isEventNameOnly } from '../../shared/ipc-names.ts';

test('the preload name lists equal the contract keys', () => {
  assert.deepEqual([...CHANNEL_NAMES], CHANNELS);
  assert.deepEqual([...EVENT_NAME_LIST], EVENT_NAMES);
  assert.equal(NAMES_BRIDGE_KEY, BRIDGE_KEY);
  assert.equal(isEventNameOnly('probe:progress'), true);
  assert.equal(isEventNameOnly('toString'), false);
  assert.equal(isEventNameOnly('ipc'), false);
});

test('the preload imports the contract for types only', () => {
  const src = readFileSync(join(import.meta.dirname, '..', '..', 'electron', 'app', 'preload.ts'), 'utf8');
  const valueImports = [...src.matchAll(/^import\s+(?!type\b)[^;]*from\s+'([^']+)'/gm)].map((m) => m[1]);
  assert.deepEqual(valueImports.sort(), ['../../shared/ipc-names.ts', 'electron'].sort());
});
