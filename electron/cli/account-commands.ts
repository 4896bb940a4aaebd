// CLI commands over saved accounts: add, accounts, authorize, token, remove. `token` prints only
// the access token on stdout (for scripts and other mail clients, like mutt's oauth2 helper);
// everything else a person reads goes to stderr or to a table on stdout.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Account, AuthSettings, Servers } from '../../shared/account.ts';
import { AuthFlow } from '../../shared/auth-outcome.ts';
import { describe } from '../../shared/diagnostics.ts';
import { MICROSOFT_CLOUDS, PROVIDERS, providerByDomain, providerById, type Protocol } from '../../shared/providers.ts';
import type { AppError, Result } from '../../shared/result.ts';
import { scopesFor } from '../auth/scopes.ts';
import { UsageError, type CliCommand, type CliIO } from './command.ts';
import { findAccount, openCliCore, type CliCoreOptions } from './cli-core.ts';
import { parseServerSpec } from './test-command.ts';

const STORE_FLAGS = `Store options (all commands):
  --data-dir <dir>        where accounts and encrypted secrets live
                          (default: $MAIL_OAUTH_DATA_DIR or ~/.config/mail-oauth-assistant/cli)
  --insecure-store        without an OS keyring, keep secrets encrypted with a key file anyway
  --ca-file <file>        trust an extra CA (PEM) for the identity provider
`;

type Spec = Record<string, { type: 'string' | 'boolean' }>;
const storeSpec: Spec = { 'data-dir': { type: 'string' }, 'insecure-store': { type: 'boolean' }, 'ca-file': { type: 'string' } };

