// `mail-oauth client-config <account> --client <name>`: the settings block for a mail client,
// on stdout and nothing else (so `> ~/.msmtprc` works); where it goes and the mechanism note on
// stderr. Reads the account list only: no secret is opened, no keyring is asked.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLIENTS, clientById, clientConfig, helperFor, inputForAccount } from '../../shared/client-settings/index.ts';
import { providerById } from '../../shared/providers.ts';
import type { Account } from '../../shared/account.ts';
import { openNodeAccountStore } from '../store/account-store.ts';
import { parseCommand } from './args.ts';
import { findAccount, readCaFile, resolveDataDir } from './cli-core.ts';
import { UsageError, type CliCommand } from './command.ts';

const clientList = (): string =>
  CLIENTS.map((c) => `  ${c.id.padEnd(16)} ${c.label}${c.kind === 'config' ? '' : c.kind === 'guidance' ? ' (built-in OAuth: guidance)' : ' (no OAuth: why not)'}`).join('\n');

const USAGE = `Usage: mail-oauth client-config <account> --client <name>
       mail-oauth client-config --list

Prints the settings to paste into a mail client (only those, on stdout): the mechanism both the
client and the provider accept, the servers, the client's CA setting, and
\`mail-oauth token <account>\` as the command the client runs for a fresh token.
  --client <name>     one of the clients below
  --list              list the clients (ids only)
  --data-dir <dir>    where accounts live (default: $MAIL_OAUTH_DATA_DIR or the shared data directory, see README)
  --ca-file <file>    a CA certificate (PEM) file the client must trust (default: the account's own CA,
                      saved by \`add\`/\`edit --ca-file\`, written to <data dir>/ca/<account id>.pem)

Clients:
${clientList()}
`;

/** The account's own CA as a file a mail client can name (clients take a path, not PEM text). */
function caFileFor(dataDir: string, account: Account): string | undefined {
  if (!account.caPem) return undefined;
  const dir = join(dataDir, 'ca');
  const path = resolve(dir, `${account.id}.pem`);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== account.caPem) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Certificates are public: readable, but only the owner writes them.
    writeFileSync(path, account.caPem, { mode: 0o644 });
  }
  return path;
}

export function createClientConfigCommand(): CliCommand {
  return {
    name: 'client-config',
    summary: 'print ready-made settings for a mail client (neomutt, msmtp, mbsync, aerc, s-nail, curl...)',
    usage: USAGE,
    async run(argv, io) {
      const { values, args } = parseCommand(argv, { client: { type: 'string' }, list: { type: 'boolean' } }, 1);
      if (values.list === true) {
        io.stdout.write(`${CLIENTS.map((c) => c.id).join('\n')}\n`);
        return 0;
      }
      const ref = args[0];
      if (!ref) throw new UsageError('Name the account (id, name or address)');
      if (typeof values.client !== 'string') throw new UsageError('--client is required (the clients are listed below)');
      const client = clientById(values.client);
      if (!client) throw new UsageError(`Unknown client "${values.client}" (the clients are listed below)`);

      const dataDir = resolveDataDir(io, typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined);
      const accounts = openNodeAccountStore({ cwd: dataDir });
      const account = findAccount({ accounts }, ref);
      let caFile: string | undefined;
      if (typeof values['ca-file'] === 'string') {
        readCaFile('ca-file', values['ca-file']); // a clear usage error for a file that is not PEM certificates
        caFile = resolve(values['ca-file']);
      } else caFile = caFileFor(dataDir, account);

      const provider = providerById(account.providerId) ?? providerById('generic');
      if (!provider) throw new Error('the provider catalog has no generic entry');
      const config = clientConfig(client, inputForAccount(account, provider, helperFor(account, accounts.list()), caFile));
      io.stdout.write(config.text);
      io.stderr.write(`${client.label}: ${config.where}\n${config.mechanismNote}\n`);
      // A client that can use none of the account's servers: the text says why; not a success.
      return client.kind === 'config' && !config.protocols.some((p) => p.mechanism !== null) ? 1 : 0;
    },
  };
}
