// The CLI's SecretBox (plain Node has no Electron safeStorage): AES-256-GCM with a random 32-byte
// master key that the operating system keeps for us.
//   Linux:   libsecret's `secret-tool` (GNOME Keyring / KWallet via the Secret Service D-Bus API)
//   macOS:   the login keychain through `security`
//   Windows: DPAPI (CurrentUser) through PowerShell; the protected key blob lives in a file
// When none works (no D-Bus session on a server, locked keyring, missing tool), the box reports
// `available: false` and the CLI keeps secrets in memory only, refusing to persist them unless the
// user passes `--insecure-store`; then a key file (mode 0600) beside the store is used, which
// protects against nothing but casual reading, and the CLI says so.
//
// Sharing with the desktop app (how the two meet on a user's machine):
// - The app encrypts with Electron safeStorage, whose key is Electron's own keyring entry
//   ("<app name> Safe Storage"); the CLI uses its own entry (service `mail-oauth-assistant`,
//   account `master-key`). The ciphertexts are therefore NOT interchangeable: the CLI cannot read
//   the app's secret files and vice versa.
// - So they do not share secrets: each keeps its own secrets directory (the app under its
//   userData, the CLI under its config dir, or wherever --store points). Account records (no
//   secrets) can be shared by pointing the CLI at the app's accounts file; the CLI then needs its
//   own sign-in (or a --token-file) for each account. This is deliberate: a shared key would need
//   the CLI to read Electron's keyring entry, which the OS prompts for or refuses.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { SecretBox } from '../core/ports.ts';
import { aesGcmDecrypt, aesGcmEncrypt } from './aes-secret-box.ts';
import { appError, AppFailure } from '../../shared/result.ts';
import { describe } from '../../shared/diagnostics.ts';

const SERVICE = 'mail-oauth-assistant';
const ACCOUNT = 'master-key';
const TOOL_TIMEOUT_MS = 10_000;

/** Where the master key lives. `load` resolves undefined when no key was stored yet. */
export type MasterKeyBackend = {
  readonly name: string;
  load(): Promise<Buffer | undefined>;
  save(key: Buffer): Promise<void>;
};

export type CommandRunner = (file: string, args: readonly string[], stdin?: string) => Promise<{ code: number; stdout: string }>;

/** Runs a tool with a time limit; the key only ever travels on stdin/stdout, never in argv
 * (argv is visible to other users in `ps`), except for macOS `security`, see below. */
export const runCommand: CommandRunner = (file, args, stdin) =>
  new Promise((resolve, reject) => {
    const child = execFile(file, [...args], { timeout: TOOL_TIMEOUT_MS, windowsHide: true }, (error, stdout) => {
      if (error && typeof (error as NodeJS.ErrnoException).code === 'string') {
        reject(error); // ENOENT: tool not installed
        return;
      }
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout) });
    });
    // A tool that exits at once (no D-Bus session) closes its stdin: EPIPE is its exit code's
    // business, not an unhandled error that kills the process.
    child.stdin?.on('error', () => {});
    child.stdin?.end(stdin ?? '');
  });

const decodeKey = (text: string): Buffer | undefined => {
  const key = Buffer.from(text.trim(), 'base64');
  return key.length === 32 ? key : undefined;
};

export function secretToolBackend(run: CommandRunner = runCommand): MasterKeyBackend {
  const attrs = ['application', SERVICE, 'kind', ACCOUNT];
  return {
    name: 'libsecret',
    async load() {
      const r = await run('secret-tool', ['lookup', ...attrs]);
      return r.code === 0 ? decodeKey(r.stdout) : undefined;
    },
    async save(key) {
      const r = await run('secret-tool', ['store', '--label=Mail OAuth Assistant master key', ...attrs], key.toString('base64'));
      if (r.code !== 0) throw new Error('secret-tool store failed');
    },
  };
}

export function keychainBackend(run: CommandRunner = runCommand): MasterKeyBackend {
  return {
    name: 'keychain',
    async load() {
      const r = await run('security', ['find-generic-password', '-s', SERVICE, '-a', ACCOUNT, '-w']);
      return r.code === 0 ? decodeKey(r.stdout) : undefined;
    },
    async save(key) {
      // `security` takes the password only as an argument (-w); it is visible in the process list
      // for the few milliseconds the tool runs, once, when the key is first created.
      const r = await run('security', ['add-generic-password', '-U', '-s', SERVICE, '-a', ACCOUNT, '-w', key.toString('base64')]);
      if (r.code !== 0) throw new Error('security add-generic-password failed');
    },
  };
}

