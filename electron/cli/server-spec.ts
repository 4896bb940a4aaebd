// `host:port[:security]` as the CLI takes servers (add, edit, test), and the host rules shared by
// them: a plaintext (`none`) connection sends the token in cleartext, so it is allowed only to a
// loopback host (local test servers).
import { isIP } from 'node:net';
import type { ServerSettings } from '../../shared/account.ts';
import type { Security } from '../../shared/providers.ts';
import { UsageError } from './command.ts';

const DEFAULT_SECURITY: Readonly<Record<number, Security>> = {
  993: 'tls',
  995: 'tls',
  465: 'tls',
  143: 'starttls',
  110: 'starttls',
  587: 'starttls',
  25: 'starttls',
};

/** localhost, 127.0.0.0/8, ::1: where cleartext never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i;

/** A DNS name or an IP address, as a usage error rather than a schema dump when it is not one. */
export function checkHost(flag: string, host: string): void {
  if (isIP(host) !== 0) return;
  if (host.length > 253) throw new UsageError(`--${flag}: the host name is ${host.length} characters long (at most 253)`);
  const labels = host.replace(/\.$/, '').split('.');
  if (labels.some((l) => !LABEL.test(l))) throw new UsageError(`--${flag}: "${host}" is not a valid host name`);
}

/** `host:port[:security]`, IPv6 as `[::1]:993:tls`. */
export function parseServerSpec(flag: string, value: string): ServerSettings {
  const m = /^(?:\[([^\]]+)\]|([^:\s[\]]+)):(\d{1,5})(?::(tls|starttls|none))?$/i.exec(value.trim());
  if (!m) throw new UsageError(`--${flag}: expected host:port[:tls|starttls|none], got "${value}"`);
  const host = (m[1] ?? m[2] ?? '').toLowerCase();
  if (m[1] !== undefined && isIP(host) !== 6) throw new UsageError(`--${flag}: "[${host}]" is not an IPv6 address`);
  checkHost(flag, host);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new UsageError(`--${flag}: port out of range: ${port} (1-65535)`);
  const security = (m[4]?.toLowerCase() as Security | undefined) ?? DEFAULT_SECURITY[port] ?? 'tls';
  if (security === 'none' && !isLoopbackHost(host)) {
    throw new UsageError(`--${flag}: "none" (no TLS) would send the token in cleartext; it is allowed only for loopback hosts (localhost, 127.0.0.1, ::1)`);
  }
  return { enabled: true, host, port, security };
}
