// The local bridge (issue 12): IMAP, POP3 and SMTP listeners on 127.0.0.1 for mail clients that
// only know passwords. A client signs in with the mail address and a bridge password made by the
// app; the bridge then signs in to the account's real server over TLS with an OAuth token and
// becomes a transparent byte pipe. Plain Node (no electron import): the CLI's `mail-oauth bridge`,
// the web host and the desktop app all run this same code.
//
// TLS towards the client (config.tls): every port then offers both forms old clients use,
// STARTTLS/STLS after a plain greeting and implicit TLS ("SSL" in Outlook and Windows Live Mail),
// told apart by the client's first bytes (session.ts serveConnection); the certificate is made
// locally (cert.ts) and shown as certificatePem for import.
//
// This file is the interface other parts build on (the dashboard's Bridge section, IPC, the CLI);
// its exported types are agreed in COORDINATION.md and change only with the neighbours.
import net from 'node:net';
import type tls from 'node:tls';
import { AppFailure, appError } from '../../shared/app-error.ts';
import { describe } from '../../shared/diagnostics.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { Clock } from '../core/ports.ts';
import type { AccountStore } from '../store/account-store.ts';
import type { SecretStore } from '../store/secret-store.ts';
import { FailureDelay, storeNewPassword } from './password.ts';
import { serveConnection, type SessionContext } from './session.ts';

export type BridgeProtocol = 'imap' | 'pop' | 'smtp';

export type BridgeConfig = {
  /** Port per protocol; null = that listener off; 0 = any free port (tests). Always bound on 127.0.0.1. */
  ports: Record<BridgeProtocol, number | null>;
  /** Offer TLS towards the client (STARTTLS / implicit as bridge decides and documents) with the local certificate. */
  tls: boolean;
};

export type BridgeEvent = {
  at: number;
  protocol: BridgeProtocol;
  kind: 'session-start' | 'session-end' | 'local-auth-failed' | 'upstream-failed';
  accountId?: string;
  address?: string;
  /** Diagnosis code for failures (shared/diagnostics). */
  code?: string;
  /** One redacted line, no secrets. */
  message: string;
};

export type BridgeDeps = {
  accounts: AccountStore;
  secrets: SecretStore;
  auth: AuthService;
  clock: Clock;
  dataDir: string;
  /** Extra CA (PEM) trusted for every account's mail servers, on top of the account's own: the
   * CLI's --ca-file, as `mail-oauth test` trusts it. */
  ca?: string;
  onEvent?: (e: BridgeEvent) => void;
};

export type BridgeHandle = {
  /** The ports actually bound (null: off). */
  ports: Record<BridgeProtocol, number | null>;
  sessions(): number;
  /** PEM of the local certificate when tls is on (for the user to import). */
  certificatePem?: string;
  close(): Promise<void>;
};

export const BRIDGE_PROTOCOLS: readonly BridgeProtocol[] = ['imap', 'pop', 'smtp'];

/** Ports that need no privileges, away from the standard ones a local mail server may use. */
export const DEFAULT_BRIDGE_PORTS: Readonly<Record<BridgeProtocol, number>> = { imap: 1143, pop: 1110, smtp: 1025 };

/** The only address the bridge ever binds: other machines cannot connect by construction. */
export const BRIDGE_HOST = '127.0.0.1';

function bindFailure(protocol: BridgeProtocol, port: number, e: unknown): AppFailure {
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  const code = errno === 'EADDRINUSE' ? 'BRIDGE_PORT_IN_USE' : errno === 'EACCES' || errno === 'EPERM' ? 'BRIDGE_PORT_DENIED' : 'INTERNAL';
  const what = `${protocol.toUpperCase()} port ${port} on ${BRIDGE_HOST}`;
  return new AppFailure(appError(code, `${describe(code).title}: ${what}`, `${what}: ${errno ?? String(e)}`), { cause: e });
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    // exclusive: on Windows/cluster, never share a port with another listener.
    server.listen({ host: BRIDGE_HOST, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

export async function startBridge(deps: BridgeDeps, config: BridgeConfig): Promise<BridgeHandle> {
  let secureContext: tls.SecureContext | undefined;
  let certificatePem: string | undefined;
  if (config.tls) {
    const { localCertificate } = await import('./cert.ts');
    const cert = await localCertificate(deps);
    secureContext = cert.context;
    certificatePem = cert.certificatePem;
  }
  const sockets = new Set<net.Socket>();
  const servers: net.Server[] = [];
  const ports: Record<BridgeProtocol, number | null> = { imap: null, pop: null, smtp: null };
  const delay = new FailureDelay();
  try {
    for (const protocol of BRIDGE_PROTOCOLS) {
      const wanted = config.ports[protocol];
      if (wanted === null) continue;
      const ctx: SessionContext = { deps, protocol, delay, secureContext };
      const server = net.createServer({ noDelay: true }, (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        serveConnection(ctx, socket);
      });
      servers.push(server);
      try {
        ports[protocol] = await listen(server, wanted);
      } catch (e) {
        throw bindFailure(protocol, wanted, e);
      }
      // A listener error after binding (EMFILE under a flood) must not crash the process.
      server.on('error', () => undefined);
    }
  } catch (e) {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    throw e;
  }
  let closing: Promise<void> | undefined;
  const handle: BridgeHandle = {
    ports,
    sessions: () => sockets.size,
    close: () => {
      closing ??= (async () => {
        const stopped = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
        for (const s of sockets) s.destroy();
        await Promise.all(stopped);
      })();
      return closing;
    },
  };
  if (certificatePem !== undefined) handle.certificatePem = certificatePem;
  return handle;
}

/** Generates a new bridge password for the account, stores only a salted hash (SecretStore), returns it once. */
export async function newBridgePassword(deps: Pick<BridgeDeps, 'secrets' | 'accounts'>, accountId: string): Promise<string> {
  if (!deps.accounts.get(accountId)) throw new AppFailure(appError('NOT_FOUND', `No account ${accountId}.`));
  return storeNewPassword(deps.secrets, accountId);
}

export async function hasBridgePassword(deps: Pick<BridgeDeps, 'secrets'>, accountId: string): Promise<boolean> {
  return (await deps.secrets.get(accountId, 'bridge-password')) !== undefined;
}