function parse(argv: string[], spec: Spec, positionals: number): { values: Record<string, string | boolean | undefined>; args: string[] } {
  try {
    const { values, positionals: args } = parseArgs({ args: argv, options: { ...storeSpec, ...spec }, strict: true, allowPositionals: positionals > 0 });
    if (args.length > positionals) throw new Error(`unexpected argument: ${args[positionals]}`);
    return { values: values as Record<string, string | boolean | undefined>, args };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function storeOptions(values: Record<string, string | boolean | undefined>): CliCoreOptions {
  const o: CliCoreOptions = {};
  if (typeof values['data-dir'] === 'string') o.dataDir = values['data-dir'];
  if (values['insecure-store'] === true) o.insecureStore = true;
  if (typeof values['ca-file'] === 'string') o.caFile = values['ca-file'];
  return o;
}

/** Print an AppError as the diagnostics catalog explains it; exit code 1. */
function fail(io: CliIO, error: AppError): number {
  const d = describe(error.code);
  io.stderr.write(`✗ ${d.title} (${d.code})\n  ${error.message !== d.title ? `${error.message}\n  ` : ''}${d.explanation}\n`);
  if (error.detail) io.stderr.write(`  Detail: ${error.detail}\n`);
  for (const [i, step] of d.fix.entries()) io.stderr.write(`  ${i + 1}. ${step}\n`);
  return 1;
}

function need(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

const addUsage = `Usage: mail-oauth add --address <email> --client-id <id> [options]

Saves an account (no secrets on the command line: the client secret is read from a file).
  --provider <id>         ${PROVIDERS.map((p) => p.id).join(', ')} (default: by the address's domain, else generic)
  --tenant <t>            Microsoft: common, organizations, consumers or a tenant id (default: the provider's)
  --cloud <id>            Microsoft cloud: ${MICROSOFT_CLOUDS.map((c) => c.id).join(', ')} (default global)
  --authority <url>       Microsoft-style authority that is not Microsoft's (OIDC mode)
  --issuer <url>          OpenID issuer (default: the provider's)
  --scopes "<a b c>"      scopes to request (default: the provider's for the enabled protocols)
  --imap|--pop|--smtp host:port[:tls|starttls|none]   servers (default: the provider's)
  --app-only              client credentials (admin-consented app permissions, no user)
  --client-secret-file <f> file holding the client secret (read, never printed)

${STORE_FLAGS}`;

function addCommand(): CliCommand {
  return {
    name: 'add',
    summary: 'save an account (servers, client id, provider) for test, authorize and token',
    usage: addUsage,
    async run(argv, io) {
      const { values } = parse(
        argv,
        {
          address: { type: 'string' },
          provider: { type: 'string' },
          'client-id': { type: 'string' },
          tenant: { type: 'string' },
          cloud: { type: 'string' },
          authority: { type: 'string' },
          issuer: { type: 'string' },
          scopes: { type: 'string' },
          imap: { type: 'string' },
          pop: { type: 'string' },
          smtp: { type: 'string' },
          'app-only': { type: 'boolean' },
          'client-secret-file': { type: 'string' },
        },
        0,
      );
      const address = z.string().email().safeParse(need(values.address, 'address'));
      if (!address.success) throw new UsageError('--address: enter a full email address');
      const provider =
        typeof values.provider === 'string' ? providerById(values.provider) : (providerByDomain(address.data) ?? providerById('generic'));
      if (!provider) throw new UsageError(`--provider: unknown provider "${String(values.provider)}"`);
      const clientId = need(values['client-id'], 'client-id');
      const servers: Servers = {};
      for (const p of ['imap', 'pop', 'smtp'] as Protocol[]) {
        const spec = values[p];
        if (typeof spec === 'string') servers[p] = parseServerSpec(p, spec);
      }
      if (Object.keys(servers).length === 0) {
        for (const [p, d] of Object.entries(provider.servers)) if (d) servers[p as Protocol] = { enabled: true, ...d };
      }
      if (Object.keys(servers).length === 0) throw new UsageError('Give at least one of --imap, --pop, --smtp');
      const flow = values['app-only'] === true ? 'app-only' : 'delegated';
      let auth: AuthSettings;
      if (provider.adapter === 'msal') {
        const cloud = MICROSOFT_CLOUDS.find((c) => c.id === (values.cloud ?? 'global'));
        if (!cloud) throw new UsageError(`--cloud: unknown cloud "${String(values.cloud)}"`);
        const tenant = typeof values.tenant === 'string' ? values.tenant : (provider.defaultTenant ?? 'common');
        const authority = typeof values.authority === 'string' ? values.authority : `${cloud.authorityHost}/${tenant}`;
        auth = { adapter: 'msal', authority, clientId, flow, oidcMode: typeof values.authority === 'string' };
      } else {
        const issuer = typeof values.issuer === 'string' ? values.issuer : provider.issuer;
        if (!issuer) throw new UsageError('--issuer is required for this provider');
        auth = { adapter: 'oidc', issuer, clientId, flow, authParams: { ...(provider.authParams ?? {}) } };
      }
      const scopes = typeof values.scopes === 'string' ? values.scopes.split(/\s+/).filter(Boolean) : scopesFor(provider, servers);
      const secretFile = values['client-secret-file'];
      const secret = typeof secretFile === 'string' ? (await readFile(secretFile, 'utf8').catch(() => {
        throw new UsageError(`--client-secret-file: cannot read ${secretFile}`);
      })).trim() : undefined;

      const core = await openCliCore(io, storeOptions(values));
      const handlers = core.handlers(() => {});
      const saved = await handlers['accounts:save']({
        account: { label: address.data, address: address.data, providerId: provider.id, auth, scopes, servers, status: 'ready' },
      });
      if (secret) {
        const r = await core.auth.setClientSecret(saved.id, secret);
        if (!r.ok) return fail(io, r.error);
      }
      io.stdout.write(`${saved.id}\n`);
      io.stderr.write(`Saved ${saved.address} (${provider.label}). Next: mail-oauth authorize ${saved.id}\n`);
      return 0;
    },
  };
}

function accountsCommand(): CliCommand {
  return {
    name: 'accounts',
    summary: 'list saved accounts with their token state and last test',
    usage: `Usage: mail-oauth accounts [--json]\n\n${STORE_FLAGS}`,
    async run(argv, io) {
      const { values } = parse(argv, { json: { type: 'boolean' } }, 0);
      const core = await openCliCore(io, storeOptions(values));
      const rows: Array<{ account: Account; token: string }> = [];
      for (const account of core.accounts.list()) {
        const t = await core.auth.tokenState(account.id);
        rows.push({ account, token: t.ok ? t.value.state : 'unknown' });
      }
      if (values.json === true) {
        io.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...r.account, tokenState: r.token })), null, 2)}\n`);
        return 0;
      }
      if (rows.length === 0) {
        io.stdout.write('No saved accounts. Add one with `mail-oauth add` or in the app.\n');
        return 0;
      }
      for (const { account: a, token } of rows) {
        const last = a.lastTest ? `${a.lastTest.ok ? 'passed' : 'failed'} ${new Date(a.lastTest.at).toISOString().slice(0, 16)}` : 'never tested';
        io.stdout.write(`${a.id}  ${a.address}  ${a.providerId}  token: ${token}  test: ${last}${a.status === 'draft' ? '  (setup not finished)' : ''}\n`);
      }
      return 0;
    },
  };
}

function authorizeCommand(): CliCommand {
  return {
    name: 'authorize',
    summary: 'sign in for a saved account (browser, device code, or client credentials)',
    usage: `Usage: mail-oauth authorize <account id or address> [--flow browser|device|client-credentials]\n\n${STORE_FLAGS}`,
    async run(argv, io) {
      const { values, args } = parse(argv, { flow: { type: 'string' } }, 1);
      const ref = args[0];
      if (!ref) throw new UsageError('Name the account (id or address)');
      const flow = AuthFlow.safeParse(values.flow ?? 'browser');
      if (!flow.success) throw new UsageError('--flow: browser, device or client-credentials');
      const core = await openCliCore(io, storeOptions(values));
      const account = findAccount(core, ref);
      const r = await core.auth.authorize(account.id, flow.data, {
        signal: io.signal,
        onProgress: (p) => {
          if (p.kind === 'device-code') io.stderr.write(`Go to ${p.verificationUri} and enter the code:\n\n    ${p.userCode}\n\n`);
        },
      });
      if (!r.ok) return fail(io, r.error);
      const o = r.value;
      io.stderr.write(
        `✓ Signed in${o.signedInAs ? ` as ${o.signedInAs}` : ''}. Granted: ${o.grantedScopes.join(' ') || '-'}. Refresh token: ${o.hasRefreshToken ? 'yes' : 'no'}.` +
          `${o.persisted ? '' : ' Not stored on disk (no OS keyring).'}\n`,
      );
      for (const f of o.flags) io.stderr.write(`  ${f.severity === 'warning' ? '!' : 'i'} ${f.message}\n`);
      return 0;
    },
  };
}

function tokenCommand(): CliCommand {
  return {
    name: 'token',
    summary: 'print a fresh access token for a saved account (for scripts and mail clients)',
    usage: `Usage: mail-oauth token <account id or address> [--force-refresh]

Prints only the access token on stdout, refreshing it first when it is close to expiry.
Treat the output as a password.

${STORE_FLAGS}`,
    async run(argv, io) {
      const { values, args } = parse(argv, { 'force-refresh': { type: 'boolean' } }, 1);
      const ref = args[0];
      if (!ref) throw new UsageError('Name the account (id or address)');
      const core = await openCliCore(io, storeOptions(values));
      const account = findAccount(core, ref);
      const r: Result<{ token: string }> = await core.auth.getAccessToken(account.id, {
        signal: io.signal,
        forceRefresh: values['force-refresh'] === true,
      });
      if (!r.ok) return fail(io, r.error);
      io.stdout.write(`${r.value.token}\n`);
      return 0;
    },
  };
}

function removeCommand(): CliCommand {
  return {
    name: 'remove',
    summary: 'revoke (where the provider can) and delete a saved account and its secrets',
    usage: `Usage: mail-oauth remove <account id or address>\n\n${STORE_FLAGS}`,
    async run(argv, io) {
      const { values, args } = parse(argv, {}, 1);
      const ref = args[0];
      if (!ref) throw new UsageError('Name the account (id or address)');
      const core = await openCliCore(io, storeOptions(values));
      const account = findAccount(core, ref);
      const r = await core.auth.removeAccount(account.id, { signal: io.signal });
      if (!r.ok) return fail(io, r.error);
      io.stderr.write(`Removed ${account.address}${r.value.revoked ? '; access revoked at the provider' : ''}.\n`);
      return 0;
    },
  };
}

export const accountCommands = (): CliCommand[] => [addCommand(), accountsCommand(), authorizeCommand(), tokenCommand(), removeCommand()];
