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
import { benchAccountInput, callIpc, horizontalOverflow, openApp, shot, startWizardBench, unlabelledControls, type WizardBench } from './wizard-helpers.ts';

let bench: WizardBench;
let browser: Browser;
let page: Page;
let errors: string[];

const ipc = <T>(channel: string, input: unknown): Promise<T> => callIpc<T>(bench.host, channel, input);

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
  await page.getByTestId('status-footer').waitFor();
  await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
}
const addAccount = () => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Add account' }).click();

/** `user`: the bench user who signs in (alice unless said; a passing test needs the address's own user). */
type Seed = { status?: 'draft' | 'ready'; step?: string; signIn?: boolean; smtpPort?: number; user?: string };

/** A generic account on the bench (alice's mailbox, any address label), saved through IPC and
 * optionally signed in, so each test starts where its bullet is. */
async function seedAccount(address: string, o: Seed = {}): Promise<string> {
  const list = await ipc<{ accounts: { id: string; address: string }[] }>('accounts:list', {});
  const existing = list.accounts.find((a) => a.address === address);
  const saved = await ipc<{ id: string }>('accounts:save', {
    account: {
      ...(existing ? { id: existing.id } : {}),
      ...benchAccountInput(address, { status: o.status ?? 'ready', wizardStep: o.step ?? 'done' }, o.smtpPort !== undefined ? { smtpPort: o.smtpPort } : {}),
    },
  });
  if (o.signIn) {
    const n = bench.host.opened.length + 1;
    const signIn = ipc('auth:start', { id: saved.id, flow: 'browser' });
    await loginWithHttp(await bench.host.waitForOpened(n), { user: o.user ?? 'alice@example.test', deliver: true });
    await signIn;
  }
  return saved.id;
}

/** alice@example.test, ready and signed in. */
async function ensureAlice(): Promise<void> {
  const list = await ipc<{ accounts: { address: string; status: string; identity?: unknown }[] }>('accounts:list', {});
  const a = list.accounts.find((x) => x.address === 'alice@example.test');
  if (a?.status === 'ready' && a.identity) return;
  await seedAccount('alice@example.test', { signIn: true });
}

/** Opens a seeded draft from its dashboard row ("Continue setup"). */
async function continueSetup(address: string): Promise<void> {
  await fresh();
  await rowOf(address).getByRole('button', { name: 'Continue setup' }).click();
}

const title = () => page.locator('.wizard-title');
const navCurrent = async (): Promise<string> => (await page.locator('.topnav [aria-current="page"]').innerText()).trim();
const rowOf = (address: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: address }) });

async function checkPage(name: string): Promise<void> {
  assert.deepEqual(await unlabelledControls(page), [], `${name}: every control has a label`);
  assert.deepEqual(await horizontalOverflow(page), [], `${name}: nothing overflows 900 px`);
}

// ---- Account step ---------------------------------------------------------------------------

test('the title says "Set up <address>" only once the address is valid', async () => {
  await fresh();
  await addAccount();
  const address = page.getByLabel('Email address', { exact: true });
  await address.fill('alice@@example');
  assert.equal((await title().innerText()).trim(), 'Add a mail account');
  await address.fill('carol@example.test');
  await title().getByText('Set up carol@example.test').waitFor();
});

test('an address typed and then Back leaves no "not saved yet" entry on the dashboard', async () => {
  await fresh();
  await addAccount();
  await page.getByLabel('Email address', { exact: true }).fill('carol@example.test');
  await title().getByText('Set up carol@example.test').waitFor();
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  assert.equal(await page.getByText('not saved yet').count(), 0, 'only drafts that got past the first step are kept');
});

// ---- Register step --------------------------------------------------------------------------

async function googleRegister(address: string): Promise<void> {
  await fresh();
  await addAccount();
  await page.getByLabel('Email address', { exact: true }).fill(address);
  await page.getByText(/Recognized: Google/).waitFor();
  await page.getByRole('button', { name: 'Next: register the app' }).click();
  await page.getByRole('heading', { name: /Register the assistant with Google/ }).waitFor();
  await page.getByLabel('Client ID', { exact: true }).fill('1234-abc.apps.googleusercontent.com');
}

