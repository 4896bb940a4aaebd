// `mail-oauth test`: the one-click connection test from a terminal. Ad-hoc flags, or a saved
// account (with its own CA and the store flags every command takes).
import { readFile } from 'node:fs/promises';
import { staticToken, type TokenSource } from '../core/ports.ts';
import { warmTokenServer } from './warm-token.ts';
import { Email, type Account, type Servers } from '../../shared/account.ts';
import type { ProbeProgress, ProbeReport } from '../../shared/probe.ts';
import { PROTOCOLS, providerById, SaslMechanism, type Protocol, type Security } from '../../shared/providers.ts';
import { probeInputForAccount, runProbe, type ProbeInput } from '../probe/run-probe.ts';
import { UsageError, type CliCommand, type CliIO } from './command.ts';
import { parseCommand, parseDuration, STORE_FLAGS, storeOptions, type StoreOptions } from './args.ts';
import { readCaFile } from './ca-file.ts';
import { exitCodeForAll } from './exit.ts';
import { parseServerSpec } from './server-spec.ts';
import { Timeline, renderDiagnoses } from './timeline.ts';

export const TEST_USAGE = `Usage: mail-oauth test --address <a@b> [servers] --token-file <file> [options]
       mail-oauth test --account <account> [options]

Servers (at least one, unless --provider has defaults):
  --imap <host:port[:tls|starttls|none]>
  --pop  <host:port[:tls|starttls|none]>
  --smtp <host:port[:tls|starttls|none]>
      security defaults from the port: 993/995/465 tls, 143/110/587/25 starttls.
      none = plaintext, for local test servers only (loopback hosts).

Options:
  --token-file <file>     file holding the access token (read, trimmed, never printed)
  --mechanism <name>      XOAUTH2 or OAUTHBEARER (default: the provider's list)
  --provider <id>         provider catalog id (microsoft-365, google, ...)
  --timeout <duration>    overall time limit: 45s, 500ms, 2m; a bare number is ms (at least 100)
                          (default 45s)
  --step-timeout <d>      time limit of each step (default 15s)
  --send-test-message     send a real message to yourself instead of MAIL FROM/RCPT TO/RSET
  --json                  print the report as JSON only
  --account <account>     test a saved account (name, address or id), refreshing its token with
                          its saved CA and store settings

Exit: 0 all passed, 1 a check failed, 2 bad usage, 3 sign in again (mail-oauth authorize),
4 temporary (network, provider down, time-out).

${STORE_FLAGS}`;

/** What a saved account resolves to. */
export type ResolvedAccount = Omit<ProbeInput, 'token'> & { token: TokenSource };
export type AccountResolver = (ref: string, store: StoreOptions) => Promise<ResolvedAccount>;

export { parseServerSpec };

const TEST_SPEC = {
  address: { type: 'string' },
  imap: { type: 'string' },
  pop: { type: 'string' },
  smtp: { type: 'string' },
  'token-file': { type: 'string' },
  mechanism: { type: 'string' },
  provider: { type: 'string' },
  timeout: { type: 'string' },
  'step-timeout': { type: 'string' },
  'send-test-message': { type: 'boolean' },
  json: { type: 'boolean' },
  account: { type: 'string' },
} as const;

type Flags = {
  address?: string;
  imap?: string;
  pop?: string;
  smtp?: string;
  'token-file'?: string;
  mechanism?: SaslMechanism;
  provider?: string;
  timeout?: number;
  'step-timeout'?: number;
  'send-test-message'?: boolean;
  json?: boolean;
  account?: string;
  store: StoreOptions;
};

