// The Microsoft register step in real Chromium (no Microsoft servers here): portal checklist,
// one-paste scripts with only the chosen protocols' permissions, app-only with the Exchange
// PowerShell filled with the user's ids, format checks as typed, and the tenant check saying
// honestly when it could not be done.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { DELEGATED_PERMISSIONS } from '../../shared/registration-scripts.ts';
import { launchChromium } from './helpers.ts';
import { horizontalOverflow, openApp, shot, startWizardBench, unlabelledControls, type WizardBench } from './wizard-helpers.ts';

let bench: WizardBench;
let browser: Browser;
let page: Page;
before(async () => {
  bench = await startWizardBench();
  browser = await launchChromium();
  ({ page } = await openApp(browser, bench.host));
});
after(async () => {
  await browser?.close();
  await bench?.stop();
});

const TENANT = '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09';
const APP = '1a2b3c4d-1234-4abc-9def-0123456789ab';
const SP = 'abcdef01-2345-4678-9abc-def012345678';

test('Microsoft 365 delegated: checklist, scripts with exactly the chosen permissions, GUID checks', async () => {
  await page.getByRole('button', { name: 'Add your first account' }).click();
  await page.getByLabel('Email address', { exact: true }).fill('scanner@contoso.test');
  await page.getByRole('radio', { name: /Microsoft 365/ }).check();
  await page.getByRole('button', { name: 'Next: register the app' }).click();
  await page.getByRole('heading', { name: /Register the assistant with Microsoft 365/ }).waitFor();
  await page.getByRole('checkbox', { name: /Open App registrations/ }).check();
  await page.getByText('1 of 6 done').waitFor();
  assert.deepEqual(await unlabelledControls(page), []);
  assert.deepEqual(await horizontalOverflow(page), []);
  await shot(page, 'wizard-ms-01-register-portal');

  await page.getByLabel('Application (client) ID', { exact: true }).fill('not-a-guid');
  await page.getByText(/The Application \(client\) ID is a GUID/).waitFor();
  await page.getByLabel('Application (client) ID', { exact: true }).fill(APP);
  await page.getByLabel('Directory (tenant) ID', { exact: true }).fill(TENANT);

  await page.getByRole('tab', { name: 'Azure CLI script' }).click();
  const az = await page.locator('.code-block pre').innerText();
  assert.match(az, /--sign-in-audience AzureADMyOrg/);
  for (const p of ['imap', 'smtp', 'offline_access'] as const) assert.ok(az.includes(DELEGATED_PERMISSIONS[p].id), p);
  assert.ok(!az.includes(DELEGATED_PERMISSIONS.pop.id), 'POP is off: no POP permission');
  await shot(page, 'wizard-ms-02-register-azure-cli');
  await page.keyboard.press('ArrowRight');
  await page.getByRole('tab', { name: 'Graph PowerShell script', selected: true }).waitFor();
  assert.match(await page.locator('.code-block pre').innerText(), /New-MgApplication/);
  await shot(page, 'wizard-ms-03-register-graph-powershell-dark', { dark: true });
});

test('Microsoft 365 app-only: secret, enterprise object id, and the Exchange PowerShell with the user’s ids', async () => {
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('radio', { name: /An app, no user/ }).check();
  await page.getByRole('button', { name: 'Next: register the app' }).click();
  await page.getByLabel('Directory (tenant) ID', { exact: true }).fill(TENANT);
  await page.getByLabel('Application (client) ID', { exact: true }).fill(APP);
  await page.getByLabel('Enterprise application object ID', { exact: true }).fill(SP);
  const secret = page.getByLabel('Client secret', { exact: true });
  await secret.fill('s3cr3t-value-for-test');
  await page.getByRole('button', { name: 'Store', exact: true }).click();
  await page.getByText('✓ Stored').waitFor();
  const ps = await page.locator('.exchange-ps pre').innerText();
  assert.match(ps, new RegExp(`New-ServicePrincipal -AppId '${APP}' -ObjectId '${SP}'`));
  assert.match(ps, /Add-MailboxPermission -Identity 'scanner@contoso\.test'/);
  assert.match(ps, /Set-CASMailbox -Identity 'scanner@contoso\.test' -SmtpClientAuthenticationDisabled \$false/);
  // The tenant lookup cannot reach Microsoft here: it says so and lets the user continue.
  await page.getByText(/Could not confirm the tenant|Found https:\/\/login\.microsoftonline\.com/).waitFor();
  assert.deepEqual(await unlabelledControls(page), []);
  await shot(page, 'wizard-ms-04-register-app-only');
  await page.locator('.exchange-ps').scrollIntoViewIfNeeded();
  await shot(page, 'wizard-ms-05-exchange-powershell');
  await page.getByRole('button', { name: 'Next: sign in' }).click();
  await page.getByRole('button', { name: 'Get a token' }).waitFor();
  await shot(page, 'wizard-ms-06-authorize-app-only');
});
