// The CLI's lazily built stdout/stderr (electron/cli/stdio.ts): text goes straight to a file or
// pipe descriptor without building the stream; anything else builds it, and from then on every
// write goes through it, in order; Windows, a descriptor that is no file, pipe or socket, and one
// that refuses a write get the stream as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lazyStdio } from '../../electron/cli/stdio.ts';

/** A stand-in for process.stdout that records what reaches it. */
function recorder(): { stream: NodeJS.WritableStream & { isTTY: boolean }; got: string[] } {
  const got: string[] = [];
  const stream = {
    isTTY: false,
    write(chunk: string | Uint8Array, a?: unknown, b?: unknown) {
      got.push(Buffer.from(chunk).toString('utf8'));
      const cb = typeof a === 'function' ? a : b;
      if (typeof cb === 'function') process.nextTick(cb as () => void);
      return true;
    },
  } as unknown as NodeJS.WritableStream & { isTTY: boolean };
  return { stream, got };
}

function tempFile(): { path: string; fd: number } {
  const path = join(mkdtempSync(join(tmpdir(), 'moa-stdio-')), 'out.txt');
  writeFileSync(path, '');
  return { path, fd: openSync(path, 'a') };
}

test('text to a file goes straight to the descriptor; the stream is never built', async () => {
  const { path, fd } = tempFile();
  let factoryCalls = 0;
  const out = lazyStdio<NodeJS.WritableStream>(fd, () => {
    factoryCalls += 1;
    throw new Error('the stream should not be built');
  }, 'linux');
  assert.equal(out.write('token-ä\n'), true);
  out.write(Buffer.from('bytes\n'));
  await new Promise<void>((resolve) => out.write('last\n', () => resolve()));
  closeSync(fd);
  assert.equal(readFileSync(path, 'utf8'), 'token-ä\nbytes\nlast\n');
  assert.equal(out.streamCreated, false);
  assert.equal(factoryCalls, 0);
});

test('any other use builds the stream, and every later write goes through it, after what was written', () => {
  const { path, fd } = tempFile();
  const r = recorder();
  const out = lazyStdio(fd, () => r.stream, 'linux');
  out.write('first\n');
  assert.equal(out.streamCreated, false);
  assert.equal((out as unknown as { isTTY: boolean }).isTTY, false, 'read from the stream');
  assert.equal(out.streamCreated, true);
  out.write('second\n');
  closeSync(fd);
  assert.equal(readFileSync(path, 'utf8'), 'first\n');
  assert.deepEqual(r.got, ['second\n']);
});

test('on Windows, or a descriptor that fstat cannot call a file, pipe or socket (here a closed one): the stream from the first write', () => {
  const { fd } = tempFile();
  const r = recorder();
  const out = lazyStdio(fd, () => r.stream, 'win32');
  out.write('x');
  assert.equal(out.streamCreated, true);
  assert.deepEqual(r.got, ['x']);
  closeSync(fd);
  // A descriptor that is not open: no direct write is tried.
  const r2 = recorder();
  const closed = lazyStdio(fd, () => r2.stream, 'linux');
  closed.write('y');
  assert.deepEqual(r2.got, ['y']);
});

test('a descriptor that refuses the write: the stream takes it over, nothing lost', async () => {
  const { path } = tempFile();
  const readOnly = openSync(path, 'r');
  const r = recorder();
  const out = lazyStdio(readOnly, () => r.stream, 'linux');
  await new Promise<void>((resolve) => out.write('kept\n', () => resolve()));
  assert.deepEqual(r.got, ['kept\n']);
  assert.equal(out.streamCreated, true);
  closeSync(readOnly);
});
