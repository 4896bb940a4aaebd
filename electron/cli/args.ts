// Flag parsing shared by every command: node:util parseArgs, strict, plus what it does not do
// (a flag given twice is refused: silently taking the last one hides a mistake), and the store
// flags every command accepts.
import { parseArgs } from 'node:util';
import { UsageError } from './command.ts';

export type Spec = Record<string, { type: 'string' | 'boolean' }>;
export type Values = Record<string, string | boolean | undefined>;

export const STORE_SPEC: Spec = { 'data-dir': { type: 'string' }, 'insecure-store': { type: 'boolean' }, 'ca-file': { type: 'string' } };

export const STORE_FLAGS = `Store options (all commands):
  --data-dir <dir>        where accounts and encrypted secrets live
                          (default: $MAIL_OAUTH_DATA_DIR or the shared data directory, see README)
  --insecure-store        without an OS keyring, keep secrets encrypted with a key file anyway
                          (remembered in the data directory: later commands need not repeat it)
  --ca-file <file>        trust an extra CA (PEM certificate) for this command; \`add\` and \`edit\`
                          save it with the account, so later commands need not repeat it
`;

export type StoreOptions = { dataDir?: string; insecureStore?: boolean; caFile?: string };

/** Strict parse; `positionals` is how many bare arguments the command takes. */
export function parseCommand(argv: readonly string[], spec: Spec, positionals: number, withStore = true): { values: Values; args: string[] } {
  const options = withStore ? { ...STORE_SPEC, ...spec } : spec;
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: positionals > 0, tokens: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option') continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} is given more than once: give it once`);
    seen.add(t.name);
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument: ${parsed.positionals[positionals]}`);
  return { values: parsed.values as Values, args: parsed.positionals };
}

export function storeOptions(values: Values): StoreOptions {
  const o: StoreOptions = {};
  if (typeof values['data-dir'] === 'string') o.dataDir = values['data-dir'];
  if (values['insecure-store'] === true) o.insecureStore = true;
  if (typeof values['ca-file'] === 'string') o.caFile = values['ca-file'];
  return o;
}

/** A string flag's value, or a usage error naming it. */
export function need(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${flag} is required`);
  return value;
}

/**
 * A duration: `500ms`, `8s`, `2m`, or a bare number of milliseconds. A bare number under 100 is
 * refused: `--timeout 8` almost certainly meant seconds, and 8 ms fails every lookup.
 */
export function parseDuration(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(value);
  if (!m) throw new UsageError(`--${flag}: expected a duration like 30s, 500ms or 2m, got "${value}"`);
  const n = Number(m[1]);
  const unit = m[2]?.toLowerCase();
  if (unit === undefined && n < 100) {
    throw new UsageError(`--${flag} ${value}: ambiguous (milliseconds?). Write ${value}s for seconds or ${value}ms for milliseconds`);
  }
  const ms = Math.round(unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n);
  if (ms <= 0) throw new UsageError(`--${flag}: must be more than 0`);
  if (ms > 24 * 3_600_000) throw new UsageError(`--${flag}: at most 24h`);
  return ms;
}
