// electron/store/lock.ts across REAL processes: mutual exclusion of read-modify-write, a holder
// killed with SIGKILL is reaped at once (its pid is dead), a stale lock of an unknown holder is
// taken over after staleMs, a live holder makes waiters time out with a clear error.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLockError, withFileLock, withFileLockSync } from '../../electron/store/lock.ts';

const worker = join(import.meta.dirname, 'fixtures', 'lock-worker.ts');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'moa-lock-'));

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}
const exited = (c: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', (code) => resolve(code))));
const printed = (c: ChildProcess, text: string): Promise<void> =>
  new Promise((resolve, reject) => {
    let out = '';
    c.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) resolve();
    });
    c.once('exit', () => reject(new Error(`exited before printing ${text}`)));
  });

describe('withFileLock across processes', () => {
  test('6 processes x 25 read-modify-writes lose no increment', async () => {
    const dir = tmp();
    const file = join(dir, 'n');
    writeFileSync(file, '0');
    const kids = Array.from({ length: 6 }, () => run(['count', join(dir, 'n.lock'), file, '25']));
    const codes = await Promise.all(kids.map(exited));
    assert.deepEqual(codes, [0, 0, 0, 0, 0, 0]);
    assert.equal(readFileSync(file, 'utf8'), '150');
    assert.equal(existsSync(join(dir, 'n.lock')), false, 'the lock is released');
  });

  test('sync form: 6 processes x 40 read-modify-writes lose no increment; a dead holder is reaped', async () => {
    const dir = tmp();
    const file = join(dir, 'n');
    writeFileSync(file, '0');
    const lock = join(dir, 'n.lock');
    const kids = Array.from({ length: 6 }, () => run(['count-sync', lock, file, '40']));
    const codes = await Promise.all(kids.map(exited));
    assert.deepEqual(codes, [0, 0, 0, 0, 0, 0]);
    assert.equal(readFileSync(file, 'utf8'), '240');
    assert.equal(existsSync(lock), false);
    const holder = run(['hold', lock]);
    await printed(holder, 'locked');
    assert.throws(() => withFileLockSync(lock, () => 1, { timeoutMs: 200, staleMs: 60_000 }), FileLockError);
    holder.kill('SIGKILL');
    await exited(holder);
    assert.equal(withFileLockSync(lock, () => 'sync', { timeoutMs: 20_000, staleMs: 60_000 }), 'sync');
  });

  test('re-entrant within one async call chain, queued across chains', async () => {
    const lock = join(tmp(), 'r.lock');
    const order: string[] = [];
    await Promise.all([
      withFileLock(lock, async () => {
        order.push('a1');
        await withFileLock(lock, async () => {
          await new Promise((r) => setImmediate(r));
          order.push('a2');
        });
        order.push('a3');
      }),
      withFileLock(lock, async () => {
        order.push('b');
      }),
    ]);
    assert.deepEqual(order, ['a1', 'a2', 'a3', 'b']);
  });

  test('a holder killed with SIGKILL is reaped without waiting for staleness', async () => {
    const dir = tmp();
    const lock = join(dir, 'a.lock');
    const holder = run(['hold', lock]);
    await printed(holder, 'locked');
    // While it lives, nobody gets the lock.
    await assert.rejects(withFileLock(lock, async () => 1, { timeoutMs: 300, staleMs: 60_000 }), (e: unknown) => e instanceof FileLockError && e.reason === 'timeout');
    holder.kill('SIGKILL');
    await exited(holder);
    // staleMs 60 s > timeoutMs 20 s: only the dead-pid reaping can get us the lock in time.
    assert.equal(await withFileLock(lock, async () => 'got it', { timeoutMs: 20_000, staleMs: 60_000 }), 'got it');
    assert.equal(existsSync(lock), false);
  });

  test('a lock of an unknown holder (no owner, e.g. another host) is taken over once stale', async () => {
    const dir = tmp();
    const lock = join(dir, 'b.lock');
    mkdirSync(lock);
    writeFileSync(`${lock}.owner`, JSON.stringify({ pid: 1, host: 'another-host', nonce: 'x', ino: statSync(lock).ino }));
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    assert.equal(await withFileLock(lock, async () => 'taken', { timeoutMs: 20_000, staleMs: 5_000 }), 'taken');
    // Fresh: not taken over.
    mkdirSync(lock);
    await assert.rejects(withFileLock(lock, async () => 1, { timeoutMs: 300, staleMs: 60_000 }), FileLockError);
  });

  test('a lock held longer than its stale time stays ours: the owner record does not disturb the mtime bookkeeping', async () => {
    const lock = join(tmp(), 'long.lock');
    // proper-lockfile touches the lock every staleMs/2 and reports a compromise when its mtime is
    // not the one it set; holding for 1.5 x staleMs goes through such updates.
    const r = await withFileLock(
      lock,
      async () => {
        await new Promise((res) => setTimeout(res, 3_000));
        return 'kept';
      },
      { staleMs: 2_000 },
    );
    assert.equal(r, 'kept');
  });

  test('callers in one process queue; an error in fn releases the lock', async () => {
    const dir = tmp();
    const lock = join(dir, 'c.lock');
    let inside = 0;
    let max = 0;
    const jobs = Array.from({ length: 10 }, (_, i) =>
      withFileLock(lock, async () => {
        inside += 1;
        max = Math.max(max, inside);
        await new Promise((r) => setImmediate(r));
        inside -= 1;
        if (i === 3) throw new Error('boom');
        return i;
      }),
    );
    const results = await Promise.allSettled(jobs);
    assert.equal(max, 1);
    assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
    assert.equal(existsSync(lock), false);
  });

  test('an aborted wait stops with reason aborted', async () => {
    const dir = tmp();
    const lock = join(dir, 'd.lock');
    const holder = run(['hold', lock]);
    await printed(holder, 'locked');
    try {
      const ctl = new AbortController();
      const waiting = withFileLock(lock, async () => 1, { signal: ctl.signal });
      ctl.abort();
      await assert.rejects(waiting, (e: unknown) => e instanceof FileLockError && e.reason === 'aborted');
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
  });
});
