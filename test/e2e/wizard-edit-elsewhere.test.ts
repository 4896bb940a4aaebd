// The wizard open on a saved account while the same account is changed in a terminal (the real
// `mail-oauth edit`, same data dir as the web host), in real Chromium: the wizard's copy never
// undoes that change. It saves nothing on opening, keeps what it does not edit (the name given
// with --name, which mail clients' helper lines use), and a save of an older copy is refused with
// the choice to load the saved version or keep one's own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../cli/cli-helpers.ts';
import { eventuallyEqual, launchChromium } from './helpers.ts';
import { benchAccountInput, callIpc, openApp, shot, startWizardBench, type WizardBench } from './wizard-helpers.ts';

let bench: WizardBench;
let browser: Browser;
let page: Page;
let errors: string[];

const ipc = <T>(channel: string, input: unknown): Promise<T> => callIpc<T>(bench.host, channel, input);

type Saved = { id: string; label: string; updatedAt: number; servers: { imap?: { host: string; port: number } } };
const saved = async (): Promise<Saved> => {
  const list = await ipc<{ accounts: Saved[] }>('accounts:list', {});
  const a = list.accounts.find((x) => x.id === id);
  assert.ok(a, 'the account is still saved');
  return a;
};
const imapOf = async (): Promise<[string | undefined, number | undefined, string]> => {
  const a = await saved();
  return [a.servers.imap?.host, a.servers.imap?.port, a.label];
};

/** `mail-oauth edit work …` in a terminal, on the web host's data dir (no keyring here: an edit of
 * servers needs none). */
async function cliEdit(...changes: string[]): Promise<void> {
  const env: NodeJS.ProcessEnv = { DBUS_SESSION_BUS_ADDRESS: '' };
  const r = await runCli(['edit', 'work', ...changes, '--data-dir', bench.dataDir], { env });
  assert.equal(r.code, 0, r.stderr);
}

let id = '';
let imapHost = '';
let imapPort = 0;

before(async () => {
  bench = await startWizardBench();
  browser = await launchChromium();
  ({ page, errors } = await openApp(browser, bench.host));
  const input = benchAccountInput('alice@example.test', { label: 'work' });
  const imap = (input.servers as { imap: { host: string; port: number } }).imap;
  imapHost = imap.host;
  imapPort = imap.port;
  id = (await ipc<Saved>('accounts:save', { account: input })).id;
});
after(async () => {
  await browser?.close();
  await bench?.stop();
});

const title = () => page.locator('.wizard-title');
const alert = () => page.getByRole('alert').filter({ hasText: 'This account was changed elsewhere' });
const portField = () => page.getByLabel('IMAP port', { exact: true });
const hostField = () => page.getByLabel('IMAP server', { exact: true });

async function openEdit(): Promise<void> {
  await page.reload();
  await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  const row = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'alice@example.test' }) });
  await row.getByRole('button', { name: 'Edit servers' }).click();
  await title().getByText('Edit alice@example.test').waitFor();
  await portField().waitFor();
}

test('a terminal edit while the wizard is open: the older copy is refused, "Load the saved version" shows the edit', async () => {
  await openEdit();
  const opened = (await saved()).updatedAt;
  // In a terminal, meanwhile: another IMAP port. Opening the wizard wrote nothing over it, and
  // the name given with --name is untouched.
  await cliEdit('--imap', `${imapHost}:${imapPort + 1}:tls`);
  assert.deepEqual(await imapOf(), [imapHost, imapPort + 1, 'work']);
  assert.ok((await saved()).updatedAt > opened);

  // The user, still on their older copy, changes the host: refused, said so, nothing written.
  await hostField().fill('imap.example.test');
  await alert().waitFor();
  await page.getByRole('status').filter({ hasText: 'Not saved: This account was changed elsewhere' }).waitFor();
  assert.deepEqual(await imapOf(), [imapHost, imapPort + 1, 'work'], "the terminal's edit is still what is saved");
  await shot(page, 'wizard-edit-elsewhere');
  // Closing now would drop the user's edit unasked: the wizard stays, with the choice.
  await page.getByRole('button', { name: 'Close' }).click();
  await alert().waitFor();
  await title().getByText('Edit alice@example.test').waitFor();

  await alert().getByRole('button', { name: 'Load the saved version' }).click();
  await alert().waitFor({ state: 'detached' });
  assert.equal(await portField().inputValue(), String(imapPort + 1));
  assert.equal(await hostField().inputValue(), imapHost);
  // Edits from the loaded version are saved again, the name kept.
  await portField().fill(String(imapPort + 2));
  await eventuallyEqual(imapOf, [imapHost, imapPort + 2, 'work']);
  assert.deepEqual(errors, []);
});

test('"Keep my version" saves the wizard\'s copy over the terminal\'s edit, and the name stays', async () => {
  await openEdit();
  await cliEdit('--imap', `${imapHost}:${imapPort + 3}:tls`);
  await portField().fill(String(imapPort));
  await alert().waitFor();
  assert.deepEqual(await imapOf(), [imapHost, imapPort + 3, 'work']);
  await alert().getByRole('button', { name: 'Keep my version' }).click();
  await alert().waitFor({ state: 'detached' });
  await eventuallyEqual(imapOf, [imapHost, imapPort, 'work']);
  await page.getByRole('status').filter({ hasText: 'Saved as you go' }).waitFor();
  // And the wizard goes on from the version it just saved: the next edit is not refused.
  await portField().fill(String(imapPort + 4));
  await eventuallyEqual(imapOf, [imapHost, imapPort + 4, 'work']);
  assert.equal(await alert().count(), 0);
  assert.deepEqual(errors, []);
});
