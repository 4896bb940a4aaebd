// Starts the whole real-server test bench on loopback: test PKI, the OpenID provider, the SMTP
// sink, three Dovecot instances (main + TLS-required, IdP unavailable, bad certificates), the
// in-process failure servers and the control endpoint. Returns the BenchInfo the tests read and a
// stop() that leaves no process behind. Used by test/run.ts and test/bench/up.ts.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki, OTHER_HOST_NAME } from './ca.ts';
import { startControl } from './control.ts';
import { seedMailboxes, startDovecot, type DovecotInstance, type DovecotListener, type DovecotOptions } from './dovecot.ts';
import { startIdpProxy, startMalformed, startSilent } from './failures.ts';
import { startGmailSmtp } from './gmail-smtp.ts';
import { ALL_SCOPES, makeClients, makeUsers, MAIL_SCOPES, startIdp } from './idp.ts';
import { freePorts } from './net-util.ts';
import { startSmtpSink } from './smtp-sink.ts';
import { BenchInfo, type Listener, type MailServer, type Protocol } from './types.ts';

export type { BenchInfo } from './types.ts';

export type Bench = { info: BenchInfo; stop(): Promise<void> };

type ServerPart = Omit<MailServer, 'instance' | 'tlsName'>;

// Benches alive in this process: killed synchronously if the process exits or is signalled
// without stop() (a crash in test/run.ts, Ctrl-C in up.ts), so no Dovecot outlives us.
const live = new Set<{ killNow(): void; dir: string }>();
const OWNER_FILE = 'owner.pid';

