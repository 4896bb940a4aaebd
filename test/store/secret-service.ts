// A real Secret Service for tests and the keyring bench: a private D-Bus session bus (its own
// config: no service activation, so a stopped keyring stays stopped instead of being restarted
// locked by D-Bus) and GNOME Keyring's secrets component, unlocked with a password on stdin.
// Nothing touches the user's session: HOME, XDG dirs and the bus live in a temp dir, and the
// environment is handed explicitly to the child processes that should see this keyring.
// Needs Debian's dbus, gnome-keyring and libsecret-tools (.ci/run installs them).
// Both daemons die with the process that started them, even when it is SIGKILLed (the runner's
// time limit): a test file killed that way used to leave them running for hours.
import { spawn, execFile, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export type SecretService = {
  /** Environment for processes that should use this keyring (no other D-Bus session leaks in). */
  env: NodeJS.ProcessEnv;
  lock(): Promise<void>;
  /** Unlock (replaces the daemon, as a login would) and wait until the collection is open. */
  unlock(): Promise<void>;
  /** Stop the keyring daemon (the bus stays): lookups then find no Secret Service. */
  stopDaemon(): Promise<void>;
  stop(): Promise<void>;
  /** What the keyring daemon is doing (running, or how it ended) and the last of its stderr: for
   * a failure message, when the keyring itself went away under a test. */
  describe(): string;
};

const PASSWORD = 'test-keyring-password';

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** `file args` as a daemon tied to this process: util-linux setpriv sets the parent-death signal
 * (PR_SET_PDEATHSIG, KILL) and execs the daemon, so the kernel kills it when this process ends in
 * any way, and its pid is the daemon's own (kill() and 'exit' work as with a plain spawn). The
 * signal follows the thread that spawned it: Node spawns from the main thread, which lives as long
 * as the process. Without setpriv (not Debian) the daemon is spawned plainly: stop() still ends it. */
function spawnTied(file: string, args: string[], options: SpawnOptions): ChildProcess {
  return SETPRIV ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', file, ...args], options) : spawn(file, args, options);
}

/** setpriv exits 127 when the daemon is not installed (a plain spawn reports ENOENT instead). */
const notInstalled = (code: number | null, pkg: string): string => (code === 127 ? `: install ${pkg} (see .ci/run)` : '');

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });

export async function startSecretService(): Promise<SecretService> {
  const dir = mkdtempSync(join(tmpdir(), 'moa-secret-service-'));
  const home = join(dir, 'home');
  const runtime = join(dir, 'run');
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(runtime, { mode: 0o700 });
  const busPath = join(dir, 'bus');
  const conf = join(dir, 'bus.conf');
  writeFileSync(
    conf,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${busPath}</listen>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`,
  );
  const bus = spawnTied('dbus-daemon', ['--config-file', conf, '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const address = await new Promise<string>((resolve, reject) => {
    bus.once('error', (e) => reject(new Error(`dbus-daemon did not start (${e.message}): install dbus (see .ci/run)`)));
    bus.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}${notInstalled(code, 'dbus')}`)));
    createInterface({ input: bus.stdout! }).once('line', (line) => resolve(line.trim()));
  });
  bus.stderr!.resume(); // "cannot raise fd limit" warnings: harmless
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_RUNTIME_DIR: runtime, DBUS_SESSION_BUS_ADDRESS: address };
  delete env.DISPLAY; // no prompter window: a locked keyring fails at once instead of asking
  delete env.WAYLAND_DISPLAY;

  const dbusSend = (args: string[]) => run('dbus-send', ['--session', '--print-reply', ...args], env);
  const collectionLocked = async (): Promise<boolean | undefined> => {
    const r = await dbusSend([
      '--dest=org.freedesktop.secrets',
      '/org/freedesktop/secrets/collection/login',
      'org.freedesktop.DBus.Properties.Get',
      'string:org.freedesktop.Secret.Collection',
      'string:Locked',
    ]);
    if (r.code !== 0) return undefined;
    return /boolean true/.test(r.stdout);
  };
  const waitFor = async (what: string, ok: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 30_000;
    let delay = 10;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`secret service: ${what} did not happen within 30 s`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 200);
    }
  };

  let daemon: ChildProcess | undefined;
  let daemonErr = '';
  const ended: string[] = [];
  const startDaemon = async (replace: boolean): Promise<void> => {
    const previous = daemon;
    const child = spawnTied('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets', ...(replace ? ['--replace'] : [])], {
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    child.once('error', () => undefined);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (daemonErr = (daemonErr + d).slice(-2000)));
    child.once('exit', (code, signal) => ended.push(`pid ${child.pid} ended (${signal ?? `exit ${code}`})`));
    child.stdin!.end(PASSWORD);
    daemon = child;
    if (previous) await exited(previous);
    await waitFor('the login keyring unlocked', async () => {
      if (child.exitCode !== null) throw new Error(`gnome-keyring-daemon exited with ${child.exitCode}: install gnome-keyring (see .ci/run)`);
      return (await collectionLocked()) === false;
    });
  };
  await startDaemon(false);

  return {
    env,
    async lock() {
      const r = await dbusSend(['--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login']);
      if (r.code !== 0) throw new Error(`lock failed: ${r.stderr}`);
      await waitFor('the login keyring locked', async () => (await collectionLocked()) === true);
    },
    unlock: () => startDaemon(daemon !== undefined && daemon.exitCode === null),
    async stopDaemon() {
      if (!daemon) return;
      daemon.kill('SIGTERM');
      await exited(daemon);
      daemon = undefined;
      await waitFor('the Secret Service gone from the bus', async () => (await collectionLocked()) === undefined);
    },
    describe() {
      const now = daemon && daemon.exitCode === null && daemon.signalCode === null ? `running (pid ${daemon.pid})` : 'not running';
      return `gnome-keyring-daemon: ${now}; earlier daemons: ${ended.join(', ') || 'none'}; its stderr: ${daemonErr.trim() || '(nothing)'}`;
    },
    async stop() {
      daemon?.kill('SIGTERM');
      if (daemon) await exited(daemon);
      bus.kill('SIGTERM');
      await exited(bus);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
