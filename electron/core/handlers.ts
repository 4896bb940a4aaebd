// The IPC handlers, built from the core services. The same object serves the Electron main
// process and the development web host, so the UI behaves the same in both. Errors are thrown as
// AppFailure here and turned into Result data by dispatch().
import { randomUUID } from 'node:crypto';
import { grantProblem, type Account } from '../../shared/account.ts';
import type { AppInfo, TokenState } from '../../shared/ipc.ts';
import type { ProbeReport } from '../../shared/probe.ts';
import { AppFailure, appError, type Result } from '../../shared/result.ts';
import { describe } from '../../shared/diagnostics.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { AccountStore } from '../store/account-store.ts';
import type { SecretStore } from '../store/secret-store.ts';
import { discoverServers } from '../discover/discover.ts';
import { probeInputForAccount, runProbe } from '../probe/run-probe.ts';
import type { ActivityLog } from './activity.ts';
import type { Emit, Handlers } from './ipc-dispatch.ts';
import { LINKS } from './links.ts';
import type { BrowserOpener, ClipboardPort, Clock, SecretBox } from './ports.ts';
import { buildReport } from './report.ts';
import { parseCaPem } from './ca-trust.ts';
import { extraCaBundle } from './trust.ts';
import { healthOfAccounts } from '../health/list.ts';
import { appendHistory, readHealthFile, updateHealthFile } from '../health/health-file.ts';
import type { Scheduler } from '../health/scheduler.ts';
import type { AccountHealth } from '../../shared/health.ts';
import { readTestSchedule, TEST_SCHEDULE_KEY } from '../health/schedule-settings.ts';
import type { Preferences } from './services.ts';
import { bridgeClientById, bridgeClientConfig, clientById, clientConfig, helperFor, inputForAccount } from '../../shared/client-settings/index.ts';
import type { BridgeControl } from './bridge-control.ts';
import { providerById } from '../../shared/providers.ts';
import type { LoginItemPort } from './login-item.ts';

export type CoreServices = {
  shell: AppInfo['shell'];
  version: string;
  platform: string;
  secretBox: SecretBox;
  browser: BrowserOpener;
  clock: Clock;
  accounts: AccountStore;
  auth: AuthService;
  activity: ActivityLog;
  emit: Emit;
  clipboard?: ClipboardPort;
  /** Extra trusted CA (PEM) for mail servers and autoconfig (company TLS inspection, test servers). */
  ca?: string;
  /** DNS servers for discovery ("127.0.0.1:5353"); default: the system's. */
  dnsServers?: string[];
  secrets: SecretStore;
  /** Remembers the user's explicit choice to keep secrets without OS encryption. */
  rememberInsecureSecrets: () => void;
  /** The data directory, where health.json keeps the checks' refresh results (electron/health/). */
  dataDir?: string;
  /** The user's choices (the connection-test schedule). */
  preferences?: Preferences;
  /** The background schedule, told when its preference changes. */
  scheduler?: Scheduler;
  /** "Start at login": the desktop app only. */
  loginItem?: LoginItemPort;
  /** The local bridge's control (issue 12); absent: the bridge channels answer BRIDGE_UNAVAILABLE. */
  bridge?: BridgeControl;
  /** Where this window's health:changed go, latest started only (healthSender), when others (the
   * schedule) send some too; default: the handlers' own sequence. */
  healthTicket?: HealthTicket;
};

/** Taken when a health computation starts; the function it returns sends the result if no later
 * computation was started meanwhile. */
export type HealthTicket = () => (accounts: AccountHealth[]) => void;

/**
 * One sequence for every health:changed a window gets: changes come close together (a wizard's
 * save, then a test; a scheduled renewal next to the user's test), their health computations
 * overlap and may finish in any order, so only the latest one started is sent. An older one
 * finishing last would put back the banner of a state already gone (issue 16).
 */
export function healthSender(emit: Emit): HealthTicket {
  let latest = 0;
  return () => {
    const run = ++latest;
    return (accounts) => {
      if (run === latest) emit('health:changed', { accounts });
    };
  };
}

