// The health banner in real Chromium against the bench (issue 13): a signed-in account is ok (no
// banner); after its connection test fails the banner names the account, the cause and the fix
// button; the button opens the wizard where that fix is made; a passing test clears the banner.
// The failure is a refused connection (a port nothing listens on), which the catalog marks
// temporary (a server restarting refuses too): the account "needs attention", it is not broken.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { benchInfo, loginWithHttp } from '../bench/client.ts';
import { describe as diagnosis } from '../../shared/diagnostics.ts';
import type { HealthList } from '../../shared/health.ts';
import { launchChromium } from './helpers.ts';
import { callIpc, openApp, shot, startWizardBench, type WizardBench } from './wizard-helpers.ts';

let bench: WizardBench;
let browser: Browser;
let page: Page;
let errors: string[];

const ipc = <T>(channel: string, input: unknown): Promise<T> => callIpc<T>(bench.host, channel, input);

/** A loopback port nothing listens on (bound by the OS, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function accountInput(imapPort: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const info = benchInfo();
  const main = info.mail.main;
  return {
    label: 'alice@example.test',
    address: 'alice@example.test',
    providerId: 'generic',
    auth: { adapter: 'oidc', issuer: info.issuer, clientId: 'native-app', flow: 'delegated', authParams: {} },
    scopes: ['imap', 'openid', 'email', 'offline_access'],
    servers: { imap: { enabled: true, host: main.imap.tls.host, port: imapPort, security: 'tls' } },
    status: 'ready',
    wizardStep: 'done',
    ...extra,
  };
}

let id = '';

before(async () => {
  bench = await startWizardBench();
  browser = await launchChromium();
  // Signed in, but its IMAP server setting points at a port where nothing listens.
  const saved = await ipc<{ id: string }>('accounts:save', { account: accountInput(await closedPort()) });
  id = saved.id;
  const signIn = ipc('auth:start', { id, flow: 'browser' });
  await loginWithHttp(await bench.host.waitForOpened(1), { user: 'alice@example.test', deliver: true });
  await signIn;
  ({ page, errors } = await openApp(browser, bench.host));
});
after(async () => {
  await browser?.close();
  await bench?.stop();
});

const banner = () => page.getByRole('status').filter({ has: page.locator('.health-item') });
const row = () => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'alice@example.test' }) });

test('a failed connection test raises the banner with its cause and fix button; a passing one clears it', async () => {
  await row().getByText(/Token valid until/).waitFor();
  assert.equal(await page.locator('.health-banner').count(), 0, 'a signed-in, untested account is ok');
  const before = await ipc<HealthList>('health:list', {});
  assert.equal(before.accounts[0]?.level, 'ok');

  await row().getByRole('button', { name: 'Test again' }).click();
  await banner().waitFor();
  const text = await banner().innerText();
  assert.match(text, /alice@example\.test: needs attention\./);
  assert.match(text, new RegExp(`The last connection test failed: ${diagnosis('CONNECTION_REFUSED').title}`));
  assert.match(text, /CONNECTION_REFUSED/);
  const fixButton = banner().getByRole('button', { name: 'Edit servers' });
  await fixButton.waitFor();
  const after = await ipc<HealthList>('health:list', {});
  assert.deepEqual(
    after.accounts.map((h) => [h.level, h.reasons[0]?.cause, h.reasons[0]?.code]),
    [['attention', 'test-failed', 'CONNECTION_REFUSED']],
  );
  await shot(page, 'health-01-banner-attention');
  await shot(page, 'health-01-banner-attention-dark', { dark: true });

  // The button opens the wizard at the step that fixes it.
  await fixButton.click();
  await page.getByRole('heading', { name: 'Server settings' }).waitFor();
  await shot(page, 'health-02-fix-opens-server-settings');

  // Fixed there (the right port), as the user does it, then tested again from the dashboard: the
  // banner goes away. Not by saving the account behind the open wizard: the wizard saves its draft
  // as it goes (on opening, and when the server lookup fills the other protocols), so a save of
  // its stale copy could land after the test's and put the closed port back; the test then failed
  // with "✕ Last test failed" after the 120 s guard under load (issue 16).
  await page.getByLabel('IMAP port', { exact: true }).fill(String(benchInfo().mail.main.imap.tls.port));
  // Close saves what is pending, then shows the accounts.
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await page.getByRole('heading', { name: 'Accounts' }).waitFor();
  const saved = await ipc<{ accounts: Array<{ servers: { imap?: { port: number } } }> }>('accounts:list', {});
  assert.equal(saved.accounts[0]?.servers.imap?.port, benchInfo().mail.main.imap.tls.port, 'the wizard saved the fixed port');
  await row().getByRole('button', { name: 'Test again' }).click();
  await row().getByText('✓ Works').waitFor();
  await page.locator('.health-banner').waitFor({ state: 'detached' });
  assert.equal((await ipc<HealthList>('health:list', {})).accounts[0]?.level, 'ok');
  assert.deepEqual(errors, []);
});
