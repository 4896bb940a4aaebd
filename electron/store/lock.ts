// A lock held across processes (the CLI, the web host and the desktop app share one data dir):
// every read-modify-write of the accounts file and of an account's secrets, and every refresh,
// runs inside one. Without it two `mail-oauth token` processes refresh with the same rotating
// refresh token and the provider revokes the grant (AUTH-NOTES.md "Concurrency").
//
// Mechanism: proper-lockfile (an atomic mkdir of `lockPath`, whose mtime the holder touches every
// few seconds; a lock not touched for `staleMs` is taken over), plus what it lacks:
// - A holder killed with SIGKILL (kill -9, OOM killer) cannot clean up, and waiting `staleMs` for
//   each such lock is slow. The holder writes `<lockPath>.owner` (pid, host, nonce, the lock
//   directory's inode) beside the lock (not inside: that would change the directory's mtime,
//   which proper-lockfile uses to see that the lock is still its own). A waiter on the same host
//   that sees a dead pid reaps the lock at once: it checks the record belongs to the current lock
//   directory (inode), renames the record away (atomic: one reaper wins), checks the nonce, then
//   removes the directory. The one race left is the one proper-lockfile has itself: a lock that
//   is also mtime-stale can be reaped by two paths at once; the loser's holder then finds its
//   lock gone and fails with `compromised` (it is never silent).
// - Callers in one process queue in memory before touching the disk, so a process never polls
//   against itself. It is re-entrant within one async call chain (AsyncLocalStorage): a refresh
//   that holds an account's lock can call the secret store's set(), which takes the same lock.
// - withFileLockSync for the accounts file, whose store API is synchronous (conf, electron-store):
//   it blocks the thread while another process holds the lock (a read-modify-write of a small
//   JSON file, milliseconds). Never use the sync and async forms on the same path.
// If the lock is lost while `fn` runs (the event loop was blocked longer than `staleMs` and
// another process took over), the result is an error rather than a silent success.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import lockfile from 'proper-lockfile';

export type FileLockOptions = {
  /** Give up waiting after this long (ms); default 60 s (sync form: 30 s). */
  timeoutMs?: number;
  /** A lock untouched this long (ms) is stale and taken over; default 10 s (min 2 s). */
  staleMs?: number;
  /** Stop waiting when this aborts. */
  signal?: AbortSignal;
};

/** Thrown when the lock could not be taken in time (or the lock was lost while held). */
export class FileLockError extends Error {
  readonly lockPath: string;
  readonly reason: 'timeout' | 'compromised' | 'aborted';
  constructor(lockPath: string, reason: 'timeout' | 'compromised' | 'aborted', message: string) {
    super(message);
    this.name = 'FileLockError';
    this.lockPath = lockPath;
    this.reason = reason;
  }
}

type Owner = { pid: number; host: string; nonce: string; ino: number };

const HOST = hostname();
const inProcess = new Map<string, Promise<unknown>>();
/** The lock paths held by the current async call chain (re-entrancy). */
const held = new AsyncLocalStorage<ReadonlySet<string>>();
const ownerPath = (lockPath: string): string => `${lockPath}.owner`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): Owner | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(path, 'utf8')) as Partial<Owner>;
    return typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.nonce === 'string' && typeof v.ino === 'number'
      ? (v as Owner)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Just after taking the lock: say who holds it (for reaping if this process dies). */
function writeOwner(lockPath: string): void {
  const owner: Owner = { pid: process.pid, host: HOST, nonce: randomBytes(12).toString('hex'), ino: fs.statSync(lockPath).ino };
  fs.writeFileSync(ownerPath(lockPath), JSON.stringify(owner), { mode: 0o600 });
}

/** Remove the lock of a holder that died on this host. True when it was removed. Synchronous:
 * a handful of small fs calls, and the same code serves both lock forms. */