/** DPAPI: the key is protected for the current Windows user and the blob kept in `blobFile`. */
export function dpapiBackend(blobFile: string, run: CommandRunner = runCommand): MasterKeyBackend {
  const ps = (script: string): string[] => ['-NoProfile', '-NonInteractive', '-Command', script];
  const prelude = 'Add-Type -AssemblyName System.Security; $in = [Console]::In.ReadToEnd().Trim();';
  return {
    name: 'dpapi',
    async load() {
      if (!existsSync(blobFile)) return undefined;
      const r = await run(
        'powershell.exe',
        ps(`${prelude} [Convert]::ToBase64String([Security.Cryptography.ProtectedData]::Unprotect([Convert]::FromBase64String($in), $null, 'CurrentUser'))`),
        readFileSync(blobFile, 'utf8'),
      );
      return r.code === 0 ? decodeKey(r.stdout) : undefined;
    },
    async save(key) {
      const r = await run(
        'powershell.exe',
        ps(`${prelude} [Convert]::ToBase64String([Security.Cryptography.ProtectedData]::Protect([Convert]::FromBase64String($in), $null, 'CurrentUser'))`),
        key.toString('base64'),
      );
      if (r.code !== 0) throw new Error('DPAPI protect failed');
      mkdirSync(dirname(blobFile), { recursive: true, mode: 0o700 });
      writeFileSync(blobFile, r.stdout.trim(), { mode: 0o600 });
    },
  };
}

export function osKeyBackend(options: { platform?: NodeJS.Platform; dpapiBlobFile?: string; run?: CommandRunner } = {}): MasterKeyBackend | undefined {
  const platform = options.platform ?? process.platform;
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return secretToolBackend(options.run);
  if (platform === 'darwin') return keychainBackend(options.run);
  if (platform === 'win32' && options.dpapiBlobFile !== undefined) return dpapiBackend(options.dpapiBlobFile, options.run);
  return undefined;
}

export type NodeSecretBox = SecretBox & {
  /** Why no OS-protected key is in use (SECRET_STORAGE_UNAVAILABLE), when `available` is false. */
  readonly unavailableReason?: string;
};

export type NodeSecretBoxOptions = {
  /** The OS key backend; default: by platform. `null` = none (forces the unavailable path). */
  backend?: MasterKeyBackend | null;
  /** Key file used only when the OS backend fails, for `--insecure-store` (mode 0600). */
  insecureKeyFile?: string;
};

function unavailableBox(reason: string, keyFile: string | undefined): NodeSecretBox {
  let key: Buffer | undefined;
  const fileKey = (): Buffer => {
    if (key) return key;
    if (keyFile === undefined) {
      throw new AppFailure(appError('SECRET_STORAGE_UNAVAILABLE', describe('SECRET_STORAGE_UNAVAILABLE').title, reason));
    }
    const existing = existsSync(keyFile) ? decodeKey(readFileSync(keyFile, 'utf8')) : undefined;
    if (existing) key = existing;
    else {
      key = randomBytes(32);
      mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
      writeFileSync(keyFile, key.toString('base64'), { mode: 0o600 });
      chmodSync(keyFile, 0o600);
    }
    return key;
  };
  return {
    available: false,
    backend: keyFile === undefined ? 'none' : 'key-file',
    unavailableReason: reason,
    encrypt: (plain) => aesGcmEncrypt(fileKey(), plain),
    decrypt: (data) => aesGcmDecrypt(fileKey(), data),
  };
}

/** Build the CLI's SecretBox: an OS-kept master key, or an honest `available: false`. */
export async function createNodeSecretBox(options: NodeSecretBoxOptions = {}): Promise<NodeSecretBox> {
  const backend = options.backend === undefined ? osKeyBackend() : options.backend;
  if (backend === null || backend === undefined) {
    return unavailableBox('No OS keyring backend on this platform.', options.insecureKeyFile);
  }
  try {
    let key = await backend.load();
    if (!key) {
      await backend.save(randomBytes(32));
      // Read back: proves the keyring really stores (a locked or absent daemon may accept and lose it).
      key = await backend.load();
    }
    if (!key) return unavailableBox(`The ${backend.name} keyring did not keep the key.`, options.insecureKeyFile);
    const k = key;
    return {
      available: true,
      backend: backend.name,
      encrypt: (plain) => aesGcmEncrypt(k, plain),
      decrypt: (data) => aesGcmDecrypt(k, data),
    };
  } catch (e) {
    const why = e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : 'error';
    return unavailableBox(`The ${backend.name} keyring is not usable (${why}).`, options.insecureKeyFile);
  }
}
