// "Use in a mail client" on the dashboard, in real Chromium through the web host: the panel shows
// the settings block for three clients with where it goes and the mechanism note; Copy puts
// exactly the block on the clipboard, and the same text sits in a selectable box (what a user of
// the web host's browser copies by hand when the clipboard is refused). The block is the same
// one `mail-oauth client-config` prints (both come from shared/client-settings).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { benchInfo } from '../bench/client.ts';
import { launchChromium, startWebHostProcess, type WebHostProcess } from './helpers.ts';
import { callIpc, horizontalOverflow, openApp, shot, unlabelledControls } from './wizard-helpers.ts';

let host: WebHostProcess;
let browser: Browser;
let page: Page;
let errors: string[];

const ipc = <T>(channel: string, input: unknown): Promise<T> => callIpc<T>(host, channel, input);

let accountId = '';

before(async () => {
  const info = benchInfo();
  const main = info.mail.main;
  host = await startWebHostProcess(['--data-dir', mkdtempSync(join(tmpdir(), 'moa-clients-e2e-')), '--ca-file', info.ca.path]);
  browser = await launchChromium();
  // Seeding only (no sign-in is needed to generate settings); the UI is what is tested.
  ({ id: accountId } = await ipc<{ id: string }>('accounts:save', {
    account: {
      label: 'alice@example.test',
      address: 'alice@example.test',
      providerId: 'generic',
      auth: { adapter: 'oidc', issuer: info.issuer, clientId: 'native-app', flow: 'delegated', authParams: {} },
      scopes: ['imap', 'pop', 'smtp', 'openid', 'email', 'offline_access'],
      servers: {
        imap: { enabled: true, host: 'localhost', port: main.imap.tls.port, security: 'tls' },
        pop: { enabled: true, host: 'localhost', port: main.pop3.tls.port, security: 'tls' },
        smtp: { enabled: true, host: 'localhost', port: main.smtp.starttls.port, security: 'starttls' },
      },
      status: 'ready',
      wizardStep: 'done',
    },
  }));
  ({ page, errors } = await openApp(browser, host));
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(host.openUrl).origin });
});
after(async () => {
  await browser?.close();
  await host?.stop();
});

const CASES = [
  { client: 'neomutt', label: 'NeoMutt', where: /neomuttrc/, line: 'set imap_oauth_refresh_command = "mail-oauth token alice@example.test"', note: /IMAP, POP, SMTP: OAUTHBEARER/ },
  { client: 'msmtp', label: 'msmtp', where: /~\/\.msmtprc/, line: 'passwordeval "mail-oauth token alice@example.test"', note: /SMTP: OAUTHBEARER · msmtp does not do IMAP or POP/ },
  { client: 'mbsync', label: 'mbsync (isync)', where: /~\/\.mbsyncrc/, line: 'AuthMechs XOAUTH2', note: /IMAP: XOAUTH2 · mbsync \(isync\) does not do POP or SMTP/ },
] as const;

test('the panel shows the block for three clients; Copy puts exactly that block on the clipboard', async () => {
  const panel = page.getByRole('region', { name: 'Use in a mail client' });
  await panel.waitFor();
  for (const [i, c] of CASES.entries()) {
    await panel.getByLabel('Mail client').selectOption(c.client);
    const pre = panel.getByLabel(`${c.label} settings`, { exact: true });
    await pre.getByText(c.line, { exact: false }).waitFor();
    const shown = await pre.innerText();
    const expected = await ipc<{ text: string }>('clients:config', { id: accountId, client: c.client });
    assert.equal(shown.trim(), expected.text.trim(), 'the box shows the generated block');
    assert.match(await panel.innerText(), c.where);
    assert.match(await panel.locator('.client-mechanism').innerText(), c.note);

    await panel.getByRole('button', { name: `Copy ${c.label} settings` }).click();
    await panel.getByRole('button', { name: `Copy ${c.label} settings` }).getByText('Copied').waitFor();
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(clip, expected.text, 'the clipboard holds the block, byte for byte');

    // The selectable box: selecting its contents gives the same text (web host without clipboard).
    const selected = await pre.evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      const sel = window.getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
      return sel?.toString() ?? '';
    });
    assert.equal(selected.trim(), expected.text.trim());
    await pre.scrollIntoViewIfNeeded();
    await shot(page, `clients-0${i + 1}-${c.client}`);
  }
  assert.deepEqual(await unlabelledControls(page), []);
  assert.deepEqual(await horizontalOverflow(page), []);
  assert.deepEqual(errors, [], 'no console errors');
});

test('guidance and "not possible" entries read as text, not as a config', async () => {
  const panel = page.getByRole('region', { name: 'Use in a mail client' });
  await panel.getByLabel('Mail client').selectOption('fetchmail');
  await panel.getByText(/Not possible: fetchmail/).waitFor();
  await panel.getByLabel('Mail client').selectOption('thunderbird');
  await panel.getByText(/built-in OAuth covers only the providers it knows/).waitFor();
  await shot(page, 'clients-04-thunderbird-guidance');
});
