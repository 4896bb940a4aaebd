// The bad-input cases of issue 14 ("Bad input"), shared by cli-bad-input*.test.ts (split in
// two files so that each stays well inside the test runner's time limit on a loaded machine).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Run } from './cli-helpers.ts';

export const dir = mkdtempSync(join(tmpdir(), 'moa-bad-input-'));
export const dataDir = join(dir, 'data');
export const dd = ['--data-dir', dataDir];
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'not a directory\n');
const emptySecret = join(dir, 'empty-secret');
writeFileSync(emptySecret, '  \n');
export const notPem = join(dir, 'not.pem');
writeFileSync(notPem, 'hello, I am not a certificate\n');
const fakePem = join(dir, 'fake.pem');
writeFileSync(fakePem, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
export const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, 'x'.repeat(40));
const base = ['--address', 'alice@example.test', '--client-id', 'app', '--imap', 'localhost:993'];
const issuer = ['--issuer', 'https://login.example.test'];

export function assertRefused(r: Run, message: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.stderr}${r.stdout}`);
  assert.match(r.stderr, message, what);
  assert.doesNotMatch(r.stderr + r.stdout, /ZodError|"code":|\n\s+at |projectName|ENOTDIR|ERR_/, `${what}: no dump`);
}

export const cases: Array<[string, string[], RegExp]> = [
  ['add --issuer notaurl', ['add', ...dd, ...base, '--issuer', 'notaurl'], /--issuer: "notaurl" is not a URL/],
  ['add --issuer http:// non-loopback', ['add', ...dd, ...base, '--issuer', 'http://login.example.test/realm'], /--issuer: http:\/\/ would send tokens and secrets in cleartext/],
  ['a 300-character host', ['add', ...dd, ...issuer, '--address', 'alice@example.test', '--client-id', 'app', '--imap', `${'h'.repeat(300)}:993`], /--imap: the host name is 300 characters long \(at most 253\)/],
  ['test with a 300-character host', ['test', '--address', 'alice@example.test', '--imap', `${'a'.repeat(300)}.test:993`, '--token-file', tokenFile], /--imap: the host name is 305 characters long/],
  ['security none to a remote host', ['add', ...dd, ...issuer, '--address', 'alice@example.test', '--client-id', 'app', '--imap', 'imap.example.test:143:none'], /--imap: "none" \(no TLS\) would send the token in cleartext; it is allowed only for loopback hosts/],
  ['test with security none to a remote host', ['test', '--address', 'alice@example.test', '--smtp', '192.0.2.1:25:none', '--token-file', tokenFile], /--smtp: "none" \(no TLS\)/],
  ['--data-dir empty', ['accounts', '--data-dir', ''], /--data-dir is empty: give a directory/],
  ['MAIL_OAUTH_DATA_DIR empty', ['accounts'], /MAIL_OAUTH_DATA_DIR is empty/],
  ['--data-dir is a file', ['token', 'alice@example.test', '--data-dir', aFile], /--data-dir .*a-file: is a file, not a directory/],
  ['a flag given twice', ['token', 'alice@example.test', ...dd, '--data-dir', dir], /--data-dir is given more than once: give it once/],
  ['test flag given twice', ['test', '--address', 'alice@example.test', '--imap', 'localhost:993', '--imap', 'localhost:143', '--token-file', tokenFile], /--imap is given more than once/],
  ['discover --dns bogus', ['discover', 'alice@example.test', '--dns', 'bogus'], /--dns: "bogus" is not a DNS server address/],
  ['discover --dns port out of range', ['discover', 'alice@example.test', '--dns', '127.0.0.1:70000'], /--dns: port out of range in "127\.0\.0\.1:70000"/],
  ['empty client-secret file', ['add', ...dd, ...base, ...issuer, '--client-secret-file', emptySecret], /--client-secret-file: .*empty-secret is empty/],
  ["--scopes ''", ['add', ...dd, ...base, ...issuer, '--scopes', ''], /--scopes is empty/],
  ['non-PEM --ca-file (add)', ['add', ...dd, ...base, ...issuer, '--ca-file', notPem], /--ca-file: .*not\.pem holds no PEM certificate/],
  ['PEM armour around garbage', ['add', ...dd, ...base, ...issuer, '--ca-file', fakePem], /--ca-file: certificate 1 in .*fake\.pem is not a valid X\.509 certificate/],
  ['non-PEM --ca-file (test)', ['test', '--address', 'alice@example.test', '--imap', 'localhost:993', '--token-file', tokenFile, '--ca-file', notPem], /--ca-file: .*holds no PEM certificate/],
  ['non-PEM --ca-file (discover)', ['discover', 'alice@example.test', '--ca-file', notPem], /--ca-file: .*holds no PEM certificate/],
  ['--timeout 8 (ambiguous)', ['test', '--address', 'alice@example.test', '--imap', 'localhost:993', '--token-file', tokenFile, '--timeout', '8'], /--timeout 8: ambiguous \(milliseconds\?\)\. Write 8s for seconds or 8ms/],
  ['--timeout nonsense', ['test', '--address', 'alice@example.test', '--imap', 'localhost:993', '--token-file', tokenFile, '--timeout', 'soon'], /--timeout: expected a duration like 30s/],
  ['--step-timeout 0s', ['test', '--address', 'alice@example.test', '--imap', 'localhost:993', '--token-file', tokenFile, '--step-timeout', '0s'], /--step-timeout: must be more than 0/],
];

