// Test PKI made with the openssl CLI at every bench start (EC P-256 keeps it to a few tens of ms):
// a CA, a server certificate for localhost/127.0.0.1/127.0.0.2 signed by it, a certificate for
// another host name (host-mismatch listener) signed by the same CA, and a self-signed certificate
// that no client trusts (untrusted listener). Nothing is written outside `dir`.
import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type CertFiles = { cert: string; key: string; certPem: string; keyPem: string };
export type TestPki = {
  ca: CertFiles;
  /** localhost, 127.0.0.1, 127.0.0.2, signed by the CA */
  server: CertFiles;
  /** mail.other-host.test only, signed by the CA: a valid chain for the wrong name */
  otherHost: CertFiles;
  /** self-signed localhost/127.0.0.1: the name is right but nobody trusts it */
  selfSigned: CertFiles;
};

export const OTHER_HOST_NAME = 'mail.other-host.test';

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
// One openssl call per certificate: `req -x509 -CA` (OpenSSL 3) signs with the CA directly.
const TIMEOUT_MS = 15_000;

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args, { timeout: TIMEOUT_MS });
}

function files(dir: string, name: string): CertFiles {
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`), certPem: '', keyPem: '' };
}

function load(f: CertFiles): CertFiles {
  // Dovecot's auth process reads the CA as an unprivileged user: certificates are public anyway.
  chmodSync(f.cert, 0o644);
  return { ...f, certPem: readFileSync(f.cert, 'utf8'), keyPem: readFileSync(f.key, 'utf8') };
}

export async function makeTestPki(dir: string): Promise<TestPki> {
  const ca = files(dir, 'ca');
  const server = files(dir, 'server');
  const otherHost = files(dir, 'other-host');
  const selfSigned = files(dir, 'self-signed');
  const days = ['-days', '30'];

  // CA and self-signed certificate do not depend on anything: make them in parallel.
  await Promise.all([
    openssl([
      'req', '-x509', ...EC, ...days, '-keyout', ca.key, '-out', ca.cert,
      '-subj', '/O=Mail OAuth Assistant test bench/CN=MOA Test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]),
    openssl([
      'req', '-x509', ...EC, ...days, '-keyout', selfSigned.key, '-out', selfSigned.cert,
      '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:127.0.0.2',
    ]),
  ]);
  // Leaf certificates: serverAuth EKU and no CA flag, as a real server certificate.
  const leaf = (cn: string, san: string, out: CertFiles): Promise<void> =>
    openssl([
      'req', '-x509', ...EC, ...days, '-CA', ca.cert, '-CAkey', ca.key,
      '-keyout', out.key, '-out', out.cert, '-subj', `/CN=${cn}`,
      '-addext', `subjectAltName=${san}`,
      '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'extendedKeyUsage=serverAuth',
    ]);
  await Promise.all([
    leaf('localhost', 'DNS:localhost,IP:127.0.0.1,IP:127.0.0.2', server),
    leaf(OTHER_HOST_NAME, `DNS:${OTHER_HOST_NAME}`, otherHost),
  ]);
  const pki = { ca: load(ca), server: load(server), otherHost: load(otherHost), selfSigned: load(selfSigned) };
  // A bundle some tools (and humans with curl) find handy: nothing reads it in the bench itself.
  writeFileSync(join(dir, 'ca-bundle.pem'), pki.ca.certPem);
  return pki;
}
