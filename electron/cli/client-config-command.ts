// `mail-oauth client-config <account> --client <name>`: the settings block for a mail client,
// on stdout and nothing else (so `> ~/.msmtprc` works); where it goes and the mechanism note on
// stderr. Reads the account list only: no secret is opened, no keyring is asked.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  BRIDGE_CLIENTS,
  bridgeClientById,
  bridgeClientConfig,
  bridgeServers,
  CLIENTS,
  clientById,
  clientConfig,
  helperFor,
  inputForAccount,
} from '../../shared/client-settings/index.ts';
import { bridgeSettingsFrom, type BridgePorts } from '../../shared/bridge.ts';
import { BRIDGE_PREFERENCE_KEY, bridgeCertificateFile } from '../core/bridge-settings.ts';
import { providerById } from '../../shared/providers.ts';
import type { Account } from '../../shared/account.ts';
import { openNodeAccountStore } from '../store/account-store.ts';
import { parseCommand } from './args.ts';
import { findAccount, readCaFile, resolveDataDir } from './cli-core.ts';
import { UsageError, type CliCommand } from './command.ts';

const clientList = (): string =>
  CLIENTS.map((c) => `  ${c.id.padEnd(16)} ${c.label}${c.kind === 'config' ? '' : c.kind === 'guidance' ? ' (built-in OAuth: guidance)' : ' (no OAuth: why not)'}`).join('\n');

const bridgeList = (): string => BRIDGE_CLIENTS.map((c) => `  ${c.id.padEnd(18)} ${c.label}`).join('\n');

const USAGE = `Usage: mail-oauth client-config <account> --client <name>
       mail-oauth client-config <account> --bridge --client <name> [--imap PORT] [--pop PORT] [--smtp PORT] [--tls]
       mail-oauth client-config --list [--bridge]

Prints the settings to paste into a mail client (only those, on stdout): the mechanism both the
client and the provider accept, the servers, the client's CA setting, and
\`mail-oauth token <account>\` as the command the client runs for a fresh token.
  --client <name>     one of the clients below
  --list              list the clients (ids only)
  --data-dir <dir>    where accounts live (default: $MAIL_OAUTH_DATA_DIR or the shared data directory, see README)
  --ca-file <file>    a CA certificate (PEM) file the client must trust (default: the account's own CA,
                      saved by \`add\`/\`edit --ca-file\`, written to <data dir>/ca/<account id>.pem)

With --bridge: the settings to log in to the app's local bridge (127.0.0.1) with the mail address
and the account's bridge password, for clients without OAuth. The block has
PASTE-THE-BRIDGE-PASSWORD-HERE where the password goes (\`mail-oauth bridge-password <account>\` or the
app's Bridge section makes one). Ports and TLS are the app's saved bridge settings (default
1143/1110/1025, no TLS) unless given:
  --imap PORT, --pop PORT, --smtp PORT   the bridge's ports (as given to \`mail-oauth bridge\`)
  --tls               the bridge offers STARTTLS with its certificate

Clients:
${clientList()}

Clients through the bridge (--bridge):
${bridgeList()}
`;

/** The bridge settings the app saved (preferences.json in the data dir), read without opening
 * a store: a missing or damaged file gives the defaults. */
function savedBridge(dataDir: string): { ports: BridgePorts; tls: boolean } {
  let saved: unknown;
  try {
    saved = (JSON.parse(readFileSync(join(dataDir, 'preferences.json'), 'utf8')) as Record<string, unknown>)[BRIDGE_PREFERENCE_KEY];
  } catch {
    saved = undefined;
  }
  const s = bridgeSettingsFrom(saved);
  return { ports: s.ports, tls: s.tls };
}

function portFlag(flag: string, value: string | boolean | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new UsageError(`--${flag}: a port from 1 to 65535, got "${value}"`);
  return Number(value);
}

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
      const { values, args } = parseCommand(
        argv,
        {
          client: { type: 'string' },
          list: { type: 'boolean' },
          bridge: { type: 'boolean' },
          imap: { type: 'string' },
          pop: { type: 'string' },
          smtp: { type: 'string' },
          tls: { type: 'boolean' },
        },
        1,
      );
      const bridge = values.bridge === true;
      if (!bridge && ['imap', 'pop', 'smtp', 'tls'].some((f) => values[f] !== undefined)) {
        throw new UsageError('--imap, --pop, --smtp and --tls describe the bridge: use them with --bridge');
      }
      if (values.list === true) {
        io.stdout.write(`${(bridge ? BRIDGE_CLIENTS : CLIENTS).map((c) => c.id).join('\n')}\n`);
        return 0;
      }
      const ref = args[0];
      if (!ref) throw new UsageError('Name the account (id, name or address)');
      if (typeof values.client !== 'string') throw new UsageError('--client is required (the clients are listed below)');
      const client = bridge ? undefined : clientById(values.client);
      const bridgeClient = bridge ? bridgeClientById(values.client) : undefined;
      if (!client && !bridgeClient) throw new UsageError(`Unknown client "${values.client}"${bridge ? ' for the bridge' : ''} (the clients are listed below)`);
      const ports = { imap: portFlag('imap', values.imap), pop: portFlag('pop', values.pop), smtp: portFlag('smtp', values.smtp) };

      const dataDir = resolveDataDir(io, typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined);
      const accounts = openNodeAccountStore({ cwd: dataDir });
      const account = findAccount({ accounts }, ref);
      if (bridgeClient) {
        const saved = savedBridge(dataDir);
        const tls = values.tls === true || saved.tls;
        const servers = bridgeServers({ imap: ports.imap ?? saved.ports.imap, pop: ports.pop ?? saved.ports.pop, smtp: ports.smtp ?? saved.ports.smtp }, tls);
        const certFile = tls ? bridgeCertificateFile(dataDir) : undefined;
        const config = bridgeClientConfig(bridgeClient, { address: account.address, servers, ...(certFile ? { certFile } : {}) });
        io.stdout.write(config.text);
        io.stderr.write(`${bridgeClient.label}: ${config.where}\n${config.note}\n`);
        if (certFile && !existsSync(certFile)) io.stderr.write(`The bridge makes ${certFile} when it first starts with TLS: start it once before the client connects.\n`);
        return config.usable ? 0 : 1;
      }
      if (!client) throw new UsageError(`Unknown client "${values.client}"`);
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
