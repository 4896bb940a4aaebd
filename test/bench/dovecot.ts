// Dovecot 2.3 instances for the bench: own config, base_dir and logs under the bench's temp dir,
// run as `dovecot -F -c <conf>` children (never the system service, /etc/dovecot or /run/dovecot).
// Each instance runs in its own process group under a tiny sh watchdog that stops Dovecot when
// the bench process goes away, even on SIGKILL (its stdin pipe closes).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { waitForGreeting, waitForPort } from './net-util.ts';
import type { Protocol } from './types.ts';

export type DovecotListener = {
  /** Unique inet_listener name inside its service. */
  name: string;
  protocol: Protocol;
  address: string;
  port: number;
  /** implicit TLS (ssl = yes on the listener) */
  implicitTls: boolean;
};

export type DovecotOptions = {
  name: string;
  /** Instance directory (created): config, base_dir, state, log. */
  dir: string;
  /** Shared maildir root (see seedMailboxes). */
  mailRoot: string;
  cert: string;
  key: string;
  /** Other certificates by local IP (Dovecot 2.3 picks the certificate by local IP or SNI name). */
  localCerts?: Record<string, { cert: string; key: string }>;
  caFile: string;
  /** Dovecot's introspection POSTs here (an IP, not a name, to keep Dovecot's DNS client out). */
  introspectionUrl: string;
  introspectionClientId: string;
  introspectionClientSecret: string;
  /** Introspection request timeout (a dead IdP fails at most this late). */
  introspectionTimeoutMs: number;
  scopes: Record<Protocol, string>;
  relayPort: number;
  listeners: DovecotListener[];
  debug: boolean;
};

export type DovecotInstance = {
  name: string;
  pid: number;
  configFile: string;
  logFile: string;
  /** SIGHUP: reload; also makes Dovecot's HTTP client forget its back-off after an IdP outage. */
  reload(): void;
  stop(): Promise<void>;
  /** Synchronous last-resort kill for process exit handlers. */
  killNow(): void;
};

/** Whether we run as root: then Dovecot drops to its own users and mail is owned by `mail`. */
function privileges(): { internalUser: string; loginUser: string; mailUid: number; mailGid: number; root: boolean } {
  if (process.getuid?.() === 0) {
    // Debian's dovecot-core creates dovecot/dovenull; `mail` is uid/gid 8.
    return { internalUser: 'dovecot', loginUser: 'dovenull', mailUid: 8, mailGid: 8, root: true };
  }
  const me = userInfo();
  return { internalUser: me.username, loginUser: me.username, mailUid: me.uid, mailGid: me.gid, root: false };
}

const IMAP_ID =
  'name "Dovecot (MOA test bench)" version "2.3" vendor "Mail OAuth Assistant test bench" ' +
  'support-url "https://localhost/" os "Linux"';

function oauth2Conf(o: DovecotOptions, protocol: Protocol): string {
  return [
    `introspection_mode = post`,
    `introspection_url = ${o.introspectionUrl}`,
    `client_id = ${o.introspectionClientId}`,
    `client_secret = ${o.introspectionClientSecret}`,
    `tls_ca_cert_file = ${o.caFile}`,
    `username_attribute = username`,
    // Introspection of an expired/revoked/unknown token says {"active":false}: refuse it explicitly.
    `active_attribute = active`,
    `active_value = true`,
    // One required scope per protocol: an IMAP-only token must not open SMTP.
    `scope = ${o.scopes[protocol]}`,
    `timeout_msecs = ${o.introspectionTimeoutMs}`,
    `debug = ${o.debug ? 'yes' : 'no'}`,
    '',
  ].join('\n');
}

/** Debian installs Dovecot in /usr/sbin, which is not on every user's PATH (CI runners, sudo). */
function dovecotBinary(): string {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin']) {
    if (dir && existsSync(join(dir, 'dovecot'))) return join(dir, 'dovecot');
  }
  throw new Error('dovecot is not installed: apt-get install dovecot-imapd dovecot-pop3d dovecot-submissiond (.ci/run does it)');
}

