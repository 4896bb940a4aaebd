// Atomic and durable replacement of a small file, for the stores (json-file.ts: the accounts file
// and preferences; secret-store.ts: an account's secrets): a temp file beside it, written and
// fsynced, then renamed over it, so a reader sees the old content or the new, never a part, and
// a crash leaves one of the two. Synchronous: each step is microseconds of work plus the disk's
// own wait, where as promises each also took a round trip through libuv's thread pool (~5 ms in
// all on a first write, against ~1.5 ms) on the path of a refreshed token (issue 10).
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Replace `path` with `content`. `mode`: the new file's permissions (before the umask);
 * `syncDirectory`: also fsync the directory, so that the rename itself survives a crash (best
 * effort: Windows cannot open a directory, some file systems refuse it). Throws what the write
 * throws; the temp file is removed then.
 */
export function replaceFileSync(path: string, content: string | Buffer, o: { mode: number; syncDirectory?: boolean }): void {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', o.mode);
    try {
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The write's own error is the one to report.
    }
    throw e;
  }
  if (o.syncDirectory === true) syncDirectory(dirname(path));
}

/** fsync a directory so a rename in it survives a crash (best effort, see replaceFileSync). */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a directory; some file systems refuse fsync on one.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