/** Temp dirs of benches whose process is gone (killed, crashed): removed at the next start. */
function removeStaleBenchDirs(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((n) => n.startsWith('moa-bench-'));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(tmpdir(), name);
    let pid: number;
    try {
      pid = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
    } catch {
      continue; // not ours to judge (no owner file)
    }
    if (!pid || processAlive(pid)) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // another run may be removing it right now
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    // A killed process whose parent never reaps it (PID 1 here reaps nothing) is a zombie:
    // kill(0) still succeeds on it, /proc tells the truth.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    // no /proc (not Linux) or no such process
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = (): void => {
    for (const b of live) {
      b.killNow();
      try {
        if (process.env.MOA_BENCH_KEEP !== '1') rmSync(b.dir, { recursive: true, force: true });
      } catch {
        // a dying Dovecot may still write there; the next start removes it (owner.pid)
      }
    }
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAll();
      // Our handler replaced Node's default "exit on signal": keep that default when nobody else
      // (test/run.ts forwards SIGINT to its children and exits by itself) listens for it.
      if (process.listenerCount(sig) === 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Dovecot listeners of one MailServer: STARTTLS and implicit TLS for each protocol on `address`. */
function mailListeners(prefix: string, address: string, ports: number[]): { dovecot: DovecotListener[]; server: ServerPart } {
  const dovecot: DovecotListener[] = [];
  const pick = (i: number): number => {
    const p = ports[i];
    if (p === undefined) throw new Error('not enough ports');
    return p;
  };
  const entry = (protocol: Protocol, i: number): { starttls: Listener; tls: Listener } => {
    // The unprefixed set must carry Dovecot's default listener names (imap, imaps, pop3, pop3s,
    // submission, submissions), or the defaults stay and bind 143, 993, 587... as well.
    const base = protocol === 'smtp' ? 'submission' : protocol;
    const starttls: Listener = { host: address, port: pick(i * 2), security: 'starttls' };
    const tls: Listener = { host: address, port: pick(i * 2 + 1), security: 'tls' };
    dovecot.push({ name: `${prefix}${base}`, protocol, address, port: starttls.port, implicitTls: false });
    dovecot.push({ name: `${prefix}${base}s`, protocol, address, port: tls.port, implicitTls: true });
    return { starttls, tls };
  };
  const server = { imap: entry('imap', 0), pop3: entry('pop3', 1), smtp: entry('smtp', 2) };
  return { dovecot, server };
}

export async function startBench(opts: { log?: boolean; idpFront?: (listenPort: number) => Promise<number> } = {}): Promise<Bench> {
  const log = opts.log ?? false;
  const debug = process.env.MOA_BENCH_DEBUG === '1';
  const t0 = Date.now();
  const lap = (what: string): void => {
    if (log) console.log(`[bench] ${what} at ${Date.now() - t0} ms`);
  };
  installExitHooks();

  removeStaleBenchDirs();
  const dir = mkdtempSync(join(tmpdir(), 'moa-bench-'));
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  // Dovecot's unprivileged processes (mail, dovenull) must traverse it.
  chmodSync(dir, 0o755);
  const closers: Array<() => Promise<void>> = [];
  const dovecots: DovecotInstance[] = [];
  const handle = { dir, killNow: () => dovecots.forEach((d) => d.killNow()) };
  live.add(handle);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled(dovecots.map((d) => d.stop()));
    live.delete(handle);
    await Promise.allSettled(closers.reverse().map((c) => c()));
    if (process.env.MOA_BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  };

  try {
    const users = makeUsers();
    const clients = makeClients();
    const mailRoot = join(dir, 'mail');
    seedMailboxes(mailRoot);
    const [pki, sink, [proxyPort = 0, closed = 0]] = await Promise.all([
      makeTestPki(dir),
      startSmtpSink({ messagesFile: join(dir, 'sink-messages.jsonl') }).then((x) => {
        closers.push(x.close);
        return x;
      }),
      freePorts(2, '127.0.0.1'),
    ]);
    lap('pki + sink');

    const idp = await startIdp({
      certPem: pki.server.certPem,
      keyPem: pki.server.keyPem,
      caPem: pki.ca.certPem,
      users,
      clients,
      log,
      ...(opts.idpFront ? { front: opts.idpFront } : {}),
    });
    closers.push(idp.close);
    lap('idp');
    // Dovecot introspects at the provider itself, never through a front relay.
    const idpPort = idp.listenPort;
    // The "IdP unavailable" instance starts with its IdP failing (503, fast): that is its purpose.
    const proxy = await startIdpProxy(
      '127.0.0.1',
      proxyPort,
      { host: '127.0.0.1', port: idpPort },
      { cert: pki.server.certPem, key: pki.server.keyPem },
      'down',
    );
    closers.push(proxy.close);

    const introspectionPath = new URL(String(idp.discovery.introspection_endpoint)).pathname;
    const dovecotClient = clients.dovecot;
    if (!dovecotClient?.secret) throw new Error('dovecot client missing');
    const common = {
      mailRoot,
      caFile: pki.ca.cert,
      introspectionClientId: dovecotClient.id,
      introspectionClientSecret: dovecotClient.secret,
      scopes: { imap: MAIL_SCOPES.imap, pop3: MAIL_SCOPES.pop3, smtp: MAIL_SCOPES.smtp },
      relayPort: sink.port,
      debug,
    };
    type Sets = Array<{ prefix: string; address: string }>;
    type Spec = Omit<DovecotOptions, 'listeners'>;
    /** Starts an instance with fresh ports per listener set; retried when a port got taken
     *  between choosing it and Dovecot binding it (other processes share this machine). */
    const instance = async (spec: Spec, sets: Sets): Promise<{ d: DovecotInstance; servers: ServerPart[] }> => {
      for (let attempt = 1; ; attempt += 1) {
        const parts = await Promise.all(sets.map(async (x) => mailListeners(x.prefix, x.address, await freePorts(6, x.address))));
        try {
          const d = await startDovecot({ ...spec, listeners: parts.flatMap((p) => p.dovecot) });
          dovecots.push(d);
          return { d, servers: parts.map((p) => p.server) };
        } catch (err) {
          if (attempt >= 3 || !String(err).includes('Address already in use')) throw err;
        }
      }
    };

    // allSettled: whatever started is registered for stop() before a failure is rethrown.
    const started = await Promise.allSettled([
      instance(
        {
          ...common,
          name: 'main',
          dir: join(dir, 'dovecot-main'),
          cert: pki.server.cert,
          key: pki.server.key,
          introspectionUrl: `https://127.0.0.1:${idpPort}${introspectionPath}`,
          introspectionTimeoutMs: 5000,
        },
        [
          { prefix: '', address: '127.0.0.1' },
          { prefix: 'req_', address: '127.0.0.2' },
        ],
      ),
      instance(
        {
          ...common,
          name: 'idp-down',
          dir: join(dir, 'dovecot-idp-down'),
          cert: pki.server.cert,
          key: pki.server.key,
          introspectionUrl: `https://127.0.0.1:${proxy.port}${introspectionPath}`,
          // A refused connection fails at once; this caps a hanging one.
          introspectionTimeoutMs: 2000,
        },
        [{ prefix: '', address: '127.0.0.1' }],
      ),
      instance(
        {
          ...common,
          name: 'bad-certs',
          dir: join(dir, 'dovecot-bad-certs'),
          // 127.0.0.1: self-signed localhost certificate; 127.0.0.2: test-CA certificate for another name.
          cert: pki.selfSigned.cert,
          key: pki.selfSigned.key,
          localCerts: { '127.0.0.2': { cert: pki.otherHost.cert, key: pki.otherHost.key } },
          introspectionUrl: `https://127.0.0.1:${idpPort}${introspectionPath}`,
          introspectionTimeoutMs: 5000,
        },
        [
          { prefix: '', address: '127.0.0.1' },
          { prefix: 'mis_', address: '127.0.0.2' },
        ],
      ),
    ]);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const ok = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const [iMain, iAux, iCerts] = ok;
    if (!iMain || !iAux || !iCerts) throw new Error('dovecot instances missing');
    const dMain = iMain.d;
    const dAux = iAux.d;
    const part = (i: { servers: ServerPart[] }, n: number): ServerPart => {
      const x = i.servers[n];
      if (!x) throw new Error('listener set missing');
      return x;
    };
    const main = { server: part(iMain, 0) };
    const tlsReq = { server: part(iMain, 1) };
    const aux = { server: part(iAux, 0) };
    const untrusted = { server: part(iCerts, 0) };
    const mismatch = { server: part(iCerts, 1) };
    const cl = <T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> =>
      p.then((x) => {
        closers.push(x.close);
        return x;
      });
    const [silent, silentTls, malformed, gmailSmtp] = await Promise.all([
      cl(startSilent('127.0.0.1')),
      cl(startSilent('127.0.0.1', { cert: pki.server.certPem, key: pki.server.keyPem })),
      cl(startMalformed('127.0.0.1', { cert: pki.server.certPem, key: pki.server.keyPem })),
      cl(startGmailSmtp('127.0.0.1', { cert: pki.server.certPem, key: pki.server.keyPem })),
    ]);
    lap('dovecot + failure servers');

    const secret = randomBytes(24).toString('base64url');
    const control = await startControl(secret, {
      ping: async () => 'pong',
      // The idpUnavailable instance's IdP: "down" = 503 at once (the default), "refused" =
      // nothing listens (each login then waits for the 2 s introspection timeout), "up" = works.
      'idp-down': async () => {
        await proxy.set('down');
        return { idp: proxy.state() };
      },
      'idp-refuse': async () => {
        await proxy.set('refused');
        return { idp: proxy.state() };
      },
      'idp-up': async () => {
        await proxy.set('up');
        // Dovecot's HTTP client keeps backing off for a while after an outage; SIGHUP resets it.
        dAux.reload();
        return { idp: proxy.state() };
      },
      'idp-state': async () => ({ idp: proxy.state() }),
      // { accessToken } -> { grantId, refreshes, revoked } | null: refreshes the IdP saw for that
      // token's grant (concurrency tests: one refresh per round, never a revoked grant).
      'idp-grant': async (p) => (typeof p.accessToken === 'string' ? (idp.grantInfo(p.accessToken) ?? null) : null),
      'sink-count': async () => ({ count: sink.count() }),
      'reload-main': async () => {
        dMain.reload();
        return { reloaded: 'main' };
      },
    });
    closers.push(control.close);

    const d = idp.discovery;
    const str = (k: string): string => {
      const v = d[k];
      if (typeof v !== 'string') throw new Error(`discovery lacks ${k}`);
      return v;
    };
    const server = (instance: string, tlsName: string, s: Omit<MailServer, 'instance' | 'tlsName'>): MailServer => ({
      instance,
      tlsName,
      ...s,
    });
    const info: BenchInfo = BenchInfo.parse({
      version: 1,
      dir,
      issuer: idp.issuer,
      discoveryUrl: `${idp.issuer}/.well-known/openid-configuration`,
      discovery: d,
      endpoints: {
        authorization: str('authorization_endpoint'),
        token: str('token_endpoint'),
        introspection: str('introspection_endpoint'),
        revocation: str('revocation_endpoint'),
        deviceAuthorization: str('device_authorization_endpoint'),
        userinfo: str('userinfo_endpoint'),
        jwks: str('jwks_uri'),
        endSession: str('end_session_endpoint'),
      },
      ca: { path: pki.ca.cert, pem: pki.ca.certPem },
      serverTls: { cert: pki.server.cert, key: pki.server.key },
      scopes: { imap: MAIL_SCOPES.imap, pop3: MAIL_SCOPES.pop3, smtp: MAIL_SCOPES.smtp, all: ALL_SCOPES.join(' ') },
      users,
      clients,
      mail: {
        main: server('main', 'localhost', main.server),
        tlsRequired: server('main', 'localhost', tlsReq.server),
      },
      failures: {
        idpUnavailable: server('idp-down', 'localhost', aux.server),
        untrustedCert: server('bad-certs', 'localhost', untrusted.server),
        hostMismatch: server('bad-certs', 'localhost', mismatch.server),
        hostMismatchCertName: OTHER_HOST_NAME,
        silent: { host: '127.0.0.1', port: silent.port, security: 'plain' },
        silentTls: { host: '127.0.0.1', port: silentTls.port, security: 'tls' },
        closedPort: { host: '127.0.0.1', port: closed },
        malformed: malformed.listeners,
        gmailSmtp: { host: '127.0.0.1', port: gmailSmtp.port, security: 'tls' },
      },
      sink: { host: '127.0.0.1', port: sink.port, messagesFile: sink.messagesFile },
      control: { url: control.url, secret },
      dovecot: [dMain, dAux, iCerts.d].map((x) => ({ name: x.name, pid: x.pid, configFile: x.configFile, logFile: x.logFile })),
    });
    lap('ready');
    return { info, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
