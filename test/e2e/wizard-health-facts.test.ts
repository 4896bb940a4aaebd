// The wizard asks what the health rules cannot find out alone (issue 13), in real Chromium: a
// Google account's consent-screen status and its client secret's end date are saved with the
// account; for Microsoft app-only, pasting the Azure CLI script's output fills the IDs and the
// secret's end date and stores the secret, which never shows in the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { eventuallyEqual, launchChromium } from './helpers.ts';
import { callIpc, openApp, shot, startWizardBench, unlabelledControls, type WizardBench } from './wizard-helpers.ts';

let bench: WizardBench;
let browser: Browser;
let page: Page;
let errors: string[];

type Saved = { id: string; address: string; consentStatus?: string; clientSecretExpiresAt?: number; auth: { clientId: string } };
const saved = async (address: string): Promise<Saved> => {
  const list = await callIpc<{ accounts: Saved[] }>(bench.host, 'accounts:list', {});
  const a = list.accounts.find((x) => x.address === address);
  assert.ok(a, `${address} saved`);
  return a;
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

async function start(address: string, provider?: RegExp): Promise<void> {
  await page.reload();
  await page.getByTestId('status-footer').waitFor();
  await page.getByRole('button', { name: /Add (your first )?account/ }).first().click();
  await page.getByLabel('Email address', { exact: true }).fill(address);
  if (provider) await page.getByRole('radio', { name: provider }).check();
}

test('Google: the consent screen status and the secret end date are asked on the register step and saved', async () => {
  await start('erin@gmail.com');
  await page.getByText(/Recognized: Google/).waitFor();
  await page.getByRole('button', { name: 'Next: register the app' }).click();
  await page.getByRole('heading', { name: /Register the assistant with Google/ }).waitFor();
  await page.getByLabel('Client ID', { exact: true }).fill('5678-efg.apps.googleusercontent.com');
  const consent = page.getByLabel('Publishing status of the OAuth consent screen');
  assert.equal(await consent.inputValue(), '', 'not assumed');
  await consent.selectOption('testing');
  await page.getByText(/every sign-in ends after 7 days/).waitFor();
  await page.getByLabel('Client secret expires on (optional)').fill('2027-06-30');
  await page.getByLabel('Client secret', { exact: true }).fill('GOCSPX-erin');
  assert.deepEqual(await unlabelledControls(page), []);
  await page.getByLabel('Publishing status of the OAuth consent screen').scrollIntoViewIfNeeded();
  await shot(page, 'wizard-20-google-consent-status');
  await page.getByRole('button', { name: 'Next: sign in' }).click();
  await page.getByRole('heading', { name: /Sign in to Google/ }).waitFor();
  const a = await saved('erin@gmail.com');
  assert.equal(a.consentStatus, 'testing');
  assert.equal(a.clientSecretExpiresAt, Date.UTC(2027, 5, 30));

  // Back on the register step the answers are there to change.
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('heading', { name: /Register the assistant with Google/ }).waitFor();
  assert.equal(await page.getByLabel('Publishing status of the OAuth consent screen').inputValue(), 'testing');
  assert.equal(await page.getByLabel('Client secret expires on (optional)').inputValue(), '2027-06-30');
  await page.getByLabel('Publishing status of the OAuth consent screen').selectOption('production');
  await page.getByRole('button', { name: 'Next: sign in' }).click();
  await page.getByRole('heading', { name: /Sign in to Google/ }).waitFor();
  // The draft is saved by the wizard's saver (debounced): wait for it, with the e2e hang guard
  // (a fixed 15 s here was the kind of wait that loaded runs exceeded, issue 16).
  await eventuallyEqual(async () => (await saved('erin@gmail.com')).consentStatus, 'production');
});

test('Microsoft app-only: the pasted script output fills the IDs and the secret end date, and stores the secret unseen', async () => {
  const APP = '2b3c4d5e-1234-4abc-9def-0123456789ab';
  const TENANT = '8e4d3c2b-0f9e-4d8c-b7a6-5e4d3c2b1a09';
  const SP = 'bcdef012-2345-4678-9abc-def012345678';
  const SECRET = 'Q8~pasted.secret-value_123';
  await start('robot@contoso.test', /Microsoft 365/);
  await page.getByRole('radio', { name: /An app, no user/ }).check();
  await page.getByRole('button', { name: 'Next: register the app' }).click();
  await page.getByRole('heading', { name: /Register the assistant with Microsoft 365/ }).waitFor();
  await page.getByRole('tab', { name: 'Azure CLI script' }).click();
  const script = await page.locator('.script-panel pre').innerText();
  assert.match(script, /Client secret expires: /, 'the script prints the end date');
  const output = [
    `Client ID: ${APP}`,
    `Tenant ID: ${TENANT}`,
    `Enterprise application object ID: ${SP}`,
    'Client secret expires: 2027-12-02T06:10:33+00:00',
    `Client secret (paste it into the app, then clear this screen): ${SECRET}`,
  ].join('\n');
  // A real paste event with the text on its clipboard data, as Ctrl+V delivers it.
  await page.getByLabel('Paste the script’s output (optional)').evaluate((el, text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, output);
  await page.getByText(/Filled in: client ID, tenant ID, enterprise application object ID, secret end date, client secret\./).waitFor();
  await page.getByText('The client secret is stored.', { exact: false }).waitFor();
  assert.equal(await page.getByLabel('Application (client) ID', { exact: true }).inputValue(), APP);
  assert.equal(await page.getByLabel('Directory (tenant) ID', { exact: true }).inputValue(), TENANT);
  assert.equal(await page.getByLabel('Enterprise application object ID', { exact: true }).inputValue(), SP);
  assert.equal(await page.getByLabel('Client secret expires on (optional)').inputValue(), '2027-12-02');
  await page.getByText('✓ Stored').waitFor();
  const html = await page.content();
  assert.ok(!html.includes(SECRET), 'the secret is nowhere in the page');
  await shot(page, 'wizard-21-ms-script-output-pasted');
  const a = await saved('robot@contoso.test');
  assert.equal(a.auth.clientId, APP);
  assert.equal(a.clientSecretExpiresAt, Date.UTC(2027, 11, 2));
  const state = await callIpc<{ hasClientSecret: boolean }>(bench.host, 'accounts:token-state', { id: a.id });
  assert.equal(state.hasClientSecret, true);
  assert.deepEqual(errors, []);
});
