// The dashboard's Bridge section (issue 12) in real Chromium through the web host, with a
// signed-in bench account: ports set (0: any free port, never a fixed one in tests), the bridge
// turned on, a bridge password shown once (copyable, gone from the page after Done and never in a
// status), the settings block naming 127.0.0.1 and the bound port, a real IMAP session through the
// bridge with that password counted live, a port in use explained with the catalog's fix, TLS with
// the certificate to import, and the bridge's events in the activity log. Screenshots in
// test-artifacts/bridge-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { benchInfo, loginWithHttp } from '../bench/client.ts';
import type { BridgeStatus } from '../../shared/bridge.ts';
import { launchChromium, waitForText } from './helpers.ts';
import { benchAccountInput, callIpc, horizontalOverflow, openApp, shot, startWizardBench, unlabelledControls, type WizardBench } from './wizard-helpers.ts';

let bench: WizardBench;
let browser: Browser;
let page: Page;
let errors: string[];
let password = '';

const ipc = <T>(channel: string, input: unknown): Promise<T> => callIpc<T>(bench.host, channel, input);

before(async () => {
  bench = await startWizardBench();
  browser = await launchChromium();
  const ready = await ipc<{ id: string }>('accounts:save', { account: benchAccountInput('alice@example.test') });
  // The account trusts the bench's CA itself (as a user with a company CA does, "Trust a
  // certificate authority"): the bridge connects upstream with the account's CA.
  await ipc('accounts:trust-ca', { id: ready.id, pem: benchInfo().ca.pem });
  const signIn = ipc('auth:start', { id: ready.id, flow: 'browser' });
  await loginWithHttp(await bench.host.waitForOpened(1), { user: 'alice@example.test', deliver: true });
  await signIn;
  ({ page, errors } = await openApp(browser, bench.host));
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(bench.host.openUrl).origin });
});
after(async () => {
  await ipc('bridge:configure', { enabled: false }).catch(() => undefined);
  await browser?.close();
  await bench?.stop();
});

const section = () => page.getByRole('region', { name: 'Bridge' });

