// `mail-oauth client-config <account> --client <name>`: the settings block for a mail client,
// on stdout and nothing else (so `> ~/.msmtprc` works); where it goes and the mechanism note on
// stderr. Reads only the account list: no secret is opened, no keyring is asked.
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CLIENTS, clientById, clientConfig, helperFor, inputForAccount } from '../../shared/client-settings/index.ts';
import { providerById } from '../../shared/providers.ts';
import { nodeDataDir } from '../core/data-dir.ts';
import { openNodeAccountStore } from '../store/account-store.ts';
import { UsageError, type CliCommand } from './command.ts';

const clientList = (): string => CLIENTS.map((c) => `  ${c.id.padEnd(16)} ${c.label}${c.kind === 'config' ? '' : c.kind === 'guidance' ? ' (built-in OAuth: guidance)' : ' (no OAuth: why not)'}`).join('\n');

const USAGE = `Usage: mail-oauth client-config <account id or address> --client <name>
       mail-oauth client-config --list

Prints the settings to paste into a mail client (only those, on stdout): the mechanism both the
client and the provider accept, the servers, and \`mail-oauth token <account>\` as the token command.
  --client <name>     one of the clients below
  --list              list the clients
  --data-dir <dir>    where accounts live (default: $MAIL_OAUTH_DATA_DIR or ~/.config/mail-oauth-assistant/cli)
  --ca-file <file>    a CA certificate (PEM) the client must trust for the account's servers

Clients:
${clientList()}
`;

export function createClientConfigCommand(): CliCommand {
  return {
    name: 'client-config',
    summary: 'print ready-made settings for a mail client (neomutt, msmtp, mbsync, aerc, s-nail, curl...)',
    usage: USAGE,
    async run(argv, io) {
      let values: { client?: string; list?: boolean; 'data-dir'?: string; 'ca-file'?: string; 'insecure-store'?: boolean };
      let positionals: string[];
      try {
        ({ values, positionals } = parseArgs({
          args: argv,
          allowPositionals: true,
          strict: true,
          options: {
            client: { type: 'string' },
            list: { type: 'boolean' },
            'data-dir': { type: 'string' },
            'ca-file': { type: 'string' },
            // Accepted like every store command's flag; nothing secret is opened here.
            'insecure-store': { type: 'boolean' },
          },
        }));
      } catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
      }
      if (values.list) {
        io.stdout.write(`${CLIENTS.map((c) => c.id).join('\n')}\n`);
        return 0;
      }
      const ref = positionals[0];
      if (!ref || positionals.length > 1) throw new UsageError('Name one account (id or address)');
      if (!values.client) throw new UsageError("--client is required (the clients are listed below)");
      const client = clientById(values.client);
      if (!client) throw new UsageError(`Unknown client "${values.client}" (the clients are listed below)`);
      let caFile: string | undefined;
      if (values['ca-file']) {
        caFile = resolve(values['ca-file']);
        if (!existsSync(caFile)) throw new UsageError(`--ca-file: no such file ${caFile}`);
      }

      const store = openNodeAccountStore({ cwd: values['data-dir'] ?? nodeDataDir(io.env) });
      const all = store.list();
      const matches = all.filter((a) => a.id === ref || a.address === ref.toLowerCase());
      const account = matches.find((a) => a.id === ref) ?? (matches.length === 1 ? matches[0] : undefined);
      if (!account) {
        throw new UsageError(
          matches.length > 1 ? `${ref} matches ${matches.length} accounts: use the id (mail-oauth accounts)` : `No saved account "${ref}" (mail-oauth accounts lists them)`,
        );
      }
      const provider = providerById(account.providerId) ?? providerById('generic');
      if (!provider) throw new Error('the provider catalog has no generic entry');
      const config = clientConfig(client, inputForAccount(account, provider, helperFor(account, all), caFile));
      io.stdout.write(config.text);
      io.stderr.write(`${client.label}: ${config.where}\n${config.mechanismNote}\n`);
      const usable = config.protocols.some((p) => p.mechanism !== null);
      return client.kind === 'config' && !usable ? 1 : 0;
    },
  };
}