function parseFlags(argv: string[]): Flags {
  const { values } = parseCommand(argv, TEST_SPEC, 0);
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const flags: Flags = { store: storeOptions(values) };
  const address = str('address');
  if (address !== undefined) {
    const a = Email.safeParse(address);
    if (!a.success) throw new UsageError('--address: enter a full email address');
    flags.address = a.data;
  }
  for (const k of ['imap', 'pop', 'smtp', 'provider'] as const) {
    const v = str(k);
    if (v !== undefined) flags[k] = v;
  }
  for (const k of ['token-file', 'account'] as const) {
    const v = str(k);
    if (v !== undefined) {
      if (v.trim() === '') throw new UsageError(`--${k} is empty`);
      flags[k] = v;
    }
  }
  const mechanism = str('mechanism');
  if (mechanism !== undefined) {
    const m = SaslMechanism.safeParse(mechanism.toUpperCase());
    if (!m.success) throw new UsageError(`--mechanism: ${SaslMechanism.options.join(' or ')}, got "${mechanism}"`);
    flags.mechanism = m.data;
  }
  const timeout = str('timeout');
  if (timeout !== undefined) flags.timeout = parseDuration('timeout', timeout);
  const stepTimeout = str('step-timeout');
  if (stepTimeout !== undefined) flags['step-timeout'] = parseDuration('step-timeout', stepTimeout);
  if (values['send-test-message'] === true) flags['send-test-message'] = true;
  if (values.json === true) flags.json = true;
  return flags;
}

/** `test --account`: the saved account with its refreshing token source and its own CA. */
function bindResolver(io: CliIO): AccountResolver {
  return async (ref, store) => {
    const { openCliCore, findAccount } = await import('./cli-core.ts');
    // --ca-file stays this command's extra CA (below); the account's own CA comes with it.
    const core = await openCliCore(io, store);
    const a = findAccount(core, ref);
    // The account's own CA travels in the input (caPem): runProbe adds it to --ca-file's.
    return probeInputForAccount(a, core.auth.tokenProvider(a.id));
  };
}

