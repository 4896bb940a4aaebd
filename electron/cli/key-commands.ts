// `mail-oauth reset-key`: the only way to a new master key while secrets exist (a keyring entry
// that was deleted or replaced, a damaged key file). It never deletes secrets: they move aside,
// so restoring the old keyring entry later can still read them.
import { parseArgs } from 'node:util';
import { nodeDataDir } from '../core/data-dir.ts';
import { hasKeyMaterial, resetMasterKey } from '../store/node-secret-box.ts';
import { UsageError, type CliCommand } from './command.ts';

const USAGE = `Usage: mail-oauth reset-key --yes [--data-dir <dir>]

Starts over with a new encryption key for saved sign-ins. Use it only when the old key is gone
(KEYRING_KEY_MISSING, KEYRING_KEY_MISMATCH, KEY_FILE_UNREADABLE): the secrets encrypted with the
old key move to a reset-<time> folder in the data directory (kept, not deleted), the keyring entry
is deleted, and every account needs a new sign-in (mail-oauth authorize <account>).
Accounts and their settings stay.

  --yes                   required: confirms that the saved sign-ins are set aside
  --data-dir <dir>        the data directory (default: $MAIL_OAUTH_DATA_DIR or the shared one)
`;

export function createResetKeyCommand(): CliCommand {
  return {
    name: 'reset-key',
    summary: 'start over with a new encryption key (old secrets are moved aside; sign in again)',
    usage: USAGE,
    async run(argv, io) {
      let values: { yes?: boolean; 'data-dir'?: string };
      try {
        ({ values } = parseArgs({ args: argv, options: { yes: { type: 'boolean' }, 'data-dir': { type: 'string' } }, strict: true }));
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      const dataDir = values['data-dir'] ?? nodeDataDir(io.env);
      if (values.yes !== true) {
        throw new UsageError(
          hasKeyMaterial(dataDir)
            ? `reset-key sets aside the saved sign-ins in ${dataDir}: add --yes to confirm`
            : `Nothing to reset in ${dataDir}; add --yes to delete the keyring entry anyway`,
        );
      }
      const r = await resetMasterKey({ dataDir });
      if (r.movedTo) io.stderr.write(`Old secrets and key record moved to ${r.movedTo}.\n`);
      io.stderr.write(r.deletedEntry ? 'Keyring entry deleted.\n' : 'No keyring entry to delete.\n');
      if (r.warning) io.stderr.write(`warning: ${r.warning}\n`);
      io.stderr.write('A new key is made on the next start. Sign in again: mail-oauth authorize <account>\n');
      return 0;
    },
  };
}
