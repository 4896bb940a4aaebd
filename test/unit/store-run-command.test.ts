// runCommand feeds the keyring tools their input on stdin. A tool that exits without reading it
// (secret-tool without a D-Bus session) must give its exit code, not crash the process with an
// unhandled EPIPE (seen as a flaky CLI test under load). A 1 MiB input to `true` makes the broken
// pipe certain: the pipe buffer cannot hold it and nobody reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCommand } from '../../electron/store/node-secret-box.ts';

test('a tool that exits without reading its stdin gives its exit code, no unhandled EPIPE', async () => {
  const big = 'x'.repeat(1 << 20);
  assert.deepEqual(await runCommand('true', [], big), { code: 0, stdout: '' });
  assert.equal((await runCommand('false', [], big)).code, 1);
});