/** What the activity log says about revocation when an account is removed. */
const REVOCATION_NOTE = {
  revoked: ' (access revoked at the provider)',
  unsupported: ' (the provider offers no revocation: end the app’s access in your account’s security settings)',
  'nothing-to-revoke': '',
  failed: ' (access could NOT be revoked at the provider: end it in your account’s security settings)',
} as const;

/** Unwrap a service Result inside a handler: failures travel on as AppFailure. */
function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new AppFailure(r.error);
  return r.value;
}

/** "IMAP", "IMAP and SMTP", "IMAP, POP and SMTP": a summary line in words, not "3 protocol(s)". */
function listProtocols(protocols: readonly string[]): string {
  const names = protocols.map((p) => p.toUpperCase());
  return names.length <= 1 ? (names[0] ?? 'Nothing') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

export function createHandlers(s: CoreServices): Handlers {
  const probes = new Map<string, AbortController>();
  /** The device-code page of each running device flow, as the provider sent it. */
  const devicePages = new Map<string, string>();
  const lastProbe = new Map<string, ProbeReport>();

  const account = (id: string): Account => {
    const a = s.accounts.get(id);
    if (!a) throw new AppFailure(appError('NOT_FOUND', 'That account no longer exists.'));
    return a;
  };
  const health = async () => ({ accounts: await healthOfAccounts(s) });
  const healthTicket = s.healthTicket ?? healthSender(s.emit);
  const changed = (): void => {
    s.emit('accounts:changed', {});
    const send = healthTicket();
    // The banner follows every change; a failure to compute it must not fail the change itself.
    health().then(
      (h) => send(h.accounts),
      () => undefined,
    );
  };
  /** The process-wide CA (--ca-file, the bench's) plus the account's own, as one PEM bundle. */
  const caFor = (id: string | undefined): string | undefined => {
    return extraCaBundle(s.ca, id !== undefined ? s.accounts.get(id)?.caPem : undefined);
  };

  const tokenState = async (id: string): Promise<TokenState> => {
    const t = unwrap(await s.auth.tokenState(id));
    const out: TokenState = {
      accountId: id,
      state: t.state,
      hasRefreshToken: t.hasRefreshToken,
      hasClientSecret: t.hasClientSecret,
      persisted: t.persisted,
    };
    if (t.expiresAt !== undefined) out.expiresAt = t.expiresAt;
    return out;
  };

  const info = (): AppInfo => ({
    name: 'Mail OAuth Assistant',
    version: s.version,
    shell: s.shell,
    platform: s.platform,
    secretStorage: { available: s.secretBox.available, backend: s.secretBox.backend, persisted: s.secrets.status.persistent },
  });

  const bridgeControl = (): BridgeControl => {
    if (!s.bridge) throw new AppFailure(appError('INTERNAL', 'The bridge is not available in this shell.'));
    return s.bridge;
  };

  return {
    'app:info': async () => info(),

    'app:keep-secrets-without-os-encryption': async () => {
      await s.secrets.enableInsecurePersistence();
      s.rememberInsecureSecrets();
      s.activity.add({ kind: 'token', ok: true, message: 'Secrets are now kept on disk without OS encryption (your choice)' });
      return info();
    },

    'app:login-item': async ({ openAtLogin }) => {
      if (!s.loginItem) {
        if (openAtLogin === undefined) return { supported: false, openAtLogin: false };
        throw new AppFailure(appError('VALIDATION_FAILED', 'Start at login is a setting of the desktop app, not of this window.'));
      }
      return openAtLogin === undefined ? s.loginItem.get() : s.loginItem.set(openAtLogin);
    },

    'links:open': async ({ link }) => {
      await s.browser.open(LINKS[link]);
      return { opened: true };
    },

    'health:list': health,

    'health:history': async ({ id }) => {
      account(id);
      const entries = s.dataDir !== undefined ? ((await readHealthFile(s.dataDir)).history[id] ?? []) : [];
      return { entries };
    },

    'health:schedule': async () => ({ test: s.preferences ? readTestSchedule(s.preferences) : 'off' }),

    'health:set-schedule': async ({ test }) => {
      if (!s.preferences) throw new AppFailure(appError('NOT_FOUND', 'This host keeps no preferences.'));
      s.preferences.set(TEST_SCHEDULE_KEY, test);
      s.scheduler?.nudge();
      return { test };
    },

    'accounts:list': async () => {
      const notice = s.accounts.problems[0];
      return { accounts: s.accounts.list(), ...(notice ? { notice } : {}) };
    },

    'accounts:save': async ({ account: { baseUpdatedAt, ...input } }) => {
      const now = s.clock.now();
      // A CA arrives checked (CA_NOT_PEM otherwise) and normalised, whichever way it comes.
      if (input.caPem !== undefined) input = { ...input, caPem: parseCaPem(input.caPem).pem };
      // The wizard's draft does not carry the CA (accounts:trust-ca saves it): keep it on save.
      else if (input.id && s.accounts.get(input.id)?.caPem) input = { ...input, caPem: s.accounts.get(input.id)?.caPem };
      const existing = input.id ? s.accounts.get(input.id) : undefined;
      // A shared mailbox: "who signs in" equal to the mailbox is no delegate (nothing to remember).
      if (input.signInAs !== undefined && input.signInAs === input.address) input = { ...input, signInAs: undefined };
      const id = existing?.id ?? input.id ?? randomUUID();
      // Reusing another account's sign-in: only a grant that is this account's signer's, at the
      // same provider and app (else the mail server would get the wrong person's token).
      const owner = input.grantFrom !== undefined ? s.accounts.get(input.grantFrom) : undefined;
      if (input.grantFrom !== undefined) {
        const problem = grantProblem({ ...input, id }, owner);
        if (problem !== undefined) throw new AppFailure(appError('VALIDATION_FAILED', `Cannot reuse that sign-in: ${problem}.`));
      }
      const saved = s.accounts.put(
        {
          ...input,
          id,
          identity: existing?.identity ?? owner?.identity,
          lastTest: existing?.lastTest,
          createdAt: existing?.createdAt ?? now,
          // Always later than the version it replaces, so a copy loaded before is told apart from it.
          updatedAt: Math.max(now, (existing?.updatedAt ?? 0) + 1),
        },
        // Checked against the file under its lock: the CLI may have written since `existing` was read.
        baseUpdatedAt !== undefined ? { ifUpdatedAt: baseUpdatedAt } : {},
      );
      if (!existing) s.activity.add({ accountId: saved.id, kind: 'account', ok: true, message: `Account ${saved.address} added` });
      changed();
      return saved;
    },

    'accounts:remove': async ({ id }) => {
      const a = account(id);
      const r = unwrap(await s.auth.removeAccount(id));
      lastProbe.delete(id);
      s.activity.add({
        accountId: id,
        kind: 'account',
        ok: true,
        message: `Account ${a.address} removed${REVOCATION_NOTE[r.revocation]}`,
      });
      changed();
      return r;
    },

    'accounts:set-client-secret': async ({ id, secret }) => {
      account(id);
      return unwrap(await s.auth.setClientSecret(id, secret));
    },

    'accounts:token-state': async ({ id }) => {
      account(id);
      return tokenState(id);
    },

    'ca:inspect': async ({ pem }) => ({ certificates: parseCaPem(pem).certificates }),

    'accounts:trust-ca': async ({ id, pem }) => {
      const a = account(id);
      const parsed = pem.trim() === '' ? undefined : parseCaPem(pem);
      // On the record as it is now. updatedAt stays: the wizard's copy does not hold the CA (its
      // saves keep the saved one), so trusting one from the wizard is no conflict with its edits.
      const saved = s.accounts.update(id, ({ caPem: _old, ...rest }) => ({ ...rest, ...(parsed ? { caPem: parsed.pem } : {}) }));
      if (!saved) throw new AppFailure(appError('NOT_FOUND', 'That account no longer exists.'));
      s.activity.add({
        accountId: id,
        kind: 'account',
        ok: true,
        message: parsed
          ? `Trusting certificate authority ${parsed.certificates.map((c) => `${c.subject} (SHA-256 ${c.sha256})`).join('; ')} for ${a.address}`
          : `No extra certificate authority trusted for ${a.address}`,
      });
      changed();
      return { account: saved, certificates: parsed?.certificates ?? [] };
    },

    'discover:servers': async ({ address, id }) => {
      const ca = caFor(id);
      return discoverServers(address, {
        ...(s.dnsServers ? { resolver: { servers: s.dnsServers } } : {}),
        ...(ca ? { ca } : {}),
      });
    },

    'auth:check-issuer': async ({ issuer, id }) => {
      const caPem = id !== undefined ? s.accounts.get(id)?.caPem : undefined;
      return unwrap(await s.auth.checkIssuer(issuer, caPem ? { caPem } : {}));
    },

    'auth:start': async ({ id, flow }) => {
      const a = account(id);
      const r = await s.auth.authorize(id, flow, {
        onProgress: (progress) => {
          if (progress.kind === 'device-code') devicePages.set(id, progress.verificationUriComplete ?? progress.verificationUri);
          s.emit('auth:progress', { accountId: id, progress });
        },
      });
      devicePages.delete(id);
      // The user's own Cancel is not a failure: logged as cancelled (neutral), never in red.
      const cancelled = !r.ok && r.error.code === 'CANCELLED';
      s.activity.add({
        accountId: id,
        kind: 'auth',
        ok: r.ok,
        ...(cancelled ? { cancelled: true } : {}),
        message: r.ok
          ? `Signed in${r.value.signedInAs ? ` as ${r.value.signedInAs}` : ''} (${flow})`
          : cancelled
            ? `Sign-in for ${a.address} cancelled`
            : `Sign-in for ${a.address} failed: ${describe(r.error.code).title}`,
      });
      changed();
      return unwrap(r);
    },

    'auth:cancel': async ({ id }) => ({ cancelled: s.auth.cancel(id) }),

    'auth:open-device-page': async ({ id }) => {
      const page = devicePages.get(id);
      if (!page || !page.startsWith('https://')) {
        throw new AppFailure(appError('NOT_FOUND', 'No device sign-in is waiting for this account.'));
      }
      await s.browser.open(page);
      return { opened: true };
    },

    'probe:run': async ({ id, runId, sendTestMessage }) => {
      const a = account(id);
      const ctl = new AbortController();
      probes.get(runId)?.abort();
      probes.set(runId, ctl);
      try {
        const report = await runProbe(
          // The token provider refreshes while the probe connects (TokenSource, DESIGN.md).
          { ...probeInputForAccount(a, s.auth.tokenProvider(id)), sendTestMessage },
          {
            signal: ctl.signal,
            runId,
            onProgress: (p) => s.emit('probe:progress', p),
            ...(s.ca ? { ca: s.ca } : {}),
          },
        );
        lastProbe.set(id, report);
        const codes = [report.token.code, ...report.protocols.map((p) => p.code)].filter((c): c is string => !!c);
        const summary = report.ok
          ? `${listProtocols(report.protocols.map((p) => p.protocol))} passed in ${Math.round(report.ms)} ms`
          : `Failed: ${[...new Set(codes)].map((c) => describe(c).title).join('; ')}`;
        // A result, not a settings change: updatedAt stays (see AccountStore.update).
        s.accounts.update(id, (x) => ({ ...x, lastTest: { at: s.clock.now(), ok: report.ok, summary, codes } }));
        s.activity.add({ accountId: id, kind: 'test', ok: report.ok, message: `Connection test: ${summary}` });
        if (s.dataDir !== undefined) {
          const entry = { at: s.clock.now(), kind: 'test' as const, ok: report.ok, by: 'user' as const, ...(codes[0] !== undefined ? { code: codes[0] } : {}) };
          // The timeline is a convenience: a failure to write it must not fail the test's answer.
          await updateHealthFile(s.dataDir, (data) => appendHistory(data, id, entry)).catch(() => undefined);
        }
        changed();
        return report;
      } finally {
        if (probes.get(runId) === ctl) probes.delete(runId);
      }
    },

    'probe:cancel': async ({ runId }) => {
      const ctl = probes.get(runId);
      ctl?.abort();
      return { cancelled: ctl !== undefined };
    },

    'tokens:copy': async ({ id }) => {
      const a = account(id);
      if (!s.clipboard) {
        // Say what works from here: the command line reads the tokens only where this host stores
        // them on disk (same data directory); a host without a keyring keeps them in memory only.
        const how = s.secrets.status.persistent
          ? `The token is stored in the data directory this web host uses: print it with "mail-oauth token ${a.address}" (add --data-dir if the web host was started with one).`
          : `This web host keeps tokens in memory only (no OS keyring), so no other program can read them. Use Copy token in the desktop app, or sign in from the command line with "mail-oauth authorize ${a.address}" and then print one with "mail-oauth token ${a.address}".`;
        throw new AppFailure(appError('CLIPBOARD_UNAVAILABLE', how));
      }
      const token = unwrap(await s.auth.getAccessToken(id));
      s.clipboard.writeText(token.token);
      s.activity.add({ accountId: id, kind: 'token', ok: true, message: 'Access token copied to the clipboard' });
      return { copied: true, ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}) };
    },

    'report:build': async ({ id }) => {
      const a = account(id);
      const state = await tokenState(id).catch(() => undefined);
      return buildReport({
        appVersion: s.version,
        platform: s.platform,
        account: a,
        ...(state ? { tokenState: state } : {}),
        ...(lastProbe.has(id) ? { lastProbe: lastProbe.get(id) as ProbeReport } : {}),
        activity: s.activity.list(),
        now: s.clock.now(),
      });
    },

    'activity:list': async () => ({ entries: s.activity.list() }),

    'clients:config': async ({ id, client, bridge }) => {
      const a = account(id);
      if (bridge === true) {
        const module = bridgeClientById(client);
        if (!module) throw new AppFailure(appError('NOT_FOUND', `There are no bridge settings for a mail client named "${client}".`));
        const c = bridgeClientConfig(module, { address: a.address, ...bridgeControl().clientServers() });
        return { client: c.client, label: c.label, kind: 'bridge' as const, text: c.text, where: c.where, mechanismNote: c.note };
      }
      const module = clientById(client);
      if (!module) throw new AppFailure(appError('NOT_FOUND', `There are no settings for a mail client named "${client}".`));
      const provider = providerById(a.providerId) ?? providerById('generic');
      if (!provider) throw new AppFailure(appError('NOT_FOUND', 'The provider catalog has no generic entry.'));
      // The helper is the installed `mail-oauth token <account>` (the CLI shares the app's data
      // directory). An account's own CA is PEM text here, and a mail client needs a file: the CLI
      // writes that file (client-config), so the note sends the user there.
      const c = clientConfig(module, inputForAccount(a, provider, helperFor(a, s.accounts.list())));
      const caNote =
        a.caPem && c.kind === 'config'
          ? ` · This account trusts its own CA: \`mail-oauth client-config ${helperFor(a, s.accounts.list())[2] ?? a.id} --client ${c.client}\` adds the client's CA setting with that file.`
          : '';
      return { client: c.client, label: c.label, kind: c.kind, text: c.text, where: c.where, mechanismNote: c.mechanismNote + caNote };
    },

    'bridge:status': async () => bridgeControl().status(),
    'bridge:configure': async (input) => bridgeControl().configure(input),
    'bridge:new-password': async ({ id }) => {
      account(id);
      return { password: await bridgeControl().newPassword(id) };
    },
  };
}
