// A JSON settings file for the Node shells (CLI, web host, tests): the part of conf that the
// account store and the preferences use (ConfLike in account-store.ts: get and set of top-level
// keys), with conf's behaviour where they rely on it: the file is read on every get (another
// process may have written it), a file that is not JSON throws a SyntaxError when opened (the
// account store moves it aside then), and every write is atomic and durable (temp file with the
// file's mode, fsync, rename), as conf's `atomically` does. The format is conf's and
// electron-store's (tab-indented JSON), so the desktop app's electron-store reads the same file.
//
// Why not conf here: it loads ajv and its code generator when the module is evaluated, ~30-50 ms
// of CPU at every CLI command that opens the store (`token` with a refresh, `test --account`;
// issue 10), for validation that account-store.ts does with the accounts' own schema anyway.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { replaceFileSync } from './replace-file.ts';

export type JsonFile = {
  readonly path: string;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Open `path` (created on the first set). Throws what reading throws (a SyntaxError for a file
 * that is not JSON, EACCES...), as conf's constructor does; a missing file is an empty store. */
export function openJsonFile(path: string, options: { mode?: number } = {}): JsonFile {
  const read = (): Record<string, unknown> => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw e;
    }
    const value: unknown = JSON.parse(text);
    // conf keeps the properties of whatever object the file holds; anything else is no settings.
    return isObject(value) ? value : {};
  };
  const write = (data: Record<string, unknown>): void => {
    mkdirSync(dirname(path), { recursive: true });
    replaceFileSync(path, JSON.stringify(data, undefined, '\t'), { mode: options.mode ?? 0o666 });
  };
  read(); // errors at open, as conf's constructor reports them
  return {
    path,
    get: (key) => read()[key],
    set: (key, value) => {
      if (value === undefined) throw new TypeError(`${path}: a value for "${key}" is undefined`);
      write({ ...read(), [key]: value });
    },
  };
}
