// The background schedule seen in real Chromium (issue 13): the web host runs the scheduler with
// its timings shortened (MAIL_OAUTH_SCHEDULE_MS); the user switches automatic tests on in the
// dashboard; a scheduled test passes and shows in the account's timeline; the mail server then
// refuses connections, the next scheduled test fails, and the banner and the timeline say so
// without anyone pressing a button. Screenshots: test-artifacts/health-1*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { benchInfo, loginWithHttp } from '../bench/client.ts';
import type { HealthList, HistoryEntry } from '../../shared/health.ts';
import { describe as diagnosis } from '../../shared/diagnostics.ts';
import { eventuallyEqual, launchChromium, startWebHostProcess, waitForText, type WebHostProcess } from './helpers.ts';
import { benchAccountInput, callIpc, openApp, shot, unlabelledControls } from './wizard-helpers.ts';

let host: WebHostProcess;
let browser: Browser;
let page: Page;
let errors: string[];
let id = '';

const ipc = <T>(channel: string, input: unknown): Promise<T> => callIpc<T>(host, channel, input);

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** IMAP only (the bench's TLS port, or another): one protocol keeps each scheduled test short. */
const input = (imapPort: number): Record<string, unknown> => {
  const a = benchAccountInput('alice@example.test');
  const main = benchInfo().mail.main;
  return { ...a, scopes: ['imap', 'openid', 'email', 'offline_access'], servers: { imap: { enabled: true, host: main.imap.tls.host, port: imapPort, security: 'tls' } } };
};

before(async () => {
  // A scheduled test every 3 s (the "hourly" choice), retries after 1 s, overdue work spread
  // over 300 ms, the clock looked at every 200 ms.
  host = await startWebHostProcess(['--ca-file', benchInfo().ca.path], { MAIL_OAUTH_SCHEDULE_MS: 'tick=200,hourly=3000,spread=300,backoff=1000' });
  browser = await launchChromium();
  id = (await ipc<{ id: string }>('accounts:save', { account: input(benchInfo().mail.main.imap.tls.port) })).id;
  const signIn = ipc('auth:start', { id, flow: 'browser' });
  await loginWithHttp(await host.waitForOpened(1), { user: 'alice@example.test', deliver: true });
  await signIn;
  ({ page, errors } = await openApp(browser, host));
});
after(async () => {
  await browser?.close();
  await host?.stop();
});

const row = () => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'alice@example.test' }) });
const timeline = () => row().getByTestId('account-timeline');

test('automatic tests switched on in the dashboard: a pass, then a scheduled failure raises the banner and shows in the timeline', async () => {
  await row().getByText(/Token valid until/).waitFor();
  await waitForText(timeline(), /no tests or renewals yet/);
  const schedule = page.getByLabel('Test accounts automatically');
  assert.equal(await schedule.inputValue(), 'off', 'off until the user chooses');
  await schedule.selectOption('hourly');
  // The choice is saved by its own call after the select changed: wait for it (reading at once
  // raced it and saw 'off' in a CI check).
  await eventuallyEqual(() => ipc('health:schedule', {}), { test: 'hourly' });

  await waitForText(timeline(), /Connection test \(scheduled\) passed/);
  // (No banner check here: the next scheduled test, 3 s later, may already be running, and on a
  // loaded machine it can time out; health-banner.test.ts covers "a pass raises nothing".)
  assert.deepEqual(await unlabelledControls(page), []);
  await shot(page, 'health-10-timeline-scheduled-pass');

  // The server goes away (here: the account now points at a port nobody listens on).
  await ipc('accounts:save', { account: { ...input(await closedPort()), id } });
  // Broken, or attention where the catalog counts a refused connection as temporary.
  const level = diagnosis('CONNECTION_REFUSED').temporary === true ? 'attention' : 'broken';
  const banner = page.getByRole(level === 'broken' ? 'alert' : 'status').filter({ has: page.locator('.health-item') });
  await banner.waitFor();
  assert.match(await banner.innerText(), new RegExp(`alice@example\\.test: ${level === 'broken' ? 'not working' : 'needs attention'}\\..*CONNECTION_REFUSED`, 's'));
  await waitForText(timeline(), /Connection test \(scheduled\) failed \(CONNECTION_REFUSED\)/);
  await row().getByText('✕ Last test failed').waitFor();
  const dots = timeline().locator('.dot');
  assert.ok((await dots.count()) >= 2);
  assert.equal(await dots.last().getAttribute('class'), 'dot bad test');
  assert.match((await dots.last().getAttribute('title')) ?? '', /Connection test \(scheduled\) failed: .* \(CONNECTION_REFUSED\)/);
  await shot(page, 'health-11-timeline-scheduled-failure');
  await shot(page, 'health-11-timeline-scheduled-failure-dark', { dark: true });

  const history = (await ipc<{ entries: HistoryEntry[] }>('health:history', { id })).entries;
  assert.ok(history.some((e) => e.by === 'schedule' && e.kind === 'test' && e.ok));
  assert.ok(history.some((e) => e.by === 'schedule' && e.kind === 'test' && !e.ok && e.code === 'CONNECTION_REFUSED'));
  const health = await ipc<HealthList>('health:list', {});
  assert.deepEqual(health.accounts.map((h) => [h.level, h.reasons[0]?.cause]), [[level, 'test-failed']]);

  // Off again: no more scheduled tests are added.
  await schedule.selectOption('off');
  await eventuallyEqual(() => ipc('health:schedule', {}), { test: 'off' }); // the same race: it saw 'hourly' in CI

  assert.deepEqual(errors, []);
});
