// Shared by the wizard and dashboard end-to-end tests: a web host wired to the bench (its CA, a
// dnsmasq with SRV records for example.test pointing at the bench's Dovecot, its own data dir),
// a 900x650 page, screenshots, and a check that every form control has a label.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { benchInfo } from '../bench/client.ts';
import { startDnsmasq, type DnsServer } from '../discover/helpers/dnsmasq.ts';
import { artifactPath, startWebHostProcess, type WebHostProcess } from './helpers.ts';

export type WizardBench = { host: WebHostProcess; dns: DnsServer; dataDir: string; stop(): Promise<void> };

/** A ready generic account on the bench (alice's mailbox under any address label), as
 * `accounts:save` takes it: IMAP over TLS and SMTP with STARTTLS (`smtpPort` points SMTP elsewhere). */
export function benchAccountInput(address: string, extra: Record<string, unknown> = {}, o: { smtpPort?: number } = {}): Record<string, unknown> {
  const info = benchInfo();
  const main = info.mail.main;
  return {
    label: address,
    address,
    providerId: 'generic',
    auth: { adapter: 'oidc', issuer: info.issuer, clientId: 'native-app', flow: 'delegated', authParams: {} },
    scopes: ['imap', 'smtp', 'openid', 'email', 'offline_access'],
    servers: {
      imap: { enabled: true, host: main.imap.tls.host, port: main.imap.tls.port, security: 'tls' },
      smtp: { enabled: true, host: main.smtp.starttls.host, port: o.smtpPort ?? main.smtp.starttls.port, security: 'starttls' },
    },
    status: 'ready',
    wizardStep: 'done',
    ...extra,
  };
}

/** Call a channel of a web host directly, as its page would (seeding and reading state in tests;
 * the UI is what the tests drive). Throws the AppError of a refused call. */
export async function callIpc<T>(host: Pick<WebHostProcess, 'openUrl'>, channel: string, input: unknown): Promise<T> {
  const url = new URL(host.openUrl);
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

/** SRV records (RFC 6186) for example.test: IMAP over TLS, POP3 over TLS, submission with STARTTLS. */
export function srvRecords(): string[] {
  const main = benchInfo().mail.main;
  return [
    `--srv-host=_imaps._tcp.example.test,${main.imap.tls.host},${main.imap.tls.port},0,0`,
    `--srv-host=_pop3s._tcp.example.test,${main.pop3.tls.host},${main.pop3.tls.port},0,0`,
    `--srv-host=_submission._tcp.example.test,${main.smtp.starttls.host},${main.smtp.starttls.port},0,0`,
  ];
}

export async function startWizardBench(): Promise<WizardBench> {
  const dns = await startDnsmasq(srvRecords(), ['test']);
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-wizard-'));
  // When the host fails to start, stop dnsmasq too: a running child keeps the test file's process
  // alive, and the failure became a 120 s file timeout on top of it (seen in the loaded runs).
  const host = await startWebHostProcess(['--data-dir', dataDir, '--ca-file', benchInfo().ca.path, '--dns', dns.address]).catch(async (error: unknown) => {
    await dns.stop();
    throw error;
  });
  return {
    host,
    dns,
    dataDir,
    async stop() {
      await host.stop();
      await dns.stop();
    },
  };
}

export async function openApp(browser: Browser, host: WebHostProcess, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 900, height: 650 }, colorScheme });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.openUrl);
  await page.getByTestId('status-footer').waitFor();
  return { page, errors };
}

/** A screenshot into test-artifacts/; `dark` re-renders in the dark theme for one shot. */
export async function shot(page: Page, name: string, opts: { dark?: boolean } = {}): Promise<string> {
  const path = artifactPath(`${name}.png`);
  if (opts.dark) await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path });
  if (opts.dark) await page.emulateMedia({ colorScheme: 'light' });
  return path;
}

/** Form controls without an accessible name (label, aria-label or aria-labelledby). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('input, select, textarea'))) {
      const c = el as HTMLInputElement;
      if (c.type === 'hidden') continue;
      const named = (c.labels?.length ?? 0) > 0 || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby');
      if (!named) out.push(c.outerHTML.slice(0, 120));
    }
    return out;
  });
}

/** Elements wider than the viewport (horizontal overflow at 900 px). */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const width = document.documentElement.clientWidth;
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1) out.push(`${el.tagName.toLowerCase()}.${(el as HTMLElement).className}`.slice(0, 80));
    }
    return out.slice(0, 10);
  });
}