test('a typed but not stored client secret is stored by Next instead of blocking it', async () => {
  await googleRegister('dora@gmail.com');
  await page.getByLabel('Client secret', { exact: true }).fill('GOCSPX-typed-not-stored');
  await page.getByRole('button', { name: 'Next: sign in' }).click();
  await page.getByRole('heading', { name: 'Sign in to Google (Gmail or Google Workspace)' }).waitFor();
  const state = await ipc<{ hasClientSecret: boolean }>('accounts:token-state', { id: await accountId('dora@gmail.com') });
  assert.equal(state.hasClientSecret, true, 'the typed secret was stored');
});

test('the client secret hint and the stored line say how the secret is kept (no OS encryption promised without a keyring)', async () => {
  await googleRegister('fred@gmail.com');
  const kept = await storage();
  const field = page.locator('.field').filter({ has: page.getByLabel('Client secret', { exact: true }) });
  const hint = await field.locator('.hint').innerText();
  if (kept.available) assert.match(hint, /encrypted by the operating system/);
  else assert.doesNotMatch(hint, /encrypted by the operating system/, `no keyring here: "${hint}"`);
  if (!kept.available && !kept.persisted) assert.match(hint, /memory only/);
  await page.getByLabel('Client secret', { exact: true }).fill('GOCSPX-fred');
  await page.getByRole('button', { name: 'Store' }).click();
  const stored = await page.locator('.stored-line').innerText();
  if (!kept.available) assert.doesNotMatch(stored, /encrypted/, `no keyring: "${stored}"`);
  if (!kept.persisted) assert.match(stored, /memory only/);
  // The checklist ticks the ids step the app verified (ids entered, secret stored); Google starts with the project.
  await page.locator('.guide-progress').getByText('1 of 5 done').waitFor();
  const ids = page.locator('.checklist li').filter({ hasText: 'Copy the Client ID and Client secret back here' });
  assert.equal(await ids.getByRole('checkbox').isChecked(), true);
  await page.getByText('Create or pick a Google Cloud project').waitFor();
  await checkPage('register-google');
  await shot(page, 'wizard-10-register-secret-stored-verified');
});

test('the generic guide shows the exact redirect URI and the checklist ticks the ids step once the issuer is verified', async () => {
  const info = benchInfo();
  await fresh();
  await addAccount();
  await page.getByLabel('Email address', { exact: true }).fill('gina@example.test');
  await page.getByText('The provider was not recognized').waitFor();
  await page.getByRole('radio', { name: /Other provider/ }).check();
  await page.getByRole('button', { name: 'Next: register the app' }).click();
  await page.getByRole('heading', { name: /Register the assistant/ }).waitFor();
  await page.getByLabel('Issuer (discovery URL)', { exact: true }).fill(info.discoveryUrl);
  await page.getByLabel('Client ID', { exact: true }).fill('native-app');
  await page.getByLabel('Mail scopes', { exact: true }).fill(`${info.scopes.imap} ${info.scopes.smtp}`);
  await page.getByText(`Found ${info.issuer}`).waitFor();
  await page.locator('.guide-progress').getByText('1 of 3 done').waitFor();
  const redirect = page.locator('.copy-value').filter({ hasText: 'Redirect URI' });
  assert.equal((await redirect.locator('.copy-text').innerText()).trim(), 'http://127.0.0.1/callback');
  await page.getByText(/browser returns to http:\/\/127\.0\.0\.1:<port>\/callback/).waitFor();
  await shot(page, 'wizard-10b-register-generic-verified');
});

// ---- Authorize step -------------------------------------------------------------------------

async function authorizeStep(address: string): Promise<number> {
  await seedAccount(address, { status: 'draft', step: 'authorize' });
  await continueSetup(address);
  await page.getByRole('button', { name: 'Open the sign-in page in my browser' }).waitFor();
  return bench.host.opened.length;
}