async function readSecretFile(flag: string, path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`--${flag}: cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  return text;
}

async function adHocInput(flags: Flags): Promise<ResolvedAccount> {
  if (!flags.address) throw new UsageError('--address is required');
  if (!flags['token-file']) throw new UsageError('--token-file is required');
  const provider = flags.provider ? providerById(flags.provider) : undefined;
  if (flags.provider && !provider) throw new UsageError(`--provider: unknown provider "${flags.provider}"`);
  const servers: Servers = {};
  const specs: Array<[Protocol, string | undefined]> = [
    ['imap', flags.imap],
    ['pop', flags.pop],
    ['smtp', flags.smtp],
  ];
  for (const [protocol, spec] of specs) if (spec) servers[protocol] = parseServerSpec(protocol, spec);
  if (Object.keys(servers).length === 0 && provider) {
    for (const [protocol, d] of Object.entries(provider.servers) as Array<[Protocol, { host: string; port: number; security: Security }]>) {
      servers[protocol] = { enabled: true, ...d };
    }
  }
  if (Object.keys(servers).length === 0) throw new UsageError('Give at least one of --imap, --pop, --smtp');
  const token = (await readSecretFile('token-file', flags['token-file'])).trim();
  if (!token) throw new UsageError('--token-file: the file is empty');
  // trim() took a trailing CRLF (a file saved on Windows); what is left must be one token
  // (RFC 6750 b64token, JWTs and Google's ya29./1// forms included), never sent as SASL garbage.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0e-\x1f\x7f\ufffd]/.test(token)) throw new UsageError('--token-file: the file holds binary data, not an access token (put only the token text in it)');
  if (/[\r\n]/.test(token)) throw new UsageError('--token-file: the file holds more than one line; put only the access token in it, on one line');
  if (/\s/.test(token) || !/^[\x21-\x7e]+$/.test(token)) throw new UsageError('--token-file: the token contains spaces or non-ASCII characters; put only the access token in the file');
  const input: ResolvedAccount = {
    address: flags.address,
    servers,
    mechanisms: flags.mechanism ? [flags.mechanism] : (provider?.mechanisms ?? ['OAUTHBEARER', 'XOAUTH2']),
    token: staticToken(token),
  };
  if (provider) input.providerId = provider.id;
  return input;
}

/**
 * `test --account` without waiting for the store: the account record is read as token's fast path
 * reads it (read-only, the schema, no lock), the probe starts at once, and the store, the key and
 * the auth code (the slow part of start-up: conf, openid-client, the keyring) are opened while the
 * probe's connections are on their way; the token is needed only at `authenticate`, round trips
 * later (issue 10: `test --account` at 50 ms RTT). Undefined when that read declines: the caller
 * then opens the core first, as before.
 *
 * Nothing is printed before the core is open: a store that cannot be opened (keyring locked, a
 * file to repair) stops the probe and throws that error, exactly as the other path would, with
 * nothing on stdout. The progress seen until then is replayed.
 */
async function earlyAccountRun(
  io: CliIO,
  ref: string,
  store: StoreOptions,
  run: (input: ResolvedAccount, o: { signal: AbortSignal; onProgress: (p: ProbeProgress) => void }) => Promise<ProbeReport>,
  onProgress: ((p: ProbeProgress) => void) | undefined,
  globalCa: string | undefined,
): Promise<ProbeReport | undefined> {
  const { readSavedAccount } = await import('./token-fast.ts');
  const { resolveDataDir } = await import('./locate.ts');
  let saved: Awaited<ReturnType<typeof readSavedAccount>>;
  try {
    saved = await readSavedAccount(resolveDataDir(io, store.dataDir), ref, io.env);
  } catch {
    saved = undefined;
  }
  if (!saved) return undefined;
  const account: Account = saved.account;
  const expectedId = account.id;

  // When to start opening the core: once every protocol's connection is under way (its first
  // flight sent, so the loading below does not hold it back), or when one failed, or after a
  // short while at the latest (a slow DNS answer must not hold the token back).
  const enabled = PROTOCOLS.filter((p) => account.servers[p]?.enabled === true);
  // The connection to the token endpoint opens once every mail connection is on its way: the
  // mail protocols' chains of round trips decide when the test ends (SMTP with STARTTLS the
  // longest), while the token is needed only at their sign-in, round trips later; opening it
  // first (its TLS context parses the default roots) held their connects back by 10-15 ms.
  const connecting = new Set<string>();
  let warmed = false;
  const warm = (): void => {
    if (warmed) return;
    warmed = true;
    clearTimeout(warmFallback);
    void warmTokenServer(account, globalCa);
  };
  const warmFallback = setTimeout(warm, 30);
  const connected = new Set<string>();
  let start!: () => void;
  const started = new Promise<void>((resolve) => (start = resolve));
  const fallback = setTimeout(() => start(), 30);
  void started.then(() => clearTimeout(fallback));

  class AccountChanged extends Error {}
  let core: Promise<TokenSource> | undefined;
  const openCore = (): Promise<TokenSource> =>
    (core ??= started.then(async () => {
      const { openCliCore, findAccount } = await import('./cli-core.ts');
      const c = await openCliCore(io, store);
      const a = findAccount(c, ref);
      if (a.id !== expectedId) throw new AccountChanged();
      return c.auth.tokenProvider(a.id);
    }));
  const token: TokenSource = { getAccessToken: async (o) => (await openCore()).getAccessToken(o) };
  const opened = openCore();

  // Progress waits in a queue until the core is open (then replayed): nothing is shown for a
  // run that ends as an error of the store.
  const queue: ProbeProgress[] = [];
  let live = false;
  const progress = (p: ProbeProgress): void => {
    if (!warmed && p.protocol !== 'token' && (p.step === 'connect' || p.status === 'failed')) {
      connecting.add(p.protocol);
      // A microtask: the protocol's connect is issued right after its 'connect' step begins.
      if (enabled.every((e) => connecting.has(e))) queueMicrotask(warm);
    }
    if (p.protocol !== 'token' && (p.status === 'failed' || (p.step !== 'resolve' && p.step !== 'connect'))) {
      connected.add(p.protocol);
      if (enabled.every((e) => connected.has(e)) || p.status === 'failed') start();
    }
    if (live) onProgress?.(p);
    else queue.push(p);
  };
  const controller = new AbortController();
  const onCancel = (): void => controller.abort();
  io.signal?.addEventListener('abort', onCancel, { once: true });
  let failure: unknown;
  void opened.then(
    () => {
      live = true;
      for (const p of queue.splice(0)) onProgress?.(p);
    },
    (e: unknown) => {
      failure = e;
      controller.abort();
    },
  );
  try {
    const report = await run(probeInputForAccount(account, token), { signal: controller.signal, onProgress: progress });
    await opened.catch(() => undefined);
    if (failure instanceof AccountChanged) return undefined; // renamed or removed meanwhile: the other path says which
    if (failure !== undefined) throw failure;
    // The store opened as expected: the next run (or `token`) need not check the file again, and
    // starts its connections without first building the schema.
    saved.markValid();
    return report;
  } finally {
    start();
    io.signal?.removeEventListener('abort', onCancel);
  }
}

export function createTestCommand(deps: { resolveAccount?: (io: CliIO) => AccountResolver } = {}): CliCommand {
  return {
    name: 'test',
    summary: 'run the connection test (IMAP, POP, SMTP with OAuth) and explain failures',
    usage: TEST_USAGE,
    async run(argv: string[], io: CliIO): Promise<number> {
      const flags = parseFlags(argv);
      const ca = flags.store.caFile === undefined ? undefined : readCaFile('ca-file', flags.store.caFile);
      const timeouts: { step?: number; overall?: number } = {};
      if (flags.timeout) timeouts.overall = flags.timeout;
      if (flags['step-timeout']) timeouts.step = flags['step-timeout'];
      else if (flags.timeout) timeouts.step = Math.min(flags.timeout, 15_000);

      // The timeline starts with the first progress event (the early path below holds them back
      // until the store is open).
      let timeline: Timeline | undefined;
      const show = (address: string, p?: ProbeProgress): void => {
        if (flags.json) return;
        timeline ??= new Timeline(io.stdout, address);
        if (p) timeline.update(p);
      };
      const probe = (resolved: ResolvedAccount, signal: AbortSignal | undefined, onProgress: (p: ProbeProgress) => void): Promise<ProbeReport> => {
        let input = resolved;
        if (flags.mechanism) input = { ...input, mechanisms: [flags.mechanism] };
        if (flags['send-test-message']) input = { ...input, sendTestMessage: true };
        return runProbe(input, { ...(signal ? { signal } : {}), ...(ca === undefined ? {} : { ca }), timeouts, onProgress });
      };

      let report: ProbeReport | undefined;
      let address = '';
      if (flags.account) {
        for (const k of ['address', 'token-file', 'imap', 'pop', 'smtp', 'provider'] as const) {
          if (flags[k] !== undefined) throw new UsageError(`--${k} does not go with --account (the saved account has its own)`);
        }
        const ref = flags.account;
        if (!deps.resolveAccount) {
          let early = '';
          report = await earlyAccountRun(io, ref, flags.store, (input, o) => {
            early = input.address;
            return probe(input, o.signal, o.onProgress);
          }, (p) => show(early, p), ca);
          address = early;
        }
        if (!report) {
          const input = await (deps.resolveAccount ?? bindResolver)(io)(ref, flags.store);
          address = input.address;
          report = await probe(input, io.signal, (p) => show(input.address, p));
        }
      } else {
        const input = await adHocInput(flags);
        address = input.address;
        report = await probe(input, io.signal, (p) => show(input.address, p));
      }
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        show(address);
        timeline?.finish(report);
        io.stdout.write(renderDiagnoses(report));
      }
      if (report.ok) return 0;
      const codes = [report.token.code, ...report.protocols.filter((p) => !p.ok).map((p) => p.code)].filter((c): c is string => c !== undefined);
      return exitCodeForAll(codes);
    },
  };
}