/** A plain IMAP client on the bridge: greeting, LOGIN, and lines on demand (no sleeps). */
async function imapLogin(port: number, user: string, pass: string): Promise<{ socket: net.Socket; text: () => string; waitFor(re: RegExp): Promise<void> }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  let text = '';
  const waiters: Array<() => void> = [];
  socket.setEncoding('latin1').on('data', (d: string) => {
    text += d;
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = async (re: RegExp): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!re.test(text)) {
      if (Date.now() > deadline || socket.destroyed) throw new Error(`no ${re} from the bridge: ${JSON.stringify(text.slice(-300))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 500);
      });
    }
  };
  await waitFor(/^\* OK/m);
  socket.write(`a1 LOGIN "${user}" "${pass}"\r\n`);
  await waitFor(/^a1 (OK|NO|BAD)/m);
  return { socket, text: () => text, waitFor };
}

test('turn the bridge on with ports of our choice; the state shows the ports actually bound', async () => {
  const s = section();
  await s.getByText(/Off/).first().waitFor();
  await s.scrollIntoViewIfNeeded();
  await shot(page, 'bridge-01-off');
  // 0 = any free port (a test never takes a fixed one); empty POP3 = that listener off.
  await s.getByLabel('IMAP port').fill('0');
  await s.getByLabel('POP3 port').fill('');
  await s.getByLabel('SMTP port').fill('0');
  await s.getByRole('button', { name: 'Apply ports' }).click();
  await s.getByLabel('Bridge on').check();
  const state = await waitForText(s.getByRole('status'), /On at 127\.0\.0\.1 · IMAP \d+ · SMTP \d+/);
  assert.doesNotMatch(state, /POP3/);
  const status = await ipc<BridgeStatus>('bridge:status', {});
  assert.equal(status.state, 'on');
  assert.ok(status.ports.imap && status.ports.imap > 0);
  assert.equal(status.ports.pop, null);
  assert.match(state, new RegExp(`IMAP ${status.ports.imap}`));
  assert.match(state, /0 sessions open/);
  await page.locator('.activity').getByText(/Bridge on at 127\.0\.0\.1: IMAP \d+, SMTP \d+/).waitFor();
  assert.deepEqual(await unlabelledControls(page), []);
  assert.deepEqual(await horizontalOverflow(page), []);
});

test('a new bridge password is shown once, copyable, and gone from the page after Done', async () => {
  const s = section();
  await s.getByRole('button', { name: 'New bridge password for alice@example.test' }).click();
  const box = s.getByRole('group', { name: 'Bridge password for alice@example.test' });
  await box.waitFor();
  password = (await box.getByLabel('Bridge password', { exact: true }).innerText()).trim();
  assert.ok(password.length >= 16, `a long random password: ${password.length} characters`);
  await box.getByRole('button', { name: 'Copy Bridge password' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), password);
  await box.scrollIntoViewIfNeeded();
  await shot(page, 'bridge-02-password-once');
  await box.getByRole('button', { name: 'Done, hide it' }).click();
  await box.waitFor({ state: 'detached' });
  await s.getByText('· has a bridge password').waitFor();
  assert.ok(!(await page.content()).includes(password), 'the password is nowhere in the page once dismissed');
  assert.ok(!JSON.stringify(await ipc('bridge:status', {})).includes(password), 'no status carries it');
  await page.locator('.activity').getByText(/New bridge password for alice@example\.test/).waitFor();
});

test('the settings block names 127.0.0.1, the bound port, the address and where the password goes', async () => {
  const s = section();
  const { ports } = await ipc<BridgeStatus>('bridge:status', {});
  await s.getByLabel('Mail client', { exact: true }).selectOption('msmtp');
  const block = s.getByLabel('Bridge settings', { exact: true });
  await block.getByText(`port ${ports.smtp}`).waitFor();
  const text = await block.innerText();
  assert.match(text, /^host 127\.0\.0\.1$/m);
  assert.match(text, /^user alice@example\.test$/m);
  assert.match(text, /^password PASTE-THE-BRIDGE-PASSWORD-HERE$/m);
  assert.ok(!text.includes(password));
  await s.getByLabel('Mail client', { exact: true }).selectOption('generic');
  await block.getByText(/Incoming IMAP:/).waitFor();
  assert.match(await block.innerText(), new RegExp(`Port: +${ports.imap}`));
  await block.scrollIntoViewIfNeeded();
  await shot(page, 'bridge-03-settings-block');
});

test('a mail client session with the bridge password is counted live, and ends', async () => {
  const { ports } = await ipc<BridgeStatus>('bridge:status', {});
  const client = await imapLogin(ports.imap ?? 0, 'alice@example.test', password);
  assert.match(client.text(), /^a1 OK/m, client.text());
  try {
    await waitForText(section().getByRole('status'), /1 session open/);
    await page.locator('.activity').getByText(/Bridge: IMAP session for alice@example\.test/).waitFor();
    await section().getByRole('status').scrollIntoViewIfNeeded();
    await shot(page, 'bridge-04-session');
    client.socket.write('a2 LOGOUT\r\n');
    await client.waitFor(/^a2 OK/m);
  } finally {
    client.socket.destroy();
  }
  await waitForText(section().getByRole('status'), /0 sessions open/);

  const wrong = await imapLogin(ports.imap ?? 0, 'alice@example.test', 'not-the-password');
  wrong.socket.destroy();
  assert.match(wrong.text(), /^a1 NO/m);
  await page.locator('.activity li.failed').getByText(/Bridge IMAP: .*Fix: Copy the bridge password again/).waitFor();
});

test('a port in use: the bridge says so with the fix, and loses no setting', async () => {
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    const s = section();
    await s.getByLabel('IMAP port').fill(String(port));
    await s.getByRole('button', { name: 'Apply ports' }).click();
    const alert = s.getByRole('alert').filter({ hasText: 'The bridge port is already in use' });
    await alert.waitFor();
    assert.match(await alert.innerText(), new RegExp(`IMAP port ${port}`));
    assert.match(await alert.innerText(), /Choose another port/);
    await waitForText(s.getByRole('status'), /Not running/);
    const status = await ipc<BridgeStatus>('bridge:status', {});
    assert.equal(status.settings.ports.imap, port, 'the port typed is kept');
    assert.equal(status.error?.code, 'BRIDGE_PORT_IN_USE');
    await page.locator('.activity li.failed').getByText(/Bridge could not start: .*Fix: Choose another port/).waitFor();
    await alert.scrollIntoViewIfNeeded();
    await shot(page, 'bridge-05-port-in-use');
    await s.getByLabel('IMAP port').fill('0');
    await s.getByRole('button', { name: 'Apply ports' }).click();
    await s.getByLabel('Bridge on').check();
    await waitForText(s.getByRole('status'), /On at 127\.0\.0\.1/);
  } finally {
    await new Promise<void>((r) => taken.close(() => r()));
  }
});

test('TLS on: STARTTLS in the block and the certificate to import', async () => {
  const s = section();
  await s.getByLabel('Offer TLS (STARTTLS) to mail clients that insist on it').check();
  await waitForText(s.getByRole('status'), /On at 127\.0\.0\.1 .* · STARTTLS/);
  const cert = s.getByLabel('Bridge certificate', { exact: true });
  await cert.waitFor();
  assert.match(await cert.innerText(), /^-----BEGIN CERTIFICATE-----/);
  await s.getByLabel('Mail client', { exact: true }).selectOption('msmtp');
  await s.getByLabel('Bridge settings', { exact: true }).getByText('tls_starttls on').waitFor();
  assert.match(await s.getByLabel('Bridge settings', { exact: true }).innerText(), /tls_trust_file .*certificate\.pem/);
  await cert.scrollIntoViewIfNeeded();
  await shot(page, 'bridge-06-tls-certificate');
  await shot(page, 'bridge-06-tls-certificate-dark', { dark: true });
  // Off again: the bridge stops and says so.
  await s.getByLabel('Bridge on').uncheck();
  await waitForText(s.getByRole('status'), /Off/);
  assert.equal((await ipc<BridgeStatus>('bridge:status', {})).state, 'off');
  assert.deepEqual(errors, [], 'no console errors');
});
