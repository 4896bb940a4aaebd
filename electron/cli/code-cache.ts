// A V8 code cache for the CLI's larger chunks, made at the end of a run (issue 10: a refresh,
// `test --account`). Node's compile cache (bin/mail-oauth.cjs enables it) stores the code V8
// compiled before a file ran: the top level, and the functions V8 compiles eagerly. Every other
// function of openid-client, MSAL, imapflow, nodemailer, zod's schemas and the store is compiled
// again on every start, the first time it is called. A cache made after the run holds those too.
//
// Only the chunks a `token` call with a saved token never loads (the shared start, the token path
// and the bundler's runtime stay with Node's cache, so that call does not load node:vm). One
// cache file per chunk file version and command: each command keeps the functions it
// runs, and a file is written only when there was none or V8 refused it (another Node, other
// flags), at exit, to a temporary name and renamed, so processes started together never read a
// half-written file. They live in a folder of Node's compile cache directory: what could write
// there could already change Node's own cache, so this trusts little new; the folder is still
// made private (0700) and used only while it is this user's and writable by no one else.
// NODE_DISABLE_COMPILE_CACHE (no directory) turns both off.
import Module from 'node:module';
import { basename, dirname, join } from 'node:path';
import type fsModule from 'node:fs';
import type { Script } from 'node:vm';

type CompilingModule = Module & { _compile(content: string, filename: string, ...rest: unknown[]): unknown };

export type CodeCacheOptions = {
  /** The bundle's chunks directory: only files directly in it are cached here. */
  chunksDir: string;
  /** Chunk file names left to Node's compile cache. */
  skip: RegExp;
  /** The command being run (part of the cache key): `token`, `test`, ... */
  command: string;
  /** Where the files go: Node's compile cache directory; undefined turns this off. */
  cacheDir: string | undefined;
};

/** File name part for a command: letters and dashes only, anything else is `other`. */
export const commandKey = (command: string | undefined): string =>
  command !== undefined && /^[a-z][a-z-]{0,31}$/.test(command) ? command : 'other';

/**
 * Compile the eligible chunks with vm.Script and a code cache of an earlier run, and write the
 * missing caches at exit. Returns false (and changes nothing) without a cache directory or on a
 * Node without process.getBuiltinModule.
 */
export function installCodeCache(o: CodeCacheOptions): boolean {
  // process.getBuiltinModule (Node 20.16, 22.3): this file runs as CommonJS in the bundle and as
  // an ES module from source; node:vm and node:crypto load only once a chunk is compiled here.
  const builtin = (process as { getBuiltinModule?: NodeJS.Process['getBuiltinModule'] }).getBuiltinModule;
  if (o.cacheDir === undefined || typeof builtin !== 'function') return false;
  const dir = join(o.cacheDir, 'mail-oauth');
  const toWrite: Array<{ script: Script; file: string }> = [];
  const proto = Module.prototype as CompilingModule;
  const original = proto._compile;
  // Whether the folder may be read and written (ownDirectory), checked once.
  let trusted: boolean | undefined;
  // Node's own path gets every argument it was given (Node 22 passes the module format too).
  proto._compile = function compile(this: CompilingModule, content: string, filename: string, ...rest: unknown[]): unknown {
    if (dirname(filename) !== o.chunksDir || o.skip.test(basename(filename))) return original.call(this, content, filename, ...rest);
    const vm = builtin('node:vm');
    const fs = builtin('node:fs');
    trusted ??= ownDirectory(fs, dir) !== false;
    if (!trusted) return original.call(this, content, filename, ...rest);
    // Which text this is: V8 itself checks only the source's length. The chunk's name holds the
    // bundler's hash of its content (a new build, new names); its size, modification time and
    // inode tell a file changed or replaced in place. A stat, where hashing the text cost ~4 ms
    // of a `test --account` (the IMAP chunk is 1.2 MB).
    const st = statOf(fs, filename);
    if (st === undefined) return original.call(this, content, filename, ...rest);
    const file = join(dir, `${basename(filename, '.cjs')}-${st.size}-${st.mtimeNs}-${st.ino}-${o.command}.v8`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    if (cachedData === undefined || script.cachedDataRejected === true) toWrite.push({ script, file });
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return fn.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename));
  };
  process.once('exit', () => writeCaches(builtin('node:fs'), dir, toWrite));
  return true;
}

/** The file's size, modification time (ns) and inode, or undefined when it cannot be read. */
function statOf(fs: typeof fsModule, path: string): fsModule.BigIntStats | undefined {
  try {
    return fs.statSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

/**
 * Whether `dir` is a directory of this user that no one else can write to (POSIX; elsewhere any
 * directory): undefined when it does not exist yet. Code read from elsewhere would run as ours.
 */
function ownDirectory(fs: typeof fsModule, dir: string): boolean | undefined {
  let s: fsModule.Stats;
  try {
    s = fs.lstatSync(dir);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : false;
  }
  if (!s.isDirectory()) return false;
  return typeof process.getuid !== 'function' || (s.uid === process.getuid() && (s.mode & 0o022) === 0);
}

/** At exit, synchronously: a cache that cannot be written is only a slower next start. */
function writeCaches(fs: typeof fsModule, dir: string, entries: ReadonlyArray<{ script: Script; file: string }>): void {
  if (entries.length === 0) return;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return;
  }
  if (ownDirectory(fs, dir) !== true) return;
  for (const { script, file } of entries) {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // nothing left to do
      }
    }
  }
}