function config(o: DovecotOptions): string {
  const p = privileges();
  const byService: Record<string, DovecotListener[]> = {};
  for (const l of o.listeners) {
    const service = l.protocol === 'smtp' ? 'submission-login' : `${l.protocol}-login`;
    (byService[service] ??= []).push(l);
  }
  const services = Object.entries(byService)
    .map(([service, ls]) => {
      const inner = ls
        .map(
          (l) =>
            `  inet_listener ${l.name} {\n    address = ${l.address}\n    port = ${l.port}\n` +
            `    ssl = ${l.implicitTls ? 'yes' : 'no'}\n  }`,
        )
        .join('\n');
      // Login processes need root to chroot; without root run them unchrooted.
      // High-performance login mode: a few long-lived login processes serve every connection
      // instead of a fork per connection (the bench shares 2 cores with the client it measures).
      const perf = '  service_count = 0\n  process_min_avail = 2\n';
      return `service ${service} {\n${inner}\n${perf}${p.root ? '' : '  chroot =\n'}}`;
    })
    .join('\n');
  const locals = Object.entries(o.localCerts ?? {})
    .map(([ip, c]) => `local ${ip} {\n  ssl_cert = <${c.cert}\n  ssl_key = <${c.key}\n}`)
    .join('\n');
  const dh = '/usr/share/dovecot/dh.pem';
  // Both passdbs inside the protocol block: a global passdb is consulted AFTER the protocol's
  // own, and a failed oauth2 lookup followed by the noauthenticate static passdb turns every
  // refusal into "Temporary authentication failure" ("Last passdb had noauthenticate field").
  const passdb = (protocol: Protocol, service: string): string =>
    `protocol ${service} {\n` +
    `  passdb {\n    driver = static\n    args = nopassword=y noauthenticate nodelay=yes\n  }\n` +
    `  passdb {\n    driver = oauth2\n    mechanisms = xoauth2 oauthbearer\n` +
    `    args = ${join(o.dir, `oauth2-${protocol}.conf.ext`)}\n  }\n}`;
  return `# Generated by test/bench/dovecot.ts for the MOA test bench; instance "${o.name}".
base_dir = ${join(o.dir, 'run')}
state_dir = ${join(o.dir, 'state')}
instance_name = moa-bench-${o.name}
log_path = ${join(o.dir, 'dovecot.log')}
protocols = imap pop3 submission
listen = 127.0.0.1
hostname = localhost
login_greeting = MOA bench (${o.name}) ready.
default_internal_user = ${p.internalUser}
default_internal_group = ${p.root ? 'dovecot' : p.internalUser}
default_login_user = ${p.loginUser}
first_valid_uid = ${p.mailUid}
first_valid_gid = ${p.mailGid}
mail_location = maildir:~/Maildir
mail_max_userip_connections = 1000
default_process_limit = 200
default_client_limit = 2000
auth_verbose = ${o.debug ? 'yes' : 'no'}
auth_debug = ${o.debug ? 'yes' : 'no'}

ssl = yes
ssl_cert = <${o.cert}
ssl_key = <${o.key}
${existsSync(dh) ? `ssl_dh = <${dh}` : ''}
ssl_min_protocol = TLSv1.2
${locals}

auth_mechanisms = xoauth2 oauthbearer
# Plaintext-auth rule stays on: a session is secure with TLS or when remote IP == local IP.
disable_plaintext_auth = yes
# Failed logins must fail fast (~30 ms), not after 2 s plus anvil's growing penalty:
# auth_failure_delay is not enough alone; the nodelay passdb field (static passdb in front of
# oauth2, per protocol below) and a renamed penalty socket (the auth process cannot find it,
# so no penalty) do the rest.
auth_failure_delay = 0
${passdb('imap', 'imap')}
${passdb('pop3', 'pop3')}
${passdb('smtp', 'submission')}
userdb {
  driver = static
  args = uid=${p.mailUid} gid=${p.mailGid} home=${o.mailRoot}/%Lu
}
service anvil {
  unix_listener anvil-auth-penalty {
    path = anvil-auth-penalty-disabled
  }
}

# imapflow repeats ID after login when the server's ID has a single field: send several.
imap_id_send = ${IMAP_ID}

submission_relay_host = 127.0.0.1
submission_relay_port = ${o.relayPort}
submission_relay_ssl = no
submission_relay_trusted = no

# Keep mail processes warm and reuse them (one mail uid on the bench, so reuse is safe): a
# fork+exec per session would make the bench, not the client, the bottleneck of load figures.
service imap {
  process_min_avail = 2
  service_count = 0
}
service pop3 {
  process_min_avail = 2
  service_count = 0
}
service submission {
  process_min_avail = 2
  service_count = 0
}

${services}
`;
}

type Message = { file: string; body: string; seen: boolean };

function message(n: number, from: string, to: string, subject: string, text: string): string {
  const date = new Date(Date.UTC(2025, 0, n, 9, 0, 0)).toUTCString().replace('GMT', '+0000');
  return (
    `Return-Path: <${from}>\r\nFrom: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nDate: ${date}\r\n` +
    `Message-ID: <seed-${n}-${to}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`
  );
}

/** Seeded mailboxes: what tests may rely on (alice: 3 messages, first one read; bob: 1; shared: 1). */
export const SEED: Record<string, Array<{ subject: string; seen: boolean }>> = {
  'alice@example.test': [
    { subject: 'Welcome to the test bench', seen: true },
    { subject: 'Quarterly report', seen: false },
    { subject: 'Lunch on Friday?', seen: false },
  ],
  'bob@example.test': [{ subject: 'Hello Bob', seen: false }],
  'shared@example.test': [{ subject: 'Shared mailbox notice', seen: false }],
};

