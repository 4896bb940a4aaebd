// "Trust a certificate authority" in real Chromium through the web host, which here trusts no
// extra CA (no --ca-file): the bench's identity provider is untrusted, as a self-hosted IdP or a
// TLS-inspecting company proxy is on a fresh machine. The register step names the certificate
// problem and offers the fix; a non-PEM file is refused; the CA file shows subject and SHA-256;
// once trusted (saved with the account) the issuer is found, and its scopes are offered. Screenshots: test-artifacts/trust-ca-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { benchInfo } from '../bench/client.ts';
import { describe as diagnosis } from '../../shared/diagnostics.ts';
import { launchChromium, startWebHostProcess, type WebHostProcess } from './helpers.ts';
import { openApp, shot, srvRecords, unlabelledControls } from './wizard-helpers.ts';
import { startDnsmasq, type DnsServer } from '../discover/helpers/dnsmasq.ts';

let dns: DnsServer;
let host: WebHostProcess;
let browser: Browser;
let page: Page;
let errors: string[];
const dataDir = mkdtempSync(join(tmpdir(), 'moa-trust-ca-'));

before(async () => {
  dns = await startDnsmasq(srvRecords(), ['test']);
  host = await startWebHostProcess(['--data-dir', dataDir, '--dns', dns.address]);
  browser = await launchChromium();
  ({ page, errors } = await openApp(browser, host));
});
after(async () => {
  await browser?.close();
  await host?.stop();
  await dns?.stop();
});

test('register step: untrusted IdP certificate -> trust its CA (subject + SHA-256, non-PEM refused) -> issuer found', async () => {
  const info = benchInfo();
  const files = mkdtempSync(join(tmpdir(), 'moa-ca-files-'));
  const caFile = join(files, 'company-root-ca.pem');
  writeFileSync(caFile, info.ca.pem);
  const notPem = join(files, 'not-a-certificate.pem');
  writeFileSync(notPem, 'This is a README, not a certificate.\n');

  await page.getByRole('button', { name: 'Add your first account' }).click();
  await page.getByLabel('Email address', { exact: true }).fill('alice@example.test');
  await page.getByRole('radio', { name: /Other provider/ }).check();
  await page.getByRole('button', { name: 'Next: register the app' }).click();
  await page.getByRole('heading', { name: /Register the assistant/ }).waitFor();
  await page.getByLabel('Client ID', { exact: true }).fill('native-app');
  await page.getByLabel('Mail scopes', { exact: true }).fill(`${info.scopes.imap} ${info.scopes.smtp}`);
  await page.getByLabel('Issuer (discovery URL)', { exact: true }).fill(info.discoveryUrl);

  // The certificate problem is named, with the CA fix; never "check your network".
  const title = diagnosis('IDP_TLS_UNTRUSTED_CERT').title;
  await page.getByText(`Could not confirm the issuer: ${title}`).waitFor();
  const check = page.locator('.issuer-check');
  assert.doesNotMatch(await check.innerText(), /network connection/i);
  await check.getByRole('button', { name: 'Trust a certificate authority…' }).click();
  const dialog = page.getByRole('region', { name: 'Trust a certificate authority' });
  await dialog.waitFor();
  assert.deepEqual(await unlabelledControls(page), [], 'every control has a label');

  // A file that is not a PEM certificate is refused, and nothing is offered to confirm.
  await dialog.getByLabel('CA certificate file').setInputFiles(notPem);
  await dialog.getByText(diagnosis('CA_NOT_PEM').title).waitFor();
  await dialog.getByText(diagnosis('CA_NOT_PEM').title).scrollIntoViewIfNeeded();
  assert.equal(await dialog.getByRole('button', { name: 'Trust this certificate authority' }).count(), 0);
  await shot(page, 'trust-ca-01-not-pem-refused');

  // The real CA: subject and SHA-256 fingerprint shown before anything is saved.
  await dialog.getByLabel('CA certificate file').setInputFiles(caFile);
  const x = new X509Certificate(info.ca.pem);
  await dialog.getByText(x.fingerprint256).waitFor();
  const cn = /CN=([^\n]+)/.exec(x.subject)?.[1] ?? '';
  assert.ok(cn && (await dialog.innerText()).includes(cn), 'subject shown');
  await dialog.getByRole('button', { name: 'Trust this certificate authority' }).scrollIntoViewIfNeeded();
  await shot(page, 'trust-ca-02-confirm-fingerprint');
  await shot(page, 'trust-ca-02-confirm-fingerprint-dark', { dark: true });

  // Confirm: saved with the account, and the issuer check passes with it.
  await dialog.getByRole('button', { name: 'Trust this certificate authority' }).click();
  await page.getByText(`Found ${info.issuer}`).waitFor();
  await shot(page, 'trust-ca-03-issuer-found');

  // The issuer's scopes_supported are offered for the mail scopes (a generic provider has no
  // default): `pop` is listed and not chosen yet; a click adds it.
  const suggestions = page.getByLabel('Scopes the issuer lists');
  await suggestions.getByRole('button', { name: `+ ${info.scopes.pop3}` }).click();
  assert.equal(await page.getByLabel('Mail scopes', { exact: true }).inputValue(), `${info.scopes.imap} ${info.scopes.smtp} ${info.scopes.pop3}`);
  assert.equal(await suggestions.getByRole('button', { name: /^\+ (?:openid|email|offline_access|profile)$/ }).count(), 0, 'identity scopes are not offered');
  assert.deepEqual(errors, [], 'no console errors');
});
