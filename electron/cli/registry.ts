// The CLI's commands, each loaded only when it runs: `mail-oauth token` must not pay for loading
// the probe engine (imapflow, nodemailer), discovery or the account forms (issue 10: fast start).
// The names and summaries live here so that `--help` loads no command at all.
import type { CliCommand } from './command.ts';

export type CommandEntry = { name: string; summary: string; load(): Promise<CliCommand> };

export const COMMAND_ENTRIES: readonly CommandEntry[] = [
  {
    name: 'test',
    summary: 'run the connection test (IMAP, POP, SMTP with OAuth) and explain failures',
    load: async () => (await import('./test-command.ts')).createTestCommand(),
  },
  {
    name: 'discover',
    summary: 'find the provider and the server settings of an address',
    load: async () => (await import('./discover-command.ts')).createDiscoverCommand(),
  },
  {
    name: 'add',
    summary: 'save an account (servers, client id, provider) for test, authorize and token',
    load: async () => pick(await import('./account-commands.ts'), 'add'),
  },
  {
    name: 'edit',
    summary: 'change a saved account (scopes, servers, CA, client id, tenant or issuer)',
    load: async () => pick(await import('./account-commands.ts'), 'edit'),
  },
  {
    name: 'accounts',
    summary: 'list saved accounts with their token state and last test',
    load: async () => pick(await import('./account-commands.ts'), 'accounts'),
  },
  {
    name: 'authorize',
    summary: 'sign in for a saved account (browser, device code, or client credentials)',
    load: async () => pick(await import('./account-commands.ts'), 'authorize'),
  },
  {
    name: 'token',
    summary: 'print a fresh access token for a saved account (for scripts and mail clients)',
    load: async () => (await import('./token-command.ts')).createTokenCommand(),
  },
  {
    name: 'check',
    summary: 'check the health of saved accounts (for cron / systemd timers); exit 0 ok, 1 attention, 3 broken',
    load: async () => (await import('./check-command.ts')).createCheckCommand(),
  },
  {
    name: 'remove',
    summary: 'revoke (where the provider can) and delete a saved account and its secrets',
    load: async () => pick(await import('./account-commands.ts'), 'remove'),
  },
  {
    name: 'reset-key',
    summary: 'start over with a new encryption key (old secrets are moved aside; sign in again)',
    load: async () => (await import('./key-commands.ts')).createResetKeyCommand(),
  },
  {
    name: 'client-config',
    summary: 'print ready-made settings for a mail client (neomutt, msmtp, mbsync, aerc, s-nail, curl...)',
    load: async () => (await import('./client-config-command.ts')).createClientConfigCommand(),
  },
  {
    name: 'bridge',
    summary: 'run the local IMAP/POP3/SMTP bridge for mail programs that only know passwords',
    load: async () => (await import('./bridge-command.ts')).createBridgeCommand(),
  },
  {
    name: 'bridge-password',
    summary: 'make a new bridge password for an account and print it once',
    load: async () => (await import('./bridge-command.ts')).createBridgePasswordCommand(),
  },
];

function pick(mod: { accountCommands(): CliCommand[] }, name: string): CliCommand {
  const c = mod.accountCommands().find((x) => x.name === name);
  if (!c) throw new Error(`command ${name} missing from account-commands.ts`);
  return c;
}