function reapDeadHolder(lockPath: string): boolean {
  const record = ownerPath(lockPath);
  const owner = readOwner(record);
  if (!owner || owner.host !== HOST || owner.pid === process.pid || alive(owner.pid)) return false;
  let ino: number;
  try {
    ino = fs.statSync(lockPath).ino;
  } catch {
    return false; // released meanwhile: just try again
  }
  // A record left from an earlier lock while a new holder is between its mkdir and its record.
  if (ino !== owner.ino) return false;
  const aside = join(dirname(lockPath), `.${basename(lockPath)}.reap-${randomBytes(6).toString('hex')}`);
  try {
    fs.renameSync(record, aside);
  } catch {
    return false; // another waiter won
  }
  const moved = readOwner(aside);
  if (moved?.nonce !== owner.nonce) {
    // The lock changed hands between our read and the rename: give the new holder its record
    // back (link fails if it already wrote a newer one).
    try {
      fs.linkSync(aside, record);
    } catch {
      // it has a newer record, or it released the lock already
    }
    fs.rmSync(aside, { force: true });
    return false;
  }
  fs.rmSync(aside, { force: true });
  try {
    fs.rmdirSync(lockPath);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

function traceWait(lockPath: string): void {
  // Diagnostics (and the concurrency tests, which wait until every process is queued).
  if (process.env.MAIL_OAUTH_DEBUG_LOCKS === '1') process.stderr.write(`mail-oauth: waiting for lock ${basename(lockPath)}\n`);
}

async function acquire(lockPath: string, o: FileLockOptions, onCompromised: (e: Error) => void): Promise<() => Promise<void>> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const stale = Math.max(o.staleMs ?? 10_000, 2_000);
  const started = Date.now();
  let delay = 4;
  let traced = false;
  await fs.promises.mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
  for (;;) {
    if (o.signal?.aborted) throw new FileLockError(lockPath, 'aborted', `Stopped waiting for the lock ${lockPath}.`);
    try {
      const release = await lockfile.lock(lockPath, { lockfilePath: lockPath, realpath: false, stale, retries: 0, onCompromised });
      try {
        writeOwner(lockPath);
      } catch (e) {
        await release().catch(() => undefined);
        throw e;
      }
      return async () => {
        // The record first: once the directory is gone, the next holder writes its own.
        fs.rmSync(ownerPath(lockPath), { force: true });
        // Synchronous, as the record: one rmdir, where the asynchronous release's round trip
        // through libuv's thread pool took ~3 ms of a refresh whose token waits for it.
        lockfile.unlockSync(lockPath, { lockfilePath: lockPath, realpath: false });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    }
    if (reapDeadHolder(lockPath)) continue;
    if (!traced) traceWait(lockPath);
    traced = true;
    if (Date.now() - started >= timeoutMs) {
      throw new FileLockError(lockPath, 'timeout', `Another process held the lock ${lockPath} for more than ${Math.round(timeoutMs / 1000)} s.`);
    }
    // Jittered backoff: many waiters must not retry in lock step.
    await sleep(delay * (0.5 + Math.random()), o.signal);
    delay = Math.min(delay * 1.5, 100);
  }
}

/**
 * Run `fn` while holding the lock `lockPath` (a directory that must not exist otherwise) against
 * every other process and every other caller in this process. Throws FileLockError when the lock
 * is not obtained within `timeoutMs`, or when it was lost while `fn` ran.
 */
export function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  return locked(lockPath, fn, opts, true);
}

/** The same queueing and re-entrancy within this process only, no file (memory-only stores). */
export function withProcessLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  return locked(`process:${key}`, fn, {}, false);
}

async function locked<T>(lockPath: string, fn: () => Promise<T>, opts: FileLockOptions, onDisk: boolean): Promise<T> {
  const outer = held.getStore();
  if (outer?.has(lockPath)) return fn();
  const prev = inProcess.get(lockPath) ?? Promise.resolve();
  const run = async (): Promise<T> => {
    let compromised: Error | undefined;
    const release = onDisk
      ? await acquire(lockPath, opts, (e) => {
          compromised = e;
        })
      : async (): Promise<void> => undefined;
    let result: T;
    try {
      result = await held.run(new Set([...(outer ?? []), lockPath]), fn);
    } finally {
      // After a compromise the directory may be another holder's now: leave it alone.
      if (!compromised) await release().catch(() => undefined);
    }
    if (compromised) {
      throw new FileLockError(lockPath, 'compromised', `The lock ${lockPath} was taken over while in use (${compromised.message}).`);
    }
    return result;
  };
  const next = prev.then(run, run);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  inProcess.set(lockPath, settled);
  void settled.then(() => {
    if (inProcess.get(lockPath) === settled) inProcess.delete(lockPath);
  });
  return next;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Synchronous withFileLock (for the accounts file behind the synchronous conf API): blocks while
 * another process holds the lock. Not re-entrant; no in-process queue is needed (a sync `fn`
 * cannot interleave with another sync `fn` of this thread).
 */
export function withFileLockSync<T>(lockPath: string, fn: () => T, opts: Omit<FileLockOptions, 'signal'> = {}): T {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const stale = Math.max(opts.staleMs ?? 10_000, 2_000);
  const started = Date.now();
  let delay = 2;
  let traced = false;
  fs.mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
  let release: (() => void) | undefined;
  let compromised: Error | undefined;
  while (!release) {
    try {
      release = lockfile.lockSync(lockPath, {
        lockfilePath: lockPath,
        realpath: false,
        stale,
        onCompromised: (e) => {
          compromised = e;
        },
      });
      try {
        writeOwner(lockPath);
      } catch (e) {
        release();
        throw e;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
      if (reapDeadHolder(lockPath)) continue;
      if (!traced) traceWait(lockPath);
      traced = true;
      if (Date.now() - started >= timeoutMs) {
        throw new FileLockError(lockPath, 'timeout', `Another process held the lock ${lockPath} for more than ${Math.round(timeoutMs / 1000)} s.`);
      }
      sleepSync(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 1.5, 50);
    }
  }
  try {
    return fn();
  } finally {
    if (!compromised) {
      fs.rmSync(ownerPath(lockPath), { force: true });
      try {
        release();
      } catch {
        // already released by a compromise
      }
    }
  }
}
