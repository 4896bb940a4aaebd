// `mail-oauth token <account>`: the helper mail clients call on every connection (neomutt's
// oauthbearer_refresh_command, msmtp's passwordeval, mbsync's PassCmd...). Its contract:
// stdout holds only the access token and a newline; a failure is one line on stderr with the
// code and the next step, and the exit code says whether to retry (4) or sign in again (3).
// It is its own module so that it loads nothing it does not need (no zod-heavy forms, no probe),
// and a token that is still good is answered by token-fast.ts without loading the core at all.
import type { CliCommand } from './command.ts';
import type { FastPathHandover } from './token-fast.ts';
import type * as CliCore from './cli-core.ts';
import { UsageError } from './command.ts';
import { parseCommand, STORE_FLAGS, storeOptions } from './args.ts';
import { EXIT_CODES_HELP, failLine } from './exit.ts';
// Light (fs, path): the fast path loads it too, to mark the account as in use.
import { recordTokenUse } from '../health/usage.ts';

export const TOKEN_USAGE = `Usage: mail-oauth token <account> [--force-refresh]

Prints only the access token on stdout, refreshing it first when it is close to expiry.
<account> is the account's name, address or id (mail-oauth accounts). Treat the output as a password.
A failure is one line on stderr: the code and what to do next.

${EXIT_CODES_HELP}
${STORE_FLAGS}`;

export function createTokenCommand(): CliCommand {
  return {
    name: 'token',
    summary: 'print a fresh access token for a saved account (for scripts and mail clients)',
    usage: TOKEN_USAGE,
    async run(argv, io) {
      const { values, args } = parseCommand(argv, { 'force-refresh': { type: 'boolean' } }, 1);
      const ref = args[0];
      if (!ref) throw new UsageError('Name the account (name, address or id)');
      const store = storeOptions(values);
      // The fast path only reads: flags that write (--insecure-store is remembered) or trust a CA
      // file (checked by the full path), and a forced refresh, go the full way.
      const opened: FastPathHandover = {};
      if (values['force-refresh'] !== true && store.insecureStore !== true && store.caFile === undefined) {
        const { cachedToken } = await import('./token-fast.ts');
        const token = await cachedToken(ref, store.dataDir, io, opened);
        if (token !== undefined) {
          io.stdout.write(`${token}\n`);
          return 0;
        }
      }
      const { findAccount, openCliCore } = await loadCore();
      // The key the fast path already opened (same data directory, a moment ago): one keyring
      // lookup per call, not two.
      const core = await openCliCore(io, { ...store, ...(opened.box ? { secretBox: opened.box } : {}) });
      await turn();
      const account = findAccount(core, ref);
      const r = await core.auth.getAccessToken(account.id, { signal: io.signal, forceRefresh: values['force-refresh'] === true });
      if (!r.ok) return failLine(io, 'token', r.error, ref);
      io.stdout.write(`${r.value.token}\n`);
      recordTokenUse(core.dataDir, account.id);
      opened.markValid?.();
      return 0;
    },
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The core, loaded in steps with a turn of the event loop between them. When the fast path has
 * opened the connection to the token endpoint (a refresh), the server's answers arrive while this
 * loads, ~40 ms of CPU: each turn lets Node handle them (the TCP handshake's answer, then the TLS
 * hello goes out) instead of after all of it; without the turns the hello left 20-30 ms late at
 * 50 ms RTT (issue 10). The steps are the largest parts of the core's chunk graph.
 */
async function loadCore(): Promise<typeof CliCore> {
  await import('../../shared/account.ts');
  await turn();
  await import('../store/lock.ts');
  await turn();
  const core = await import('./cli-core.ts');
  await turn();
  return core;
}
