// The whole setup wizard in real Chromium through the development web host, against the bench:
// a generic OpenID provider account (alice@example.test), registration values checked online,
// sign-in through the "system browser", servers from DNS SRV records, an all-green test, the
// dashboard; then a failure (untrusted certificate) diagnosed and fixed. Screenshots of every
// step go to test-artifacts/wizard-*.png (900x650, light, some dark).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { benchInfo, loginWithHttp } from '../bench/client.ts';
import { describe as diagnosis } from '../../shared/diagnostics.ts';
import { launchChromium, waitForText } from './helpers.ts';
import { horizontalOverflow, openApp, shot, startWizardBench, unlabelledControls, type WizardBench } from './wizard-helpers.ts';

let bench: WizardBench;
let browser: Browser;
let page: Page;
let errors: string[];

before(async () => {
  bench = await startWizardBench();
  browser = await launchChromium();
  ({ page, errors } = await openApp(browser, bench.host));
});
after(async () => {
  await browser?.close();
  await bench?.stop();
});

async function checkPage(name: string): Promise<void> {
  assert.deepEqual(await unlabelledControls(page), [], `${name}: every control has a label`);
  assert.deepEqual(await horizontalOverflow(page), [], `${name}: nothing overflows 900 px`);
}

test('a first-time user sets up a generic OpenID account from "add account" to a green test', async () => {
  const info = benchInfo();
  const main = info.mail.main;

  // Dashboard, empty.
  await page.getByRole('heading', { name: 'Get a mail account working with OAuth 2.0' }).waitFor();
  await shot(page, 'wizard-00-dashboard-empty');
  await page.getByRole('button', { name: 'Add your first account' }).click();

  // 1. Account.
  await page.getByLabel('Email address', { exact: true }).fill('alice@example.test');
  await page.getByText('The provider was not recognized').waitFor();
  await page.getByRole('radio', { name: /Other provider/ }).check();
  await checkPage('account');
  await shot(page, 'wizard-01-account');
  await page.getByRole('button', { name: 'Next: register the app' }).click();

  // 2. Register: issuer checked online, client id, scopes.
  await page.getByRole('heading', { name: /Register the assistant/ }).waitFor();
  await page.getByLabel('Issuer (discovery URL)', { exact: true }).fill(info.discoveryUrl);
  await page.getByLabel('Client ID', { exact: true }).fill('native-app');
  await page.getByLabel('Mail scopes', { exact: true }).fill(`${info.scopes.imap} ${info.scopes.smtp}`);
  await page.getByText(`Found ${info.issuer}`).waitFor();
  await checkPage('register');
  await shot(page, 'wizard-02-register');
  await page.getByRole('button', { name: 'Next: sign in' }).click();

  // 3. Authorize: the app "opens the system browser"; the bench's login form is completed there.
  await page.getByRole('button', { name: 'Open the sign-in page in my browser' }).click();
  const url = await bench.host.waitForOpened(1);
  await page.getByText('Waiting for you to sign in in your browser').waitFor();
  await shot(page, 'wizard-03a-authorize-waiting');
  await loginWithHttp(url, { user: 'alice@example.test', deliver: true });
  await page.getByRole('heading', { name: '✓ Signed in' }).waitFor();
  const result = await page.locator('.auth-result').innerText();
  assert.match(result, /alice@example\.test/);
  assert.match(result, /Refresh token\s+Yes/);
  await checkPage('authorize');
  await shot(page, 'wizard-03b-authorize-done');
  await page.getByRole('button', { name: 'Next: server settings' }).click();

  // 4. Configure: servers from the SRV records, each saying where it came from.
  const imapHost = page.getByLabel('IMAP server', { exact: true });
  await page.getByText(/^Found IMAP and SMTP\./).waitFor();
  assert.equal(await imapHost.inputValue(), main.imap.tls.host);
  assert.equal(await page.getByLabel('IMAP port', { exact: true }).inputValue(), String(main.imap.tls.port));
  assert.equal(await page.getByLabel('SMTP port', { exact: true }).inputValue(), String(main.smtp.starttls.port));
  assert.equal(await page.getByLabel('SMTP security', { exact: true }).inputValue(), 'starttls');
  assert.match(await page.locator('.server-card').first().innerText(), /From a DNS SRV record/);
  await checkPage('configure');
  await shot(page, 'wizard-04-configure');
  await page.getByRole('button', { name: 'Next: test the connection' }).click();

  // 5. Test: all green.
  await page.getByRole('button', { name: 'Run the connection test' }).click();
  await page.getByText('✓ Everything works').waitFor();
  await checkPage('test');
  await shot(page, 'wizard-05-test-green');
  await shot(page, 'wizard-05-test-green-dark', { dark: true });
  await page.getByRole('button', { name: 'Save and finish' }).click();

  // 6. Done: saved, summary of what works.
  await page.getByRole('heading', { name: 'alice@example.test is ready' }).waitFor();
  assert.match(await page.locator('.summary').innerText(), /IMAP[\s\S]*signs in with/);
  await shot(page, 'wizard-06-done');
  await page.getByRole('button', { name: 'Go to accounts' }).click();

  // Dashboard lists it with its token state and the last test.
  const row = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'alice@example.test' }) });
  await row.getByText('✓ Works').waitFor();
  // The token state comes by its own call after the list: wait for it (the row says "Checking token…" meanwhile).
  await waitForText(row, /Token valid until/);
  await page.getByText(/Connection test: IMAP and SMTP passed/).first().waitFor();
  await checkPage('dashboard');
  await shot(page, 'wizard-07-dashboard');
  await shot(page, 'wizard-07-dashboard-dark', { dark: true });
  assert.deepEqual(errors, [], 'no console errors');
});

test('an untrusted certificate is diagnosed, the fix button leads to Configure, and the fix turns it green', async () => {
  const bad = benchInfo().failures.untrustedCert.imap.tls;
  const good = benchInfo().mail.main.imap.tls;
  const row = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'alice@example.test' }) });
  await row.getByRole('button', { name: 'Edit servers' }).click();

  await page.getByLabel('IMAP port', { exact: true }).fill(String(bad.port));
  await page.getByLabel('IMAP server', { exact: true }).fill(bad.host);
  await page.getByRole('button', { name: 'Next: test the connection' }).click();
  await page.getByRole('button', { name: 'Run the connection test' }).click();
  const title = diagnosis('TLS_UNTRUSTED_CERT').title;
  const panel = page.getByRole('alert').filter({ hasText: title });
  await panel.waitFor();
  assert.match(await panel.innerText(), /IMAP: failed at “Secure the connection \(TLS\)”/);
  await checkPage('test-failed');
  await shot(page, 'wizard-08-test-untrusted-cert');
  await shot(page, 'wizard-08-test-untrusted-cert-dark', { dark: true });

  // Back to the step that fixes it; nothing typed was lost.
  await panel.getByRole('button', { name: 'Go to Configure to fix it' }).click();
  assert.equal(await page.getByLabel('IMAP port', { exact: true }).inputValue(), String(bad.port));
  await page.getByLabel('IMAP port', { exact: true }).fill(String(good.port));
  await page.getByRole('button', { name: 'Next: test the connection' }).click();
  await page.getByRole('button', { name: 'Run the connection test' }).click();
  await page.getByText('✓ Everything works').waitFor();
  await shot(page, 'wizard-09-test-fixed');
  await page.getByRole('button', { name: 'Save and finish' }).click();
  await page.getByRole('button', { name: 'Go to accounts' }).click();
  await row.getByText('✓ Works').waitFor();
  assert.deepEqual(errors, [], 'no console errors');
});