test('the waiting screen shows the time waited, when it gives up, and the sign-in page address to copy', async () => {
  const opened = await authorizeStep('hank@example.test');
  await page.getByRole('button', { name: 'Open the sign-in page in my browser' }).click();
  const url = await bench.host.waitForOpened(opened + 1);
  await page.getByText('Waiting for you to sign in in your browser').waitFor();
  await page.getByTestId('auth-elapsed').getByText(/^\d+:\d\d waited · gives up in \d+:\d\d$/).waitFor();
  assert.equal((await page.locator('.auth-url .copy-text').innerText()).trim(), url);
  await checkPage('authorize-waiting');
  await shot(page, 'wizard-11-authorize-waiting');
  await page.getByRole('button', { name: 'Cancel' }).click();
});

test('Cancel in the app, then finishing in the browser, ends on a page that says the sign-in was cancelled', async () => {
  const opened = await authorizeStep('ivan@example.test');
  await page.getByRole('button', { name: 'Open the sign-in page in my browser' }).click();
  const url = await bench.host.waitForOpened(opened + 1);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Open the sign-in page in my browser' }).waitFor();
  const callback = await loginWithHttp(url, { user: 'alice@example.test' });
  const tab = await page.context().newPage();
  try {
    await tab.goto(callback.href);
    await tab.getByRole('heading', { name: 'This sign-in was cancelled in Mail OAuth Assistant' }).waitFor();
    await shot(tab, 'wizard-12-browser-after-cancel');
  } finally {
    await tab.close();
  }
});

test('a user’s Cancel is logged as cancelled, not as a red failure', async () => {
  await authorizeStep('jane@example.test');
  await page.getByRole('button', { name: 'Open the sign-in page in my browser' }).click();
  await page.getByText(/Waiting for you to sign in|Preparing the sign-in page|Starting/).first().waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Finish later' }).click();
  const entry = page.locator('.activity li').filter({ hasText: /Sign-in for jane@example\.test/ });
  await entry.waitFor();
  assert.match(await entry.innerText(), /cancelled/);
  assert.equal(await entry.getByLabel('failed').count(), 0, 'not marked failed');
  assert.equal(await entry.getByLabel('cancelled').count(), 1);
});

test('Deny after an earlier sign-in shows the error alone, with one "Sign in again"', async () => {
  const opened = await authorizeStep('kate@example.test');
  await page.getByRole('button', { name: 'Open the sign-in page in my browser' }).click();
  await loginWithHttp(await bench.host.waitForOpened(opened + 1), { user: 'alice@example.test', deliver: true });
  await page.locator('.auth-result').waitFor(); // signed in (as alice: the bench's mailbox)
  await page.getByRole('button', { name: 'Sign in again' }).click();
  await loginWithHttp(await bench.host.waitForOpened(opened + 2), { user: 'alice@example.test', deny: 'consent', deliver: true });
  await page.locator('.error-panel').waitFor();
  assert.equal(await page.locator('.auth-result, .callout.ok').count(), 0, 'no "Signed in" result beside the error');
  assert.equal(await page.getByRole('button', { name: 'Sign in again' }).count(), 1, 'one "Sign in again"');
  await shot(page, 'wizard-13-authorize-denied');
});

// ---- Configure step -------------------------------------------------------------------------

test('Configure: a lookup that found nothing has no green check; the line names what was found; errors name their protocol', async () => {
  await seedAccount('lena@example.test', { status: 'draft', step: 'configure' });
  await continueSetup('lena@example.test');
  await page.getByRole('heading', { name: 'Server settings' }).waitFor();
  await page.getByText('How the servers were looked up').click();
  await page.locator('.source-list li').first().waitFor();
  const sources = await page.locator('.source-list li').allInnerTexts();
  assert.ok(sources.some((s) => !/ found/.test(s)), `some lookup found nothing: ${sources.join(' | ')}`);
  for (const s of sources) if (s.trim().startsWith('✓')) assert.match(s, /\d+ found/, `a check only next to a lookup that found something: ${s}`);
  await page.getByText(/^Found IMAP and SMTP\. Nothing is trusted/).waitFor();
  const smtpHost = page.getByLabel('SMTP server', { exact: true });
  await smtpHost.fill('not a host');
  await page.getByRole('button', { name: 'Next: test the connection' }).click();
  assert.match(await page.locator('.field').filter({ has: smtpHost }).locator('.field-error').innerText(), /like smtp\.example\.com/);
  await shot(page, 'wizard-14-configure-found');
});

