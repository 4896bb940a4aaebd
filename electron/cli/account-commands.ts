// CLI commands over saved accounts: add, edit, accounts, authorize, remove (`token` has its own
// module: electron/cli/token-command.ts). Everything a person reads goes to stderr or to a table
// on stdout; failures name the code and the next step, and the exit code says what kind it is.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { Account as AccountSchema, Email, grantProblem, signerOf, type Account, type AuthSettings, type Servers } from '../../shared/account.ts';
import { exchangeSharedMailboxScript } from '../../shared/registration-scripts.ts';
import { AuthFlow } from '../../shared/auth-outcome.ts';
import { MICROSOFT_CLOUDS, PROVIDERS, providerByDomain, providerById, type Protocol, type ProviderEntry } from '../../shared/providers.ts';
import { IDENTITY_SCOPES, isUserScoped, scopesFor } from '../auth/scopes.ts';
import { CliError, UsageError, type CliCommand, type CliIO } from './command.ts';
import { need, parseCommand, STORE_FLAGS, storeOptions, type Values } from './args.ts';
import { accountRef, findAccount, openCliCore, readCaFile, type CliCore } from './cli-core.ts';
import { EXIT, EXIT_CODES_HELP, failExplained } from './exit.ts';
import { isLoopbackHost, parseServerSpec } from './server-spec.ts';
import { formatDay, parseDay } from '../../shared/registration-scripts.ts';

const PROTOCOLS: readonly Protocol[] = ['imap', 'pop', 'smtp'];

/** An issuer or authority URL: https, or http only to a loopback host (a local test provider):
 * tokens and client secrets travel to it. */
function parseIdpUrl(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${flag}: "${value}" is not a URL (like https://login.example.com/realm)`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new UsageError(`--${flag}: http:// would send tokens and secrets in cleartext; use https:// (http is allowed only for localhost)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--${flag}: must be an https:// URL, got ${url.protocol}`);
  if (url.username || url.password) throw new UsageError(`--${flag}: a URL with a user name or password is not an issuer`);
  return value;
}

function parseScopes(value: string): string[] {
  const scopes = value.split(/[\s,]+/).filter(Boolean);
  if (scopes.length === 0) throw new UsageError('--scopes is empty: give the scopes to request, like "openid email offline_access <mail scope>"');
  return [...new Set(scopes)];
}

const NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_.@+-]{0,63}$/u;

/** A name: a handle for the command line, unique among ids, names and addresses. */
function checkName(core: CliCore, name: string, self?: Account): string {
  if (!NAME.test(name)) throw new UsageError(`--name: "${name}" must be 1 to 64 letters, digits or _ . @ + - (no spaces), starting with a letter or digit`);
  const clash = core.accounts
    .list()
    .find((a) => a.id !== self?.id && (a.id === name || a.label.toLowerCase() === name.toLowerCase() || (a.address === name.toLowerCase() && a.address !== self?.address)));
  if (clash) throw new CliError(`--name ${name}: already names ${clash.address} (${clash.id}); choose another name`, EXIT.usage);
  return name;
}

