// Issue 14, "the wizard's wording and behaviour", in real Chromium through the web host against the
// bench: the title while typing, drafts that never left step 1, the register checklist ticking what
// was verified, a typed secret stored by Next and its honest hint, the waiting screen (elapsed
// time, timeout, copyable address), Cancel then finishing in the browser, Deny after an earlier
// sign-in, the Configure wording, "Save anyway", the Done / Re-authorize titles and navigation,
// the activity log wording and Copy token in the web host. Screenshots: test-artifacts/wizard-1*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { benchInfo, loginWithHttp } from '../bench/client.ts';
import { launchChromium } from './helpers.ts';
import { horizontalOverflow, openApp, shot, startWizardBench, unlabelledControls, type WizardBench } from './wizard-helpers.ts';

let bench: WizardBench;
let browser: Browser;
let page: Page;
let errors: string[];

/** Call a channel of the web host directly (seeding and reading state; the UI is what is tested). */
async function ipc<T>(channel: string, input: unknown): Promise<T> {
  const url = new URL(bench.host.openUrl);
  const secret = /secret=([\w-]+)/.exec(url.hash)?.[1] ?? '';
  const res = await fetch(`${url.origin}/ipc/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: unknown };
  if (!body.ok) throw new Error(`${channel}: ${JSON.stringify(body.error)}`);
  return body.value as T;
}

type Storage = { available: boolean; persisted: boolean };
const storage = async (): Promise<Storage> => (await ipc<{ secretStorage: Storage }>('app:info', {})).secretStorage;
const accountId = async (address: string): Promise<string> => {
  const list = await ipc<{ accounts: { id: string; address: string }[] }>('accounts:list', {});
  const a = list.accounts.find((x) => x.address === address);
  assert.ok(a, `${address} saved`);
  return a.id;
};

before(async () => {
  bench = await startWizardBench();
  browser = await launchChromium();
  ({ page, errors } = await openApp(browser, bench.host));
});
after(async () => {
  await browser?.close();
  await bench?.stop();
});

/** Each test starts on the dashboard of a freshly loaded page, so one test's failure does not
 * decide the next one's (each must fail on its own assertion when its bug is back). */
async function fresh(): Promise<void> {
  await page.reload();
  await page.getByTestId('status-footer').waitFor({ timeout: 15000 });
  await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
}
const addAccount = () => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Add account' }).click();

/** alice@example.test, ready and signed in: made by the generic-account test, seeded if it failed. */
async function ensureAlice(): Promise<void> {
  const list = await ipc<{ accounts: { id: string; address: string; status: string; identity?: unknown }[] }>('accounts:list', {});
  const existing = list.accounts.find((a) => a.address === 'alice@example.test');
  if (existing?.status === 'ready' && existing.identity) return;
  const info = benchInfo();
  const main = info.mail.main;
  const saved = await ipc<{ id: string }>('accounts:save', {
    account: {
      ...(existing ? { id: existing.id } : {}),
      label: 'alice@example.test',
      address: 'alice@example.test',
      providerId: 'generic',
      auth: { adapter: 'oidc', issuer: info.issuer, clientId: 'native-app', flow: 'delegated', authParams: {} },
      scopes: ['imap', 'smtp', 'openid', 'email', 'offline_access'],
      servers: {
        imap: { enabled: true, host: main.imap.tls.host, port: main.imap.tls.port, security: 'tls' },
        smtp: { enabled: true, host: main.smtp.starttls.host, port: main.smtp.starttls.port, security: 'starttls' },
      },
      status: 'ready',
      wizardStep: 'done',
    },
  });
  const n = bench.host.opened.length + 1;
  const signIn = ipc('auth:start', { id: saved.id, flow: 'browser' });
  await loginWithHttp(await bench.host.waitForOpened(n), { user: 'alice@example.test', deliver: true });
  await signIn;
}

const title = () => page.locator('.wizard-title');
const navCurrent = async (): Promise<string> => (await page.locator('.topnav [aria-current="page"]').innerText()).trim();
const rowOf = (address: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: address }) });

async function checkPage(name: string): Promise<void> {
  assert.deepEqual(await unlabelledControls(page), [], `${name}: every control has a label`);
  assert.deepEqual(await horizontalOverflow(page), [], `${name}: nothing overflows 900 px`);
}

test('the title follows a valid address only, and an address typed then Back leaves no draft behind', async () => {
  await page.getByRole('button', { name: 'Add your first account' }).click();
  const address = page.getByLabel('Email address', { exact: true });
  await address.fill('alice@@example');
  assert.equal((await title().innerText()).trim(), 'Add a mail account');
  await address.fill('carol@example.test');
  await title().getByText('Set up carol@example.test').waitFor();
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  await page.getByRole('heading', { name: 'Get a mail account working with OAuth 2.0' }).waitFor();
  assert.equal(await page.getByText('not saved yet').count(), 0, 'no "not saved yet" entry for a draft that never left step 1');
});

test('a typed client secret is stored by Next; the hint says how it will be kept; the checklist ticks what was verified', async () => {
  await fresh();
  await addAccount();
  await page.getByLabel('Email address', { exact: true }).fill('dora@gmail.com');
  await page.getByText(/Recognized: Google/).waitFor();
  await page.getByRole('button', { name: 'Next: register the app' }).click();
  await page.getByRole('heading', { name: /Register the assistant with Google/ }).waitFor();

  // Google's guide starts with the project; nothing is verified yet.
  await page.getByText('Create or pick a Google Cloud project').waitFor();
  assert.equal((await page.locator('.guide-progress').innerText()).trim(), '0 of 5 done');

  const secretField = page.locator('.field').filter({ has: page.getByLabel('Client secret', { exact: true }) });
  const hint = await secretField.locator('.hint').innerText();
  await page.getByLabel('Client ID', { exact: true }).fill('1234-abc.apps.googleusercontent.com');
  const kept = await storage();
  const hintNow = await secretField.locator('.hint').innerText();
  if (kept.available) assert.match(hintNow, /encrypted by the operating system/);
  else assert.doesNotMatch(hintNow, /encrypted by the operating system/, `no keyring here: the hint must not promise OS encryption (was: ${hint})`);
  if (!kept.available && !kept.persisted) assert.match(hintNow, /memory only/);

  // Typed, not stored: Next stores it instead of refusing.
  await page.getByLabel('Client secret', { exact: true }).fill('GOCSPX-typed-not-stored');
  await page.getByRole('button', { name: 'Next: sign in' }).click();
  await page.getByRole('heading', { name: 'Sign in to Google (Gmail or Google Workspace)' }).waitFor({ timeout: 10000 });
  const state = await ipc<{ hasClientSecret: boolean }>('accounts:token-state', { id: await accountId('dora@gmail.com') });
  assert.equal(state.hasClientSecret, true, 'the typed secret was stored');

  // Back on the register step, the ids step is ticked by the app (ids entered, secret stored).
  await page.getByRole('button', { name: 'Back' }).click();
  await page.locator('.guide-progress').getByText('1 of 5 done').waitFor();
  const ids = page.locator('.checklist li').filter({ hasText: 'Copy the Client ID and Client secret back here' });
  assert.equal(await ids.getByRole('checkbox').isChecked(), true);
  await ids.getByText('verified').waitFor();
  const storedLine = await page.locator('.stored-line').innerText();
  if (!kept.available) assert.doesNotMatch(storedLine, /encrypted/, `no keyring: "${storedLine}"`);
  if (!kept.persisted) assert.match(storedLine, /memory only/);
  await checkPage('register-google');
  await shot(page, 'wizard-10-register-secret-stored-verified');
  await page.getByRole('button', { name: 'Finish later' }).click();
  await rowOf('dora@gmail.com').waitFor();
});

test('a generic account: verified issuer, the waiting screen, Cancel then the browser, Deny, Configure wording, Save anyway', async () => {
  const info = benchInfo();
  const main = info.mail.main;
  await fresh();
  await addAccount();
  const opened = bench.host.opened.length;
  await page.getByLabel('Email address', { exact: true }).fill('alice@example.test');
  await page.getByText('The provider was not recognized').waitFor({ timeout: 20000 });
  await page.getByRole('radio', { name: /Other provider/ }).check();
  await page.getByRole('button', { name: 'Next: register the app' }).click();

  // Register: the guide shows the exact redirect; the ids step ticks once the issuer is found.
  await page.getByRole('heading', { name: /Register the assistant/ }).waitFor();
  const redirect = page.locator('.copy-value').filter({ hasText: 'Redirect URI' });
  assert.equal((await redirect.locator('.copy-text').innerText()).trim(), 'http://127.0.0.1/callback');
  await page.getByText(/browser returns to http:\/\/127\.0\.0\.1:<port>\/callback/).waitFor();
  assert.equal((await page.locator('.guide-progress').innerText()).trim(), '0 of 3 done');
  await page.getByLabel('Issuer (discovery URL)', { exact: true }).fill(info.discoveryUrl);
  await page.getByLabel('Client ID', { exact: true }).fill('native-app');
  await page.getByLabel('Mail scopes', { exact: true }).fill(`${info.scopes.imap} ${info.scopes.smtp}`);
  await page.getByText(`Found ${info.issuer}`).waitFor({ timeout: 15000 });
  await page.locator('.guide-progress').getByText('1 of 3 done').waitFor();
  await page.getByRole('button', { name: 'Next: sign in' }).click();

  // Authorize: the waiting screen has the time, the limit and the page's address to copy.
  await page.getByRole('button', { name: 'Open the sign-in page in my browser' }).click();
  const url1 = await bench.host.waitForOpened(opened + 1);
  await page.getByText('Waiting for you to sign in in your browser').waitFor();
  assert.equal((await page.locator('.auth-url .copy-text').innerText()).trim(), url1);
  await page.getByTestId('auth-elapsed').getByText(/^\d+:\d\d waited · gives up in \d+:\d\d$/).waitFor();
  await checkPage('authorize-waiting');
  await shot(page, 'wizard-11-authorize-waiting');

  // Cancel in the app, then finish in the browser anyway: a page that says so.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Open the sign-in page in my browser' }).waitFor();
  const callback = await loginWithHttp(url1, { user: 'alice@example.test' });
  const tab = await page.context().newPage();
  const answer = await tab.goto(callback.href);
  assert.ok(answer, 'the loopback answered');
  await tab.getByRole('heading', { name: 'This sign-in was cancelled in Mail OAuth Assistant' }).waitFor();
  await shot(tab, 'wizard-12-browser-after-cancel');
  await tab.close();

  // Sign in, then again with "Deny": the error stands alone, with one "Sign in again".
  await page.getByRole('button', { name: 'Open the sign-in page in my browser' }).click();
  await loginWithHttp(await bench.host.waitForOpened(opened + 2), { user: 'alice@example.test', deliver: true });
  await page.getByRole('heading', { name: '✓ Signed in' }).waitFor({ timeout: 15000 });
  await page.getByRole('button', { name: 'Sign in again' }).click();
  await loginWithHttp(await bench.host.waitForOpened(opened + 3), { user: 'alice@example.test', deny: 'consent', deliver: true });
  const denied = page.locator('.error-panel');
  await denied.waitFor({ timeout: 15000 });
  assert.equal(await page.getByText('✓ Signed in').count(), 0, 'no green "Signed in" beside the error');
  assert.equal(await page.getByRole('button', { name: 'Sign in again' }).count(), 1, 'one "Sign in again"');
  await shot(page, 'wizard-13-authorize-denied');
  await page.getByRole('button', { name: 'Sign in again' }).click();
  await loginWithHttp(await bench.host.waitForOpened(opened + 4), { user: 'alice@example.test', deliver: true });
  await page.getByRole('heading', { name: '✓ Signed in' }).waitFor({ timeout: 15000 });
  await page.getByRole('button', { name: 'Next: server settings' }).click();

  // Configure: the line says what was found; a lookup that found nothing gets no green check.
  await page.getByText(/^Found IMAP and SMTP\. Nothing is trusted/).waitFor({ timeout: 20000 });
  await page.getByText('How the servers were looked up').click();
  const sources = await page.locator('.source-list li').allInnerTexts();
  assert.ok(sources.some((s) => !/ found/.test(s)), `some lookup found nothing: ${sources.join(' | ')}`);
  for (const s of sources) if (s.trim().startsWith('✓')) assert.match(s, /\d+ found/, `a check only next to a lookup that found something: ${s}`);
  const smtpHost = page.getByLabel('SMTP server', { exact: true });
  await smtpHost.fill('not a host');
  await page.getByRole('button', { name: 'Next: test the connection' }).click();
  const smtpError = await page.locator('.field').filter({ has: smtpHost }).locator('.field-error').innerText();
  assert.match(smtpError, /like smtp\.example\.com/);
  await shot(page, 'wizard-14-configure-found');
  // SMTP pointed at the IMAP port: the test fails, and the account can still be saved.
  await smtpHost.fill(main.smtp.starttls.host);
  await page.getByLabel('SMTP port', { exact: true }).fill(String(main.imap.tls.port));
  await page.getByRole('button', { name: 'Next: test the connection' }).click();
  await page.getByRole('button', { name: 'Run the connection test' }).click();
  await page.getByText('✕ The test found a problem').waitFor({ timeout: 30000 });
  assert.equal(await page.getByRole('button', { name: 'Save and finish' }).isDisabled(), true);
  await checkPage('test-failed');
  await shot(page, 'wizard-15-test-save-anyway');
  await page.getByRole('button', { name: 'Save anyway' }).click();

  // Done: a new setup, so "Set up", with "Add account" current; the failure is said.
  await page.getByRole('heading', { name: 'alice@example.test is saved, but its test failed' }).waitFor();
  assert.equal((await title().innerText()).trim(), 'Set up alice@example.test');
  assert.equal(await navCurrent(), 'Add account');
  assert.match(await page.locator('.summary').innerText(), /SMTP[\s\S]*failed/);
  await shot(page, 'wizard-16-done-with-failure');
  await page.getByRole('button', { name: 'Go to accounts' }).click();

  // Dashboard: the failure shows; the user's Cancel is logged, not as a failure.
  const alice = rowOf('alice@example.test');
  await alice.getByText('✕ Last test failed').waitFor({ timeout: 10000 });
  const cancelled = page.locator('.activity li').filter({ hasText: 'Sign-in for alice@example.test cancelled' });
  await cancelled.waitFor();
  assert.equal(await cancelled.getByLabel('cancelled').count(), 1);
  assert.equal(await cancelled.getByLabel('failed').count(), 0);
  await shot(page, 'wizard-17-dashboard-saved-anyway');
  assert.deepEqual(errors, [], 'no console errors');
});

test('Re-authorize and Edit are titled as such and belong to "Accounts"; a passing test is summed up in words', async () => {
  const main = benchInfo().mail.main;
  await ensureAlice();
  await fresh();
  const alice = rowOf('alice@example.test');
  await alice.getByRole('button', { name: 'Re-authorize' }).click();
  await page.getByRole('heading', { name: /Sign in to Other provider/ }).waitFor();
  await title().getByText('Re-authorize alice@example.test').waitFor();
  assert.equal(await navCurrent(), 'Accounts');
  await shot(page, 'wizard-18-reauthorize');
  await page.getByRole('button', { name: 'Close' }).click();

  await alice.getByRole('button', { name: 'Edit servers' }).click();
  await title().getByText('Edit alice@example.test').waitFor();
  assert.equal(await navCurrent(), 'Accounts');
  await page.getByLabel('SMTP port', { exact: true }).fill(String(main.smtp.starttls.port));
  await page.getByRole('button', { name: 'Next: test the connection' }).click();
  await page.getByRole('button', { name: 'Run the connection test' }).click();
  await page.getByText('✓ Everything works').waitFor({ timeout: 30000 });
  await page.getByRole('button', { name: 'Save and finish' }).click();
  await page.getByRole('heading', { name: 'alice@example.test is ready' }).waitFor();
  await page.getByRole('button', { name: 'Go to accounts' }).click();
  await alice.getByText('✓ Works').waitFor({ timeout: 10000 });
  await page.locator('.activity').getByText(/Connection test: IMAP and SMTP passed in \d+ ms/).first().waitFor();
  assert.equal(await page.getByText(/protocol\(s\)/).count(), 0);
});

test('Copy token in the web host says what works here, in plain words', async () => {
  await ensureAlice();
  await fresh();
  const alice = rowOf('alice@example.test');
  await alice.getByRole('button', { name: 'Copy token' }).click();
  await page.getByRole('dialog', { name: 'Copy an access token?' }).getByRole('button', { name: 'Copy to clipboard' }).click();
  const note = alice.locator('.row-note');
  await note.waitFor();
  const text = await note.innerText();
  assert.doesNotMatch(text, /`/, 'no literal backticks');
  assert.doesNotMatch(text, /npm run cli/, 'no command that cannot reach this host’s tokens');
  if ((await storage()).persisted) assert.match(text, /mail-oauth token alice@example\.test/);
  else assert.match(text, /memory only[\s\S]*desktop app[\s\S]*mail-oauth authorize alice@example\.test/);
  await shot(page, 'wizard-19-copy-token-web-host');
});

test('Configure says when nothing was found instead of "Found these."', async () => {
  const info = benchInfo();
  await fresh();
  await ipc('accounts:save', {
    account: {
      label: 'erin@nothing.test',
      address: 'erin@nothing.test',
      providerId: 'generic',
      auth: { adapter: 'oidc', issuer: info.issuer, clientId: 'native-app', flow: 'delegated', authParams: {} },
      scopes: ['imap', 'smtp', 'openid', 'email', 'offline_access'],
      servers: {},
      status: 'draft',
      wizardStep: 'configure',
    },
  });
  const erin = rowOf('erin@nothing.test');
  await erin.getByRole('button', { name: 'Continue setup' }).click();
  await page.getByText('Nothing was found for nothing.test: enter the servers from your provider’s documentation.').waitFor({ timeout: 20000 });
  assert.equal(await page.getByText('Found these.').count(), 0);
  await shot(page, 'wizard-20-configure-nothing-found');
  await page.getByRole('button', { name: 'Finish later' }).click();
  await erin.waitFor();
  assert.deepEqual(errors, [], 'no console errors');
});
