// The bridge's own certificate for TLS towards mail clients (clients such as Windows Mail and
// .NET SmtpClient insist on TLS even to 127.0.0.1).
//
// How it is made, and why: Node has no API that writes a certificate, `openssl` is on every Linux
// and macOS but not on Windows, and the npm packages that do it pull in a whole ASN.1 or PKI
// library for one fixed structure. So this file writes that one structure itself: a self-signed
// X.509 v3 certificate (DER, RFC 5280) for `localhost` and 127.0.0.1 with an ECDSA P-256 key, signed
// with node:crypto. Node's X509Certificate parses it back before it is used (a wrong byte fails
// here, at start, not in a client).
//
// Where it is kept: the certificate (public) in `<data dir>/bridge/certificate.pem`, so the user
// can import the same one into the client once; the private key encrypted in the secret store
// (master key from the OS keyring) under a pseudo-account `_bridge-tls`. When the secret store
// keeps nothing on disk (no keyring, no --insecure-store) the key goes to `<data dir>/bridge/key.pem`
// with mode 0600 instead: a certificate that changed at every start would have to be imported
// again each time. It is valid 825 days (the longest Apple clients accept for a TLS server
// certificate) and made anew 30 days before it ends.
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { AppFailure, appError } from '../../shared/app-error.ts';
import { describe } from '../../shared/diagnostics.ts';
import type { BridgeDeps } from './index.ts';

const KEY_ACCOUNT = '_bridge-tls';
const VALID_DAYS = 825;
const RENEW_BEFORE_DAYS = 30;
const DAY = 86_400_000;

// --- DER, only what this certificate needs (X.690) ---
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), len(body.length), body]);
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const ctx = (n: number, body: Buffer, constructed = true): Buffer => tlv((constructed ? 0xa0 : 0x80) | n, body);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, (v[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out: number[] = [a * 40 + b];
  for (const n of rest) {
    const enc: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) enc.unshift((v & 0x7f) | 0x80);
    out.push(...enc);
  }
  return tlv(0x06, Buffer.from(out));
}
function time(ms: number): Buffer {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const p = (n: number): string => String(n).padStart(2, '0');
  const body = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on.
  return y < 2050 ? tlv(0x17, Buffer.from(`${String(y % 100).padStart(2, '0')}${body}`)) : tlv(0x18, Buffer.from(`${y}${body}`));
}
const ext = (id: string, critical: boolean, value: Buffer): Buffer => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** A self-signed certificate for the bridge's loopback listeners; returns its PEM. */
export function makeCertificate(key: KeyObject, publicKeyDer: Buffer, now: number): string {
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(
    set(seq(oid('2.5.4.3'), utf8('Mail OAuth Assistant bridge (localhost)'))),
    set(seq(oid('2.5.4.10'), utf8('Mail OAuth Assistant'))),
  );
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive (RFC 5280 4.1.2.2)
  const san = seq(ctx(2, Buffer.from('localhost'), false), ctx(7, Buffer.from([127, 0, 0, 1]), false));
  const extensions = seq(
    // CA:TRUE with pathlen 0: the certificate is its own trust anchor, which is what the user
    // imports (OpenSSL-based clients given it as their CA file accept it so, as they do
    // `openssl req -x509` certificates); it can sign nothing else.
    ext('2.5.29.19', true, seq(bool(true), integer(Buffer.from([0])))),
    ext('2.5.29.15', true, bits(Buffer.from([0x84]), 2)), // digitalSignature, keyCertSign
    ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // serverAuth
    ext('2.5.29.17', false, san),
  );
  const tbs = seq(
    ctx(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ecdsaWithSha256,
    name,
    seq(time(now - DAY), time(now + VALID_DAYS * DAY)),
    name,
    publicKeyDer,
    ctx(3, extensions),
  );
  const signature = sign('sha256', tbs, key); // DER ECDSA-Sig-Value, as X.509 wants
  const der = seq(tbs, ecdsaWithSha256, bits(signature));
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.endsWith('\n') ? b64 : `${b64}\n`}-----END CERTIFICATE-----\n`;
}

export type LocalCertificate = { certificatePem: string; context: tls.SecureContext };

async function readText(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The bridge certificate and its key: the kept ones when they still match and are valid, else new ones. */
export async function localCertificate(deps: Pick<BridgeDeps, 'secrets' | 'dataDir' | 'clock'>): Promise<LocalCertificate> {
  const dir = join(deps.dataDir, 'bridge');
  const certPath = join(dir, 'certificate.pem');
  const keyPath = join(dir, 'key.pem');
  const onDisk = !deps.secrets.status.persistent;
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const now = deps.clock.now();
    const certPem = await readText(certPath);
    const keyPem = onDisk ? await readText(keyPath) : await deps.secrets.get(KEY_ACCOUNT, 'bridge-tls-key');
    if (certPem !== undefined && keyPem !== undefined) {
      try {
        const cert = new X509Certificate(certPem);
        const key = createPrivateKey(keyPem);
        if (cert.checkPrivateKey(key) && Date.parse(cert.validTo) - RENEW_BEFORE_DAYS * DAY > now) {
          return { certificatePem: certPem, context: tls.createSecureContext({ cert: certPem, key: keyPem }) };
        }
      } catch {
        // damaged or not ours: make a new pair below
      }
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = makeCertificate(privateKey, publicKey.export({ type: 'spki', format: 'der' }), now);
    const parsed = new X509Certificate(pem);
    if (!parsed.checkPrivateKey(privateKey) || !parsed.verify(publicKey)) throw new Error('the new certificate does not verify');
    const newKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // The key first: a certificate without its key would be replaced at the next start anyway.
    if (onDisk) await fs.writeFile(keyPath, newKeyPem, { mode: 0o600 });
    else await deps.secrets.set(KEY_ACCOUNT, 'bridge-tls-key', newKeyPem);
    await fs.writeFile(certPath, pem, { mode: 0o644 });
    return { certificatePem: pem, context: tls.createSecureContext({ cert: pem, key: newKeyPem }) };
  } catch (e) {
    if (e instanceof AppFailure) throw e;
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new AppFailure(appError('BRIDGE_CERT_FAILED', describe('BRIDGE_CERT_FAILED').title, `${dir}: ${detail}`), { cause: e });
  }
}
