// `mail-oauth bridge` runs the local bridge (electron/bridge/) in the foreground: listeners on
// 127.0.0.1 for mail clients that only know passwords, one log line per client session on
// stdout (never a password, token or SASL payload), until Ctrl+C or SIGTERM.
// `mail-oauth bridge-password <account>` makes a new bridge password and prints it once.
import { join } from 'node:path';
import { describe } from '../../shared/diagnostics.ts';
import { parseCommand, storeOptions } from './args.ts';
import { findAccount, openCliCore } from './cli-core.ts';
import { CliError, UsageError, type CliCommand, type CliIO } from './command.ts';
import { EXIT } from './exit.ts';
import type { BridgeEvent, BridgeProtocol } from '../bridge/index.ts';

const BRIDGE_USAGE = `Usage: mail-oauth bridge [--imap PORT] [--pop PORT] [--smtp PORT] [--tls]

Runs the local bridge in the foreground for mail programs that cannot do OAuth (old Outlook,
Windows Live Mail, scanners, scripts): they connect to 127.0.0.1 with the account's mail address
as user name and its bridge password (mail-oauth bridge-password <account>); the bridge signs in
to the real server with OAuth. Only 127.0.0.1 is listened on: other machines cannot connect.
  --imap PORT   IMAP port (default 1143; "off" for none; 0 picks a free port)
  --pop PORT    POP3 port (default 1110; "off" for none)
  --smtp PORT   SMTP port (default 1025; "off" for none)
  --tls         offer STARTTLS (IMAP, SMTP) and STLS (POP3) with a certificate made for this
                computer; its file is printed at start, for importing into the mail program
Prints one line per client session; stops on Ctrl+C or SIGTERM.
`;

const PASSWORD_USAGE = `Usage: mail-oauth bridge-password <account>

Makes a new bridge password for the account and prints it once (only a salted hash is kept; the
old bridge password stops working). Type it into the mail program together with the account's
mail address as user name, and 127.0.0.1 with the bridge's ports as server.
`;

const DEFAULTS: Record<BridgeProtocol, number> = { imap: 1143, pop: 1110, smtp: 1025 };

function portFlag(flag: BridgeProtocol, value: string | boolean | undefined): number | null {
  if (value === undefined) return DEFAULTS[flag];
  if (typeof value !== 'string') throw new UsageError(`--${flag} needs a port number or "off"`);
  if (value.toLowerCase() === 'off') return null;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`--${flag}: "${value}" is not a port (0-65535, or "off")`);
  return Number(value);
}

const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ');

function logLine(e: BridgeEvent): string | undefined {
  // One line per session: its end (a session that never signed in ends in one of the failures).
  if (e.kind === 'session-start') return undefined;
  const kind = e.kind === 'session-end' ? 'session' : e.kind;
  return `${new Date(e.at).toISOString()} ${kind}${e.code ? ` ${e.code}` : ''} ${oneLine(e.message)}\n`;
}

/**
 * Resolves on Ctrl+C or SIGTERM. Both get a listener of this command's own for as long as it
 * runs: proper-lockfile's signal-exit re-raises a signal when its own listeners are the only ones
 * left, and the CLI's SIGINT listener is a `once` that is gone by then: without this the
 * process died of the signal before it could close the listeners and say so.
 */
async function waitForStop(io: CliIO): Promise<string> {
  return new Promise((resolve) => {
    const stop = (why: string) => (): void => {
      // Removed only after this signal's listeners all ran (signal-exit counts them as it runs).
      setImmediate(() => {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
      });
      resolve(why);
    };
    const onTerm = stop('SIGTERM');
    const onInt = stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    if (io.signal.aborted) onInt();
    else io.signal.addEventListener('abort', onInt, { once: true });
  });
}

export function createBridgeCommand(): CliCommand {
  return {
    name: 'bridge',
    summary: 'run the local IMAP/POP3/SMTP bridge for mail programs that only know passwords',
    usage: BRIDGE_USAGE,
    async run(argv, io) {
      const { values } = parseCommand(argv, { imap: { type: 'string' }, pop: { type: 'string' }, smtp: { type: 'string' }, tls: { type: 'boolean' } }, 0);
      const ports = { imap: portFlag('imap', values.imap), pop: portFlag('pop', values.pop), smtp: portFlag('smtp', values.smtp) };
      if (ports.imap === null && ports.pop === null && ports.smtp === null) throw new UsageError('every listener is off: turn on at least one of --imap, --pop, --smtp');
      const core = await openCliCore(io, storeOptions(values));
      const { startBridge, BRIDGE_HOST } = await import('../bridge/index.ts');
      const handle = await startBridge(
        {
          ...core,
          onEvent: (e) => {
            const line = logLine(e);
            if (line) io.stdout.write(line);
          },
        },
        { ports, tls: values.tls === true },
      );
      const bound = (['imap', 'pop', 'smtp'] as const)
        .filter((p) => handle.ports[p] !== null)
        .map((p) => `${p === 'pop' ? 'POP3' : p.toUpperCase()} ${BRIDGE_HOST}:${handle.ports[p]}`)
        .join(', ');
      io.stdout.write(`Bridge listening on ${bound}${values.tls === true ? ` (STARTTLS offered; certificate: ${join(core.dataDir, 'bridge', 'certificate.pem')})` : ''}\n`);
      const accounts = core.accounts.list().filter((a) => a.status === 'ready');
      if (accounts.length === 0) io.stderr.write('note: no ready account yet: add and authorize one first (mail-oauth add, mail-oauth authorize).\n');
      io.stderr.write('User name: the account\'s mail address; password: its bridge password (mail-oauth bridge-password <account>). Stop with Ctrl+C.\n');
      const why = await waitForStop(io);
      await handle.close();
      io.stdout.write(`Bridge stopped (${why}).\n`);
      return EXIT.ok;
    },
  };
}

export function createBridgePasswordCommand(): CliCommand {
  return {
    name: 'bridge-password',
    summary: 'make a new bridge password for an account and print it once',
    usage: PASSWORD_USAGE,
    async run(argv, io) {
      const { values, args } = parseCommand(argv, {}, 1);
      const ref = args[0];
      if (!ref) throw new UsageError('Name the account (id, name or address)');
      const core = await openCliCore(io, storeOptions(values));
      const account = findAccount(core, ref);
      if (!core.secrets.status.persistent) {
        // A hash kept in this process's memory only would be gone when it exits: the password printed would never work.
        throw new CliError(
          `mail-oauth bridge-password: SECRET_STORAGE_UNAVAILABLE: ${describe('SECRET_STORAGE_UNAVAILABLE').title}: the bridge password could not be kept. Next: run it again with --insecure-store, or unlock the OS keyring`,
          EXIT.failed,
        );
      }
      const { newBridgePassword } = await import('../bridge/index.ts');
      const password = await newBridgePassword(core, account.id);
      io.stdout.write(`${password}\n`);
      io.stderr.write(`New bridge password for ${account.address} (shown once; the previous one no longer works). In the mail program: user name ${account.address}, server 127.0.0.1, the ports of mail-oauth bridge.\n`);
      return EXIT.ok;
    },
  };
}
