// "Trust a certificate authority": the PEM file a user picks (a company's TLS-inspecting proxy CA,
// a self-hosted server's CA) is checked here before it is saved with an account (`caPem`) and used
// for that account's identity provider, autoconfig and mail servers. Only certificates are
// accepted: a private key (a common wrong pick) is refused and never echoed back.
import { X509Certificate } from 'node:crypto';
import { AppFailure, appError } from '../../shared/result.ts';
import { describe } from '../../shared/diagnostics.ts';
import type { CaCertificateInfo } from '../../shared/ipc.ts';

const BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n\t ]+?-----END CERTIFICATE-----/g;
const ANY_PEM = /-----BEGIN ([A-Z0-9 ]+)-----/g;
export const MAX_CA_PEM = 65536;

function refuse(detail: string): AppFailure {
  return new AppFailure(appError('CA_NOT_PEM', describe('CA_NOT_PEM').title, detail));
}

/** "AB:CD:..." as browsers and `openssl x509 -fingerprint -sha256` print it. */
const fingerprint = (c: X509Certificate): string => c.fingerprint256.toUpperCase();

/** Subject as one line: "CN=Example Root CA, O=Example" (node gives one field per line). */
const oneLine = (dn: string): string =>
  dn
    .split('\n')
    .filter(Boolean)
    .reverse()
    .join(', ');

/**
 * Parse the text of a picked file: one or more PEM certificates and nothing secret. Returns the
 * normalised PEM (certificate blocks only) and what the confirmation shows. Throws AppFailure
 * CA_NOT_PEM with a reason for anything else (DER, a key, text, an empty or oversized file).
 */
export function parseCaPem(text: string): { pem: string; certificates: CaCertificateInfo[] } {
  if (text.length > MAX_CA_PEM) throw refuse(`The file is larger than ${MAX_CA_PEM / 1024} KiB: a CA file is a few KiB.`);
  const kinds = [...text.matchAll(ANY_PEM)].map((m) => m[1] ?? '');
  if (kinds.some((k) => k.includes('PRIVATE KEY'))) {
    throw refuse('The file holds a private key, not a certificate. Pick the CA certificate (.crt/.pem) instead; never share a private key.');
  }
  const blocks = text.match(BLOCK) ?? [];
  if (blocks.length === 0) {
    throw refuse(
      kinds.length > 0
        ? `The file holds ${kinds.join(', ')}, not a CERTIFICATE.`
        : 'No "-----BEGIN CERTIFICATE-----" block in the file. A binary (DER) certificate can be converted with: openssl x509 -inform der -in ca.cer -out ca.pem',
    );
  }
  const certificates: CaCertificateInfo[] = [];
  for (const block of blocks) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      throw refuse('A CERTIFICATE block in the file is damaged and cannot be read.');
    }
    certificates.push({
      subject: oneLine(cert.subject),
      issuer: oneLine(cert.issuer),
      sha256: fingerprint(cert),
      validFrom: Date.parse(cert.validFrom),
      validTo: Date.parse(cert.validTo),
      isCa: cert.ca,
    });
  }
  return { pem: `${blocks.map((b) => b.replace(/\r\n/g, '\n')).join('\n')}\n`, certificates };
}
