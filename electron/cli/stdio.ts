// The CLI's stdout and stderr (electron/cli.ts runCli), built only when something needs the stream
// itself. Node builds process.stdout on first access, and for a pipe (how a mail client reads
// `mail-oauth token`) that loads net and the stream classes: ~7 ms of a call that only writes its
// one line (issue 10). No imports but node:fs: the CLI's entry loads this before any command.
import { fstatSync, writeSync } from 'node:fs';

export type LazyStdio<T> = T & {
  /** Whether the stream itself was built (then it may hold output to flush before exit). */
  readonly streamCreated: boolean;
};

/**
 * `stream()` (process.stdout or process.stderr) as it is, except that until something needs more
 * than a write, a write of text goes to the descriptor `fd` directly and synchronously (as Node
 * itself writes to a pipe or a file on POSIX), so the stream is never built. Any other use (isTTY,
 * columns, piping into it, events), a terminal or Windows (where the stream converts for the
 * console), or a write the descriptor refuses (EAGAIN: a full non-blocking pipe; EPIPE...) builds
 * the stream, and from then on everything goes through it, in order: what was written directly
 * is already out.
 */
export function lazyStdio<T extends NodeJS.WritableStream>(fd: number, stream: () => T, platform: NodeJS.Platform = process.platform): LazyStdio<T> {
  let built: T | undefined;
  let direct: boolean | undefined;
  const real = (): T => (built ??= stream());
  const canWriteDirectly = (): boolean => {
    if (direct === undefined) {
      try {
        const st = fstatSync(fd);
        direct = platform !== 'win32' && (st.isFIFO() || st.isFile() || st.isSocket());
      } catch {
        direct = false;
      }
    }
    return direct;
  };
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (built === undefined && canWriteDirectly() && (typeof chunk === 'string' || chunk instanceof Uint8Array)) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : chunk;
      let done = 0;
      try {
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      } catch {
        // The stream takes over from here, with what is left (it reports an error as it always did).
        direct = false;
        return (real().write as (c: Uint8Array, cb?: unknown) => boolean)(bytes.subarray(done), cb);
      }
      if (typeof cb === 'function') process.nextTick(cb as () => void);
      return true;
    }
    return (real().write as (c: unknown, e?: unknown, cb?: unknown) => boolean)(chunk, encoding, callback);
  };
  return new Proxy({} as LazyStdio<T>, {
    get(_, key) {
      if (key === 'write') return write;
      if (key === 'streamCreated') return built !== undefined;
      const s = real();
      const value: unknown = Reflect.get(s, key, s);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(s) : value;
    },
    set(_, key, value) {
      return Reflect.set(real(), key, value);
    },
    has(_, key) {
      return key === 'streamCreated' || Reflect.has(real(), key);
    },
  });
}