async function readClientSecret(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`--client-secret-file: cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  const secret = text.trim();
  if (secret === '') throw new UsageError(`--client-secret-file: ${path} is empty`);
  if (/[\r\n]/.test(secret)) throw new UsageError(`--client-secret-file: ${path} holds more than one line; put only the secret in it`);
  return secret;
}

/** --consent-status: only where the catalog knows a Testing limit (Google's 7 days), else the
 * answer would be kept and never used. `unknown` (edit) forgets it. */
function parseConsentStatus(value: unknown, provider: ProviderEntry | undefined): Account['consentStatus'] | 'unknown' | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if (v !== 'testing' && v !== 'production' && v !== 'unknown') throw new UsageError(`--consent-status: "${value}" is not testing, production or unknown`);
  if (v !== 'unknown' && provider?.refreshTokenLimits?.testingDays === undefined) {
    throw new UsageError(`--consent-status is for providers with a consent screen in Testing (Google); ${provider?.label ?? 'this provider'} has none`);
  }
  return v;
}

/** --secret-expires YYYY-MM-DD (the client secret's end date; `none` forgets it). */
function parseSecretExpires(value: unknown): number | 'none' | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.trim().toLowerCase() === 'none') return 'none';
  const ms = parseDay(value);
  if (ms === undefined) throw new UsageError(`--secret-expires: "${value}" is not a date like 2027-06-30 (YYYY-MM-DD)`);
  return ms;
}

/** Save through the schema; a record it refuses is a usage error that names the field, never a dump. */
function put(core: CliCore, record: z.input<typeof AccountSchema>): Account {
  const parsed = AccountSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`invalid account: ${issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'rejected'}`);
  }
  return core.accounts.put(parsed.data);
}

function msalAuth(values: Values, provider: ProviderEntry, clientId: string, flow: 'delegated' | 'app-only', current?: Extract<AuthSettings, { adapter: 'msal' }>): AuthSettings {
  let authority = current?.authority;
  let oidcMode = current?.oidcMode ?? false;
  if (typeof values.authority === 'string') {
    authority = parseIdpUrl('authority', values.authority);
    oidcMode = true;
  } else if (typeof values.tenant === 'string' || typeof values.cloud === 'string' || authority === undefined) {
    const cloud = MICROSOFT_CLOUDS.find((c) => c.id === (typeof values.cloud === 'string' ? values.cloud : 'global'));
    if (!cloud) throw new UsageError(`--cloud: unknown cloud "${String(values.cloud)}" (${MICROSOFT_CLOUDS.map((c) => c.id).join(', ')})`);
    const currentTenant = authority ? new URL(authority).pathname.split('/').filter(Boolean)[0] : undefined;
    const tenant = typeof values.tenant === 'string' ? values.tenant.trim() : (currentTenant ?? provider.defaultTenant ?? 'common');
    if (!/^[\w.-]{1,100}$/.test(tenant)) throw new UsageError(`--tenant: "${tenant}" is not a tenant (common, organizations, consumers, a tenant id or domain)`);
    authority = `${cloud.authorityHost}/${tenant}`;
    oidcMode = false;
  }
  return { adapter: 'msal', authority, clientId, flow, oidcMode };
}

const SERVER_FLAGS = `  --imap|--pop|--smtp host:port[:tls|starttls|none]   servers (default: the provider's);
                          none (no TLS) only for localhost`;

const addUsage = `Usage: mail-oauth add --address <email> --client-id <id> [options]
       mail-oauth add --shared-mailbox <email> --sign-in-as <delegate> [--client-id <id>] [options]

Saves an account (no secrets on the command line: the client secret is read from a file).
  --shared-mailbox <email>  a shared mailbox (info@, support@...) opened by a delegate with Full
                          Access: mail servers get this address as the user name, the token is
                          the delegate's. Reuses the sign-in of a saved account of that delegate
                          (same app) when there is one: no second browser sign-in.
  --sign-in-as <email>    with --shared-mailbox: who signs in (the delegate's own address)
  --name <name>           a short handle for the account, used wherever an account is named
                          (needed when another account has the same address)
  --provider <id>         ${PROVIDERS.map((p) => p.id).join(', ')} (default: by the address's domain, else generic)
  --tenant <t>            Microsoft: common, organizations, consumers or a tenant id (default: the provider's)
  --cloud <id>            Microsoft cloud: ${MICROSOFT_CLOUDS.map((c) => c.id).join(', ')} (default global)
  --authority <url>       Microsoft-style authority that is not Microsoft's (OIDC mode)
  --issuer <url>          OpenID issuer, https:// (default: the provider's)
  --scopes "<a b c>"      scopes to request (default: the provider's for the enabled protocols)
${SERVER_FLAGS}
  --app-only              client credentials (admin-consented app permissions, no user)
  --client-secret-file <f> file holding the client secret (read, never printed)
  --secret-expires <YYYY-MM-DD>  when the client secret ends (warned about 30 days before)
  --consent-status testing|production   Google: the consent screen's publishing status
                          (Testing: the sign-in ends after 7 days; warned 2 days before)
  --ca-file <file>        a CA (PEM) this account trusts (identity provider, mail servers): saved with it

${STORE_FLAGS}`;

const ADD_SPEC = {
  address: { type: 'string' },
  'shared-mailbox': { type: 'string' },
  'sign-in-as': { type: 'string' },
  name: { type: 'string' },
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
  'secret-expires': { type: 'string' },
  'consent-status': { type: 'string' },
} as const;

/** `--shared-mailbox` + `--sign-in-as`, checked: both or neither, two different addresses. */
function sharedMailboxFlags(values: Values): { mailbox: string; signInAs: string } | undefined {
  const box = values['shared-mailbox'];
  const who = values['sign-in-as'];
  if (box === undefined && who === undefined) return undefined;
  if (typeof box !== 'string') throw new UsageError('--sign-in-as is for shared mailboxes: give the mailbox with --shared-mailbox <email>');
  if (typeof who !== 'string') throw new UsageError('--shared-mailbox needs --sign-in-as <email>: the address of the delegate who signs in');
  if (values.address !== undefined) throw new UsageError('--shared-mailbox is the mailbox address: leave out --address');
  const mailbox = Email.safeParse(box);
  if (!mailbox.success) throw new UsageError('--shared-mailbox: enter the shared mailbox\'s full email address, like info@example.com');
  const signInAs = Email.safeParse(who);
  if (!signInAs.success) throw new UsageError('--sign-in-as: enter the delegate\'s full email address, like name@example.com');
  if (mailbox.data === signInAs.data) {
    throw new UsageError(`--shared-mailbox and --sign-in-as are both ${mailbox.data}: the shared mailbox has its own address (info@...), and the delegate signs in with theirs. For your own mailbox use --address.`);
  }
  return { mailbox: mailbox.data, signInAs: signInAs.data };
}

/** The saved account of the delegate (signs in as them, delegated, lends no grant of someone
 * else's) whose app a new shared mailbox takes when no --client-id is given. */
function delegateTemplate(core: CliCore, signInAs: string, values: Values): Account | undefined {
  const candidates = core.accounts
    .list()
    .filter((a) => a.grantFrom === undefined && a.auth.flow === 'delegated' && signerOf(a) === signInAs)
    .filter((a) => typeof values.provider !== 'string' || a.providerId === values.provider);
  if (candidates.length === 0) throw new UsageError(`No saved account signs in as ${signInAs}: give the app with --client-id (and --provider / --tenant / --issuer as for add)`);
  return candidates[0];
}

function addCommand(): CliCommand {
  return {
    name: 'add',
    summary: 'save an account (servers, client id, provider) for test, authorize and token',
    usage: addUsage,
    async run(argv, io) {
      const { values } = parseCommand(argv, ADD_SPEC, 0);
      const shared = sharedMailboxFlags(values);
      const address = shared ? { success: true as const, data: shared.mailbox } : Email.safeParse(need(values.address, 'address'));
      if (!address.success) throw new UsageError('--address: enter a full email address, like name@example.com');
      if (shared && values['app-only'] === true) {
        throw new UsageError('--app-only reaches a mailbox without anyone signing in: give the mailbox with --address, without --shared-mailbox and --sign-in-as');
      }
      // A shared mailbox of a delegate whose account is saved: its app, provider and servers are
      // the defaults, so `add --shared-mailbox info@ --sign-in-as alice@` is all it takes.
      const core0 = shared && values['client-id'] === undefined ? await openCliCore(io, { ...storeOptions(values), notes: true }) : undefined;
      const template = core0 && shared ? delegateTemplate(core0, shared.signInAs, values) : undefined;
      let caFromTemplate: string | undefined;
      if (template) {
        values.provider ??= template.providerId;
        values['client-id'] = template.auth.clientId;
        if (template.auth.adapter === 'oidc') values.issuer ??= template.auth.issuer;
        else if (values.tenant === undefined && values.cloud === undefined) values.authority ??= template.auth.authority;
        if (values.scopes === undefined && template.scopes.length > 0) values.scopes = template.scopes.join(' ');
        if (values.imap === undefined && values.pop === undefined && values.smtp === undefined) {
          for (const p of PROTOCOLS) {
            const s = template.servers[p];
            if (s?.enabled) values[p] = `${s.host}:${s.port}:${s.security}`;
          }
        }
        if (template.caPem !== undefined && values['ca-file'] === undefined) caFromTemplate = template.caPem;
      }
      const provider =
        typeof values.provider === 'string' ? providerById(values.provider) : (providerByDomain(address.data) ?? providerById('generic'));
      if (!provider) throw new UsageError(`--provider: unknown provider "${String(values.provider)}" (${PROVIDERS.map((p) => p.id).join(', ')})`);
      const clientId = need(values['client-id'], 'client-id').trim();
      const consent = parseConsentStatus(values['consent-status'], provider);
      if (consent === 'unknown') throw new UsageError('--consent-status: testing or production (leave it out when unknown)');
      const secretExpires = parseSecretExpires(values['secret-expires']);
      if (secretExpires === 'none') throw new UsageError('--secret-expires: a date like 2027-06-30 (leave it out when the secret does not expire)');
      const servers: Servers = {};
      for (const p of PROTOCOLS) {
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
        if (typeof values.issuer === 'string') throw new UsageError('--issuer is for OpenID providers; Microsoft accounts take --tenant, --cloud or --authority');
        auth = msalAuth(values, provider, clientId, flow);
      } else {
        for (const f of ['tenant', 'cloud', 'authority'] as const) {
          if (values[f] !== undefined) throw new UsageError(`--${f} is for Microsoft accounts; this provider takes --issuer`);
        }
        const issuer = typeof values.issuer === 'string' ? parseIdpUrl('issuer', values.issuer) : provider.issuer;
        if (!issuer) throw new UsageError('--issuer is required for this provider');
        auth = { adapter: 'oidc', issuer, clientId, flow, authParams: { ...(provider.authParams ?? {}) } };
      }
      const scopes = typeof values.scopes === 'string' ? parseScopes(values.scopes) : scopesFor(provider, servers);
      const secretFile = values['client-secret-file'];
      const secret = typeof secretFile === 'string' ? await readClientSecret(secretFile) : undefined;
      // The CA given to `add` belongs to the account: later commands (and a mail client's helper
      // line) need not repeat --ca-file.
      const caPem = typeof values['ca-file'] === 'string' ? readCaFile('ca-file', values['ca-file']) : caFromTemplate;

      const core = core0 ?? (await openCliCore(io, { ...storeOptions(values), notes: true }));
      if (typeof values.scopes !== 'string' && isUserScoped(provider) && auth.adapter === 'oidc') {
        // A generic provider's mail scopes are not known here: defaulting to openid/email/
        // offline_access gives a token every mail server refuses. Ask, with the issuer's list.
        const info = await core.auth.checkIssuer(auth.issuer, caPem ? { caPem } : {});
        const listed = info.ok ? (info.value.scopesSupported ?? []).filter((x) => !IDENTITY_SCOPES.has(x)) : [];
        throw new UsageError(
          `--scopes is required for this provider: give the scope(s) its mail servers need, plus openid email offline_access, e.g. --scopes "openid email offline_access <mail scope>".${listed.length > 0 ? ` The issuer lists: ${listed.join(' ')}` : ''}`,
        );
      }
      const same = core.accounts.list().filter((a) => a.address === address.data);
      const first = same[0];
      if (first && typeof values.name !== 'string') {
        throw new CliError(
          `${address.data} is already saved as ${accountRef(first)} (${first.id}). To keep another account with this address, give it a name: --name <name>; or change the saved one with mail-oauth edit ${accountRef(first)}`,
          EXIT.usage,
        );
      }
      const name = typeof values.name === 'string' ? checkName(core, values.name) : address.data;
      const now = core.clock.now();
      const id = randomUUID();
      // One sign-in per delegate and app: a saved account of the delegate lends its grant.
      const lender = shared
        ? core.accounts.list().find((a) => grantProblem({ id, address: address.data, signInAs: shared.signInAs, providerId: provider.id, auth }, a) === undefined)
        : undefined;
      const saved = put(core, {
        id,
        label: name,
        address: address.data,
        ...(shared ? { signInAs: shared.signInAs } : {}),
        ...(lender ? { grantFrom: lender.id, ...(lender.identity ? { identity: lender.identity } : {}) } : {}),
        providerId: provider.id,
        auth,
        scopes,
        servers,
        ...(caPem ? { caPem } : {}),
        ...(consent !== undefined ? { consentStatus: consent } : {}),
        ...(secretExpires !== undefined ? { clientSecretExpiresAt: secretExpires } : {}),
        status: 'ready',
        createdAt: now,
        updatedAt: now,
      });
      if (secret) {
        const r = await core.auth.setClientSecret(saved.id, secret);
        if (!r.ok) return failExplained(io, 'add', r.error, accountRef(saved));
      }
      io.stdout.write(`${saved.id}\n`);
      if (!shared) {
        io.stderr.write(`Saved ${saved.address}${name !== saved.address ? ` as ${name}` : ''} (${provider.label}). Next: mail-oauth authorize ${accountRef(saved)}\n`);
        return 0;
      }
      io.stderr.write(
        `Saved shared mailbox ${saved.address}${name !== saved.address ? ` as ${name}` : ''} (${provider.label}), opened by ${shared.signInAs} signing in.\n` +
          (lender
            ? `It uses the sign-in of ${accountRef(lender)}: no new sign-in needed. Next: mail-oauth test --account ${accountRef(saved)}\n`
            : `Next: mail-oauth authorize ${accountRef(saved)} (sign in as ${shared.signInAs})\n`),
      );
      if (provider.adapter === 'msal') {
        const admin = exchangeSharedMailboxScript({ mailbox: saved.address, delegate: shared.signInAs, protocols: PROTOCOLS.filter((p) => servers[p]?.enabled) });
        if (admin.ok) io.stderr.write(`An Exchange admin gives ${shared.signInAs} access with:\n${admin.value}\n`);
      }
      return 0;
    },
  };
}

const editUsage = `Usage: mail-oauth edit <account> [changes]

Changes a saved account in place (no remove + add). Says when the change needs a new sign-in.
  --name <name>           rename (the handle used wherever an account is named)
  --scopes "<a b c>"      scopes to request (a new sign-in grants them)
${SERVER_FLAGS}
  --imap|--pop|--smtp off   stop using that protocol
  --ca-file <file>        a CA (PEM) this account trusts (identity provider, mail servers)
  --no-ca                 forget the account's CA
  --client-id <id>        the app registration's client id (needs a new sign-in)
  --tenant <t> | --cloud <id> | --authority <url>   Microsoft (needs a new sign-in)
  --issuer <url>          OpenID issuer (needs a new sign-in)
  --client-secret-file <f> replace the stored client secret
  --secret-expires <YYYY-MM-DD>|none   when the client secret ends (none: forget the date)
  --consent-status testing|production|unknown   Google: the consent screen's publishing status

${STORE_FLAGS}`;

function editCommand(): CliCommand {
  return {
    name: 'edit',
    summary: 'change a saved account (scopes, servers, CA, client id, tenant or issuer)',
    usage: editUsage,
    async run(argv, io) {
      const { values, args } = parseCommand(
        argv,
        {
          name: ADD_SPEC.name,
          'client-id': ADD_SPEC['client-id'],
          tenant: ADD_SPEC.tenant,
          cloud: ADD_SPEC.cloud,
          authority: ADD_SPEC.authority,
          issuer: ADD_SPEC.issuer,
          scopes: ADD_SPEC.scopes,
          imap: ADD_SPEC.imap,
          pop: ADD_SPEC.pop,
          smtp: ADD_SPEC.smtp,
          'client-secret-file': ADD_SPEC['client-secret-file'],
          'secret-expires': ADD_SPEC['secret-expires'],
          'consent-status': ADD_SPEC['consent-status'],
          'no-ca': { type: 'boolean' },
        },
        1,
      );
      const ref = args[0];
      if (!ref) throw new UsageError('Name the account to edit (name, address or id)');
      if (values['no-ca'] === true && values['ca-file'] !== undefined) throw new UsageError('--ca-file and --no-ca contradict each other');
      // Read every file before touching the store: a bad file changes nothing.
      const caPem = typeof values['ca-file'] === 'string' ? readCaFile('ca-file', values['ca-file']) : undefined;
      const secret = typeof values['client-secret-file'] === 'string' ? await readClientSecret(values['client-secret-file']) : undefined;
      // --ca-file here is the account's new CA, not an extra CA for this command.
      const core = await openCliCore(io, { ...storeOptions({ ...values, 'ca-file': undefined }), notes: true });
      const account = findAccount(core, ref);
      const next: Account = { ...account, servers: { ...account.servers } };
      const changes: string[] = [];
      let signInAgain = false; // the saved tokens belong to another registration or issuer
      let newScopes = false; // the tokens are fine but do not carry the new scopes

      if (typeof values.name === 'string') {
        next.label = checkName(core, values.name, account);
        changes.push(`name ${next.label}`);
      }
      for (const p of PROTOCOLS) {
        const spec = values[p];
        if (typeof spec !== 'string') continue;
        if (spec.trim().toLowerCase() === 'off') {
          if (next.servers[p]) next.servers[p] = { ...next.servers[p], enabled: false };
          changes.push(`${p.toUpperCase()} off`);
        } else {
          next.servers[p] = parseServerSpec(p, spec);
          changes.push(`${p.toUpperCase()} ${next.servers[p].host}:${next.servers[p].port}:${next.servers[p].security}`);
        }
      }
      if (PROTOCOLS.every((p) => next.servers[p]?.enabled !== true)) throw new UsageError('That would leave no protocol enabled');
      if (caPem !== undefined) {
        next.caPem = caPem;
        changes.push('CA');
      } else if (values['no-ca'] === true) {
        delete next.caPem;
        changes.push('CA removed');
      }
      if (typeof values.scopes === 'string') {
        next.scopes = parseScopes(values.scopes);
        if (next.scopes.join(' ') !== account.scopes.join(' ')) {
          newScopes = true;
          changes.push(`scopes ${next.scopes.join(' ')}`);
        }
      }
      const authChange = ['client-id', 'tenant', 'cloud', 'authority', 'issuer'].some((f) => values[f] !== undefined);
      if (authChange) {
        const clientId = typeof values['client-id'] === 'string' ? need(values['client-id'], 'client-id').trim() : account.auth.clientId;
        const provider = providerById(account.providerId) ?? providerById('generic');
        if (!provider) throw new UsageError(`unknown provider ${account.providerId}`);
        if (account.auth.adapter === 'msal') {
          if (values.issuer !== undefined) throw new UsageError('--issuer is for OpenID providers; Microsoft accounts take --tenant, --cloud or --authority');
          next.auth = msalAuth(values, provider, clientId, account.auth.flow, account.auth);
        } else {
          for (const f of ['tenant', 'cloud', 'authority'] as const) {
            if (values[f] !== undefined) throw new UsageError(`--${f} is for Microsoft accounts; this one takes --issuer`);
          }
          const issuer = typeof values.issuer === 'string' ? parseIdpUrl('issuer', values.issuer) : account.auth.issuer;
          next.auth = { ...account.auth, issuer, clientId };
        }
        if (JSON.stringify(next.auth) !== JSON.stringify(account.auth)) {
          signInAgain = true;
          changes.push(account.auth.adapter === 'msal' ? 'client id / authority' : 'client id / issuer');
        }
      }
      const consent = parseConsentStatus(values['consent-status'], providerById(account.providerId));
      if (consent === 'unknown') {
        delete next.consentStatus;
        changes.push('consent status forgotten');
      } else if (consent !== undefined) {
        next.consentStatus = consent;
        changes.push(`consent status ${consent}`);
      }
      const secretExpires = parseSecretExpires(values['secret-expires']);
      if (secretExpires === 'none') {
        delete next.clientSecretExpiresAt;
        changes.push('secret end date forgotten');
      } else if (secretExpires !== undefined) {
        next.clientSecretExpiresAt = secretExpires;
        changes.push(`secret ends ${formatDay(secretExpires)}`);
      }
      if (secret !== undefined) changes.push('client secret');
      if (changes.length === 0) throw new UsageError('Nothing to change: give at least one change (mail-oauth edit --help)');

      if (signInAgain) {
        // Tokens of the old registration or issuer cannot be refreshed at the new one: forget them
        // locally (before saving, so a failure leaves the account as it was).
        const out = await core.auth.signOut(account.id);
        if (!out.ok) return failExplained(io, 'edit', out.error, accountRef(account));
      }
      // Later than the version it replaces, so a window holding that version is told (its save is refused).
      const saved = put(core, { ...next, updatedAt: Math.max(core.clock.now(), account.updatedAt + 1) });
      if (secret !== undefined) {
        const r = await core.auth.setClientSecret(saved.id, secret);
        if (!r.ok) return failExplained(io, 'edit', r.error, accountRef(saved));
      }
      io.stderr.write(`Changed ${accountRef(saved)}: ${changes.join(', ')}.\n`);
      if (signInAgain) io.stderr.write(`This change needs a new sign-in: mail-oauth authorize ${accountRef(saved)}\n`);
      else if (newScopes) io.stderr.write(`The new scopes are granted at the next sign-in: mail-oauth authorize ${accountRef(saved)}\n`);
      else io.stderr.write('No new sign-in needed.\n');
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
      const { values } = parseCommand(argv, { json: { type: 'boolean' } }, 0);
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
        const name = a.label && a.label !== a.address ? `  name: ${a.label}` : '';
        const lender = a.grantFrom !== undefined ? core.accounts.get(a.grantFrom) : undefined;
        const shared = a.signInAs !== undefined ? `  shared, signs in as ${a.signInAs}${a.grantFrom !== undefined ? ` (sign-in of ${lender ? accountRef(lender) : `missing account ${a.grantFrom}`})` : ''}` : '';
        io.stdout.write(`${a.id}  ${a.address}  ${a.providerId}  token: ${token}  test: ${last}${name}${shared}${a.status === 'draft' ? '  (setup not finished)' : ''}\n`);
      }
      return 0;
    },
  };
}

function authorizeCommand(): CliCommand {
  return {
    name: 'authorize',
    summary: 'sign in for a saved account (browser, device code, or client credentials)',
    usage: `Usage: mail-oauth authorize <account> [--flow browser|device|client-credentials]\n\n${EXIT_CODES_HELP}\n${STORE_FLAGS}`,
    async run(argv, io) {
      const { values, args } = parseCommand(argv, { flow: { type: 'string' } }, 1);
      const ref = args[0];
      if (!ref) throw new UsageError('Name the account (name, address or id)');
      const flow = AuthFlow.safeParse(values.flow ?? 'browser');
      if (!flow.success) throw new UsageError('--flow: browser, device or client-credentials');
      const core = await openCliCore(io, { ...storeOptions(values), notes: true });
      const account = findAccount(core, ref);
      const r = await core.auth.authorize(account.id, flow.data, {
        signal: io.signal,
        onProgress: (p) => {
          if (p.kind === 'device-code') io.stderr.write(`Go to ${p.verificationUri} and enter the code:\n\n    ${p.userCode}\n\n`);
        },
      });
      if (!r.ok) return failExplained(io, 'authorize', r.error, ref);
      const o = r.value;
      io.stderr.write(
        `✓ Signed in${o.signedInAs ? ` as ${o.signedInAs}` : ''}. Granted: ${o.grantedScopes.join(' ') || '-'}. Refresh token: ${o.hasRefreshToken ? 'yes' : 'no'}.` +
          `${o.persisted ? '' : ' Not stored on disk (no OS keyring).'}\n`,
      );
      for (const f of o.flags) io.stderr.write(`  ${f.severity === 'warning' ? '!' : 'i'} ${f.message}\n`);
      if (o.persisted) io.stderr.write(`Helper line for mail clients: mail-oauth token ${accountRef(account)}\n`);
      return 0;
    },
  };
}

function removeCommand(): CliCommand {
  return {
    name: 'remove',
    summary: 'revoke (where the provider can) and delete a saved account and its secrets',
    usage: `Usage: mail-oauth remove <account>\n\n${STORE_FLAGS}`,
    async run(argv, io: CliIO) {
      const { values, args } = parseCommand(argv, {}, 1);
      const ref = args[0];
      if (!ref) throw new UsageError('Name the account (name, address or id)');
      const core = await openCliCore(io, storeOptions(values));
      const account = findAccount(core, ref);
      const r = await core.auth.removeAccount(account.id, { signal: io.signal });
      if (!r.ok) return failExplained(io, 'remove', r.error, ref);
      const v = r.value;
      const revocation = {
        revoked: 'access revoked at the provider',
        unsupported: 'the provider offers no revocation: end the access in your account’s security settings',
        'nothing-to-revoke': 'no sign-in was stored',
        failed: `access could NOT be revoked at the provider (${v.revokeError ?? 'error'}): end it in your account’s security settings`,
      }[v.revocation];
      io.stderr.write(`Removed ${account.address} and its stored secrets; ${revocation}.\n`);
      return 0;
    },
  };
}

export const accountCommands = (): CliCommand[] => [addCommand(), editCommand(), accountsCommand(), authorizeCommand(), removeCommand()];
