// `mail-oauth check [<account>|--all] [--json] [--test] [--notify-cmd '<cmd>']`: the health rules
// for cron and systemd timers (issue 13). One line per account; exit 0 all ok, 1 something needs
// attention soon, 3 something is broken. --notify-cmd runs once per new problem (the ledger of
// announced problems lives in health.json in the data directory, under its lock).
import { spawn } from 'node:child_process';
import type { AccountHealth, HealthReason } from '../../shared/health.ts';
import { worstLevel } from '../../shared/health.ts';
import type { Account } from '../../shared/account.ts';
import { UsageError, type CliCommand, type CliIO } from './command.ts';
import { parseCommand, STORE_FLAGS, storeOptions } from './args.ts';
import { accountRef, findAccount, openCliCore } from './cli-core.ts';
import { EXIT } from './exit.ts';

export const CHECK_USAGE = `Usage: mail-oauth check <account> | --all [--json] [--test] [--notify-cmd '<command>']

Checks the health of saved accounts: renews each token (which keeps the sign-in alive and finds a
revoked one), applies the provider's limits (Google "Testing" apps: 7 days; refresh tokens unused
for 90 days at Microsoft, 6 months at Google), the client secret's end date and the last
connection test. Prints one line per account: name, state, code, what and when.

  --all                   every saved account
  --json                  print the results as JSON only
  --test                  run the connection test too (IMAP, POP, SMTP)
  --notify-cmd <command>  run <command> (through the shell) once for each NEW problem, with
                          MAIL_OAUTH_ACCOUNT, MAIL_OAUTH_ACCOUNT_ID, MAIL_OAUTH_ADDRESS,
                          MAIL_OAUTH_LEVEL (attention|broken), MAIL_OAUTH_CODE, MAIL_OAUTH_MESSAGE
                          and MAIL_OAUTH_DATE (ISO 8601, may be empty) in its environment. A problem
                          is announced again only after it went away and came back; a command that
                          fails is run again at the next check.

Exit codes: 0 all ok, 1 attention (something breaks soon), 2 bad usage, 3 broken (see the code).

${STORE_FLAGS}`;

/** Time limit of one notify command: a hanging notifier must not hold the ledger's lock forever. */
const NOTIFY_TIMEOUT_MS = 30_000;

export function createCheckCommand(): CliCommand {
  return {
    name: 'check',
    summary: 'check the health of saved accounts (for cron / systemd timers); exit 0 ok, 1 attention, 3 broken',
    usage: CHECK_USAGE,
    async run(argv, io) {
      const { values, args } = parseCommand(argv, { all: { type: 'boolean' }, json: { type: 'boolean' }, test: { type: 'boolean' }, 'notify-cmd': { type: 'string' } }, 1);
      const all = values.all === true;
      if (all && args[0] !== undefined) throw new UsageError('Name one account or give --all, not both');
      if (!all && args[0] === undefined) throw new UsageError('Name the account (name, address or id) or give --all');
      const notifyCmd = values['notify-cmd'];
      if (typeof notifyCmd === 'string' && notifyCmd.trim() === '') throw new UsageError('--notify-cmd is empty: give a command');
      const core = await openCliCore(io, storeOptions(values));
      const accounts = all ? core.accounts.list() : [findAccount(core, args[0] ?? '')];
      const { checkAccounts } = await import('../health/check.ts');
      const states = await checkAccounts(core, core.dataDir, accounts, {
        test: values.test === true,
        signal: io.signal,
        ...(core.ca ? { ca: core.ca } : {}),
      });
      const byId = new Map(accounts.map((a) => [a.id, a]));
      if (values.json === true) {
        io.stdout.write(`${JSON.stringify(states.map((s) => ({ account: accountRef(byId.get(s.accountId) as Account), ...s })), null, 2)}\n`);
      } else {
        if (states.length === 0) io.stdout.write('No saved accounts.\n');
        for (const s of states) io.stdout.write(`${line(byId.get(s.accountId) as Account, s)}\n`);
      }
      if (typeof notifyCmd === 'string') await notify(core.dataDir, core.clock.now(), states, byId, notifyCmd, io);
      const worst = worstLevel(states.map((s) => s.level));
      return worst === 'ok' ? EXIT.ok : worst === 'attention' ? EXIT.failed : EXIT.reauthorize;
    },
  };
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function line(a: Account, s: AccountHealth): string {
  const top = s.reasons[0];
  if (!top) return `${accountRef(a)}: ok`;
  const when = top.date !== undefined ? ` (${top.level === 'attention' ? 'on' : 'since'} ${day(top.date)})` : '';
  const more = s.reasons.length > 1 ? ` [+${s.reasons.length - 1} more]` : '';
  const next = top.action === 'reauthorize' ? ` Next: mail-oauth authorize ${accountRef(a)}` : top.fix[0] ? ` Next: ${top.fix[0]}` : '';
  return `${accountRef(a)}: ${top.level} ${top.code}: ${top.message}${when}${more}${next}`;
}

async function notify(dataDir: string, now: number, states: AccountHealth[], byId: Map<string, Account>, cmd: string, io: CliIO): Promise<void> {
  const { updateHealthFile } = await import('../health/health-file.ts');
  const { newAlerts } = await import('../health/ledger.ts');
  await updateHealthFile(dataDir, async (data) => {
    const { alerts, ledger } = newAlerts(data.alerted['notify-cmd'] ?? {}, states, now);
    for (const alert of alerts) {
      const a = byId.get(alert.accountId);
      if (!a) continue;
      const code = await runNotify(cmd, a, alert.reason, io);
      if (code !== 0) {
        // Not announced: try again at the next check.
        delete ledger[alert.accountId]?.[alert.key];
        io.stderr.write(`mail-oauth check: --notify-cmd exited with ${code} for ${accountRef(a)} ${alert.reason.code}; it runs again at the next check\n`);
      }
    }
    data.alerted['notify-cmd'] = ledger;
  });
}

function runNotify(cmd: string, a: Account, r: HealthReason, io: CliIO): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, {
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: NOTIFY_TIMEOUT_MS,
      env: {
        ...io.env,
        MAIL_OAUTH_ACCOUNT: accountRef(a),
        MAIL_OAUTH_ACCOUNT_ID: a.id,
        MAIL_OAUTH_ADDRESS: a.address,
        MAIL_OAUTH_LEVEL: r.level,
        MAIL_OAUTH_CODE: r.code,
        MAIL_OAUTH_MESSAGE: r.message,
        MAIL_OAUTH_DATE: r.date !== undefined ? new Date(r.date).toISOString() : '',
      },
    });
    // The command's output goes to stderr: stdout stays this command's (--json).
    child.stdout.pipe(io.stderr, { end: false });
    child.stderr.pipe(io.stderr, { end: false });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}