test('Configure says when nothing was found instead of "Found these."', async () => {
  await seedAccount('erin@nothing.test', { status: 'draft', step: 'configure' });
  await continueSetup('erin@nothing.test');
  await page.getByText('Nothing was found for nothing.test: enter the servers from your provider’s documentation.').waitFor();
  assert.equal(await page.getByText('Found these.').count(), 0);
  await shot(page, 'wizard-20-configure-nothing-found');
});

// ---- Test and Done steps --------------------------------------------------------------------

test('a failing protocol offers "Save anyway"; Done says the test failed; the dashboard keeps the failure', async () => {
  const main = benchInfo().mail.main;
  await seedAccount('mia@example.test', { status: 'draft', step: 'test', signIn: true, smtpPort: main.imap.tls.port });
  await continueSetup('mia@example.test');
  await page.getByRole('button', { name: 'Run the connection test' }).click();
  await page.getByText('✕ The test found a problem').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Save and finish' }).isDisabled(), true);
  const saveAnyway = page.getByRole('button', { name: 'Save anyway' });
  await saveAnyway.waitFor();
  await checkPage('test-failed');
  await shot(page, 'wizard-15-test-save-anyway');
  await saveAnyway.click();
  await page.getByRole('heading', { name: 'mia@example.test is saved, but its test failed' }).waitFor();
  assert.match(await page.locator('.summary').innerText(), /SMTP[\s\S]*failed/);
  await shot(page, 'wizard-16-done-with-failure');
  await page.getByRole('button', { name: 'Go to accounts' }).click();
  await rowOf('mia@example.test').getByText('✕ Last test failed').waitFor();
  await shot(page, 'wizard-17-dashboard-saved-anyway');
});

test('the Done page of a new setup is titled "Set up", not "Edit", and "Add account" stays current', async () => {
  // A new setup, resumed at its last step (a draft as the wizard saves it).
  await seedAccount('bob@example.test', { status: 'draft', step: 'test', signIn: true, user: 'bob@example.test' });
  await continueSetup('bob@example.test');
  await page.getByRole('button', { name: 'Run the connection test' }).click();
  await page.getByText('✓ Everything works').waitFor();
  await page.getByRole('button', { name: 'Save and finish' }).click();
  await page.getByRole('heading', { name: 'bob@example.test is ready' }).waitFor();
  // Read once, at once: the page says "ready" only when the store says so (the save used to
  // follow 400 ms later, and a reload meanwhile left the setup "not finished").
  const bob = (await ipc<{ accounts: { address: string; status: string; wizardStep?: string }[] }>('accounts:list', {})).accounts.find((a) => a.address === 'bob@example.test');
  assert.deepEqual([bob?.status, bob?.wizardStep], ['ready', 'done']);
  assert.equal((await title().innerText()).trim(), 'Set up bob@example.test');
  assert.equal(await navCurrent(), 'Add account');
});

// ---- Dashboard ------------------------------------------------------------------------------

test('Re-authorize is titled "Re-authorize <address>" and belongs to "Accounts", not "Add account"', async () => {
  await ensureAlice();
  await fresh();
  await rowOf('alice@example.test').getByRole('button', { name: 'Re-authorize' }).click();
  await page.getByRole('heading', { name: /Sign in to Other provider/ }).waitFor();
  await title().getByText('Re-authorize alice@example.test').waitFor();
  assert.equal(await navCurrent(), 'Accounts');
  await shot(page, 'wizard-18-reauthorize');
});

test('Edit servers highlights "Accounts", not "Add account"', async () => {
  await ensureAlice();
  await fresh();
  await rowOf('alice@example.test').getByRole('button', { name: 'Edit servers' }).click();
  await title().getByText('Edit alice@example.test').waitFor();
  assert.equal(await navCurrent(), 'Accounts');
});

test('a passing test is summed up in words ("IMAP and SMTP passed"), not "All 2 protocol(s)"', async () => {
  await ensureAlice();
  await fresh();
  const alice = rowOf('alice@example.test');
  await alice.getByRole('button', { name: 'Test again' }).click();
  await alice.getByText('✓ Works').waitFor();
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
  assert.deepEqual(errors, [], 'no console errors');
});
