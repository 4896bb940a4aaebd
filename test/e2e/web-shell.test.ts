// The real renderer in real Chromium through the development web host: one IPC round trip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { artifactPath, launchChromium, startWebHostProcess, type WebHostProcess } from './helpers.ts';

let host: WebHostProcess;
let browser: Browser;
before(async () => {
  host = await startWebHostProcess();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await host?.stop();
});

test('the app shell loads, talks to the main-process handlers and keeps the secret out of the URL', async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 650 } });
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(host.openUrl);
  const footer = page.getByTestId('status-footer');
  await footer.waitFor();
  // The footer's content comes from the app:info handler through the IPC contract.
  assert.match(await footer.innerText(), /web host/);
  assert.match(await footer.innerText(), /No OS encryption: tokens kept in memory only/);
  assert.equal(new URL(page.url()).hash, '', 'the secret must be removed from the address bar');
  const shot = artifactPath('foundation-shell.png');
  await page.screenshot({ path: shot });
  assert.ok(existsSync(shot));
  assert.deepEqual(consoleErrors, [], 'no console errors (CSP violations show up here)');
});

test('a page without the secret gets no data from the app', async () => {
  const page = await browser.newPage();
  await page.goto(host.openUrl.replace(/#.*/, ''));
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /untrusted page refused/i);
});

test('without a keyring the user can explicitly keep tokens on disk, after a warning', async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 650 } });
  await page.goto(host.openUrl);
  const footer = page.getByTestId('status-footer');
  await footer.getByText('No OS encryption: tokens kept in memory only').waitFor();
  await footer.getByRole('button', { name: 'Keep them on disk…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Keep tokens on disk without OS encryption?' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /anyone who can read your files can use your mailbox/);
  await page.screenshot({ path: artifactPath('foundation-keep-secrets-warning.png') });
  // Cancel changes nothing.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.match(await footer.innerText(), /kept in memory only/);
  await footer.getByRole('button', { name: 'Keep them on disk…' }).click();
  await dialog.getByRole('button', { name: 'Keep them on disk' }).click();
  await footer.getByText('Tokens stored on disk without OS encryption (your choice)').waitFor();
});