export function seedMailboxes(mailRoot: string): void {
  const p = privileges();
  mkdirSync(mailRoot, { recursive: true });
  for (const [user, msgs] of Object.entries(SEED)) {
    const md = join(mailRoot, user, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
    const list: Message[] = msgs.map((m, i) => ({
      // Maildir names: <time>.<unique>.<host>:2,<flags>; in cur/ so that flags are honoured.
      file: `${1735722000 + i}.M${i}P1.bench:2,${m.seen ? 'S' : ''}`,
      body: message(i + 1, 'postmaster@example.test', user, m.subject, `Seeded message ${i + 1} for ${user}.`),
      seen: m.seen,
    }));
    for (const m of list) writeFileSync(join(md, 'cur', m.file), m.body);
  }
  if (p.root) chownTree(mailRoot, p.mailUid, p.mailGid);
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

let nsProbe: Promise<boolean> | undefined;

/** Whether `unshare --pid` works here (root, or a kernel/sandbox that allows it). */
function pidNamespaceWorks(): Promise<boolean> {
  nsProbe ??= new Promise<boolean>((resolve) => {
    if (process.getuid?.() !== 0 || process.env.MOA_BENCH_NO_PIDNS === '1') return resolve(false);
    const p = spawn('unshare', ['--pid', '--fork', 'true'], { stdio: 'ignore' });
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      resolve(false);
    }, 3000);
    p.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
  return nsProbe;
}

export async function startDovecot(o: DovecotOptions): Promise<DovecotInstance> {
  mkdirSync(o.dir, { recursive: true });
  // Dovecot's unprivileged processes must traverse the temp dirs (mkdtemp makes them 0700).
  chmodSync(o.dir, 0o755);
  for (const proto of ['imap', 'pop3', 'smtp'] as const) {
    writeFileSync(join(o.dir, `oauth2-${proto}.conf.ext`), oauth2Conf(o, proto), { mode: 0o600 });
  }
  const configFile = join(o.dir, 'dovecot.conf');
  writeFileSync(configFile, config(o));
  const logFile = join(o.dir, 'dovecot.log');

  // Dovecot's master does not reap all of its children before it exits, and PID 1 of some
  // machines (containers, this VM) reaps no orphans: they stay <defunct> dovecot processes. As
  // root, run the master as PID 1 of its own PID namespace: it (and the kernel, when it exits)
  // reaps every descendant. unshare --fork keeps SIGTERM for the child and waits for it.
  const useNs = await pidNamespaceWorks();
  const dovecot = dovecotBinary();
  const child: ChildProcess = spawn(
    useNs ? 'unshare' : dovecot,
    [...(useNs ? ['--pid', '--fork', '--kill-child', dovecot] : []), '-F', '-c', configFile],
    // Own process group (detached) so that stop() can signal Dovecot and all its children.
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  child.once('error', () => undefined);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`dovecot ${o.name}: spawn failed (is dovecot installed?)`);
  // Watchdog for a bench process that dies without stop() (SIGKILL, crash): `read` returns when
  // our end of its stdin pipe closes, then the Dovecot group gets SIGTERM.
  const watchdog = spawn('sh', ['-c', 'read _ignored; kill -TERM "-$0" 2>/dev/null', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.once('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const stopWatchdog = (): void => {
    // Killed rather than released: releasing it would make it signal the group.
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
  };

  const instance: DovecotInstance = {
    name: o.name,
    pid,
    configFile,
    logFile,
    reload: () => {
      if (exited) return;
      // Namespaced, `pid` is unshare (SIGHUP would end it): signal the master, its only child.
      const master = useNs ? Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]) : pid;
      if (master > 0) process.kill(master, 'SIGHUP');
    },
    stop: async () => {
      stopWatchdog();
      if (!exited) {
        // Namespaced: unshare passes on nothing, so signal the group (the master reaps, being
        // PID 1 there). Otherwise the master alone, which stops its own children.
        if (useNs) killGroup('SIGTERM');
        else process.kill(pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), 3000);
        await exitPromise;
        clearTimeout(timer);
      }
      // Anything of the group still there (nothing, normally) goes now.
      killGroup('SIGKILL');
    },
    killNow: () => {
      stopWatchdog();
      killGroup('SIGTERM');
    },
  };

  try {
    const deadline = Date.now() + 10_000;
    const failed = exitPromise.then(() => {
      throw new Error(`dovecot ${o.name} exited at start: ${stderr.trim() || tail(logFile)}`);
    });
    // Handled here so that the later, normal exit is no unhandled rejection; race() still sees it.
    failed.catch(() => undefined);
    // Master binds every listener before forking; one greeting proves config, master and login.
    const firstPlain = o.listeners.find((l) => !l.implicitTls && l.protocol === 'imap') ?? o.listeners[0];
    if (!firstPlain) throw new Error(`dovecot ${o.name}: no listeners`);
    await Promise.race([
      failed,
      (async () => {
        await waitForGreeting(firstPlain.address, firstPlain.port, '* OK', deadline);
        await Promise.all(o.listeners.map((l) => waitForPort(l.address, l.port, deadline)));
      })(),
    ]);
  } catch (err) {
    await instance.stop();
    throw err;
  }
  return instance;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}
