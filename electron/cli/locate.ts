// Where the data is and which account a name on the command line means: the parts of the CLI's
// core that `token`'s fast path (token-fast.ts) needs, kept apart from cli-core.ts so that using
// them loads no store, no auth code and no zod (issue 10: fast start). cli-core.ts re-exports them.
import { statSync } from 'node:fs';
import { nodeDataDir } from '../core/data-dir.ts';
import type { Account } from '../../shared/account.ts';
import { CliError, UsageError, type CliIO } from './command.ts';
import { EXIT } from './exit.ts';

/** The data directory, refused with a clear message when it cannot be one. */
export function resolveDataDir(io: CliIO, flag: string | undefined): string {
  const fromEnv = flag === undefined;
  const dir = flag ?? (io.env.MAIL_OAUTH_DATA_DIR === undefined ? nodeDataDir({ ...io.env }) : io.env.MAIL_OAUTH_DATA_DIR);
  const name = fromEnv ? 'MAIL_OAUTH_DATA_DIR' : '--data-dir';
  if (dir.trim() === '') throw new UsageError(`${name} is empty: give a directory (the default is the shared data directory, see README)`);
  let isDir: boolean | undefined;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = undefined; // missing: created on first write
  }
  if (isDir === false) throw new UsageError(`${name} ${dir}: is a file, not a directory`);
  return dir;
}

/** What an account is called on the command line: its name when it has one, else its address. */
export const accountRef = (a: Account): string => (a.label && a.label !== a.address ? a.label : a.address);

/**
 * An account by id, name (`add --name`) or address (what people remember). An address shared by
 * several accounts names the one whose name is that address (the first one added), so a helper
 * line written before a second account existed keeps working.
 */
export function findAccount(core: { accounts: { list(): Account[] } }, ref: string): Account {
  const list = core.accounts.list();
  const byId = list.find((a) => a.id === ref);
  if (byId) return byId;
  const byName = list.filter((a) => a.label === ref || a.label.toLowerCase() === ref.toLowerCase());
  if (byName.length === 1 && byName[0]) return byName[0];
  const byAddress = list.filter((a) => a.address === ref.toLowerCase());
  if (byAddress.length === 1 && byAddress[0]) return byAddress[0];
  if (byAddress.length > 1 || byName.length > 1) {
    const names = [...byName, ...byAddress].map((a) => `${accountRef(a)} (${a.id})`);
    throw new CliError(`"${ref}" matches ${names.length} accounts: ${[...new Set(names)].join(', ')}; name one of them`, EXIT.usage);
  }
  throw new CliError(`No saved account "${ref}" (mail-oauth accounts lists them)`, EXIT.usage);
}
