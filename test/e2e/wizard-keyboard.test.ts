// The wizard without a mouse: tab through step 1 (address, provider radios with the arrow keys,
// protocol checkboxes, Back/Next), submit with Enter, land on the next step's heading; every
// control has a label that getByLabel finds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './helpers.ts';
import { openApp, shot, startWizardBench, unlabelledControls, type WizardBench } from './wizard-helpers.ts';

let bench: WizardBench;
let browser: Browser;
before(async () => {
  bench = await startWizardBench();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await bench?.stop();
});

const focused = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return '';
    const input = el as HTMLInputElement;
    const label = input.labels?.[0]?.innerText ?? el.getAttribute('aria-label') ?? el.innerText ?? '';
    return `${el.tagName.toLowerCase()}${input.type ? `[${input.type}]` : ''}: ${label.replace(/\s+/g, ' ').trim()}`;
  });

async function tabTo(page: Page, pattern: RegExp, max = 25): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    seen.push(f);
    if (pattern.test(f)) return seen;
  }
  throw new Error(`never focused ${pattern}; saw:\n${seen.join('\n')}`);
}

test('step 1 is fully keyboard operable and submits with Enter', async () => {
  const { page, errors } = await openApp(browser, bench.host);
  await tabTo(page, /^button\[button\]: Add account$/);
  await page.keyboard.press('Enter');

  // The address field gets the focus as soon as the step shows (the wizard is its own chunk: wait
  // for the focus to land rather than reading it at once).
  await page.waitForFunction(() => document.activeElement instanceof HTMLInputElement && document.activeElement.type === 'email');
  assert.match(await focused(page), /^input\[email\]: Email address/);
  await page.keyboard.type('carol@example.test');

  // Tab order: address -> provider radios -> protocols -> shared mailbox -> Back -> Next.
  await page.keyboard.press('Tab');
  assert.match(await focused(page), /^input\[radio\]: Microsoft 365/);
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
  assert.match(await focused(page), /^input\[radio\]: Other provider/);
  assert.ok(await page.getByRole('radio', { name: /Other provider/ }).isChecked(), 'arrow keys select the provider');
  const order = await tabTo(page, /^button\[submit\]: Next: register the app$/);
  const expected = [
    /^input\[checkbox\]: IMAP/,
    /^input\[checkbox\]: POP/,
    /^input\[checkbox\]: SMTP/,
    /^input\[checkbox\]: This is a shared mailbox/,
    /^button\[button\]: Back$/,
    /^button\[submit\]: Next/,
  ];
  assert.equal(order.length, expected.length, `tab order: ${order.join(' | ')}`);
  order.forEach((o, i) => assert.match(o, expected[i] as RegExp));
  // Space toggles a protocol.
  await page.keyboard.down('Shift');
  for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
  await page.keyboard.up('Shift');
  assert.match(await focused(page), /^input\[checkbox\]: POP/);
  await page.keyboard.press('Space');
  assert.ok(await page.getByRole('checkbox', { name: /POP/ }).isChecked());

  assert.deepEqual(await unlabelledControls(page), []);
  for (const label of ['Email address']) await page.getByLabel(label, { exact: true }).waitFor();
  await shot(page, 'wizard-kbd-01-account-focus');

  // Enter in the address field submits the step.
  await page.getByLabel('Email address', { exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /Register the assistant with Other provider/ }).waitFor();
  assert.match(await focused(page), /^h2/, 'focus moves to the new step’s heading');
  assert.deepEqual(await unlabelledControls(page), []);
  for (const label of ['Issuer (discovery URL)', 'Client ID', 'Mail scopes', 'Client secret (optional)']) {
    await page.getByLabel(label, { exact: true }).waitFor();
  }
  // Enter on the register step with nothing filled in says what to do instead of moving on.
  await page.getByLabel('Client ID', { exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.getByText('Paste the client ID from the registration.').waitFor();
  await page.getByText('Enter the scope(s) your provider’s mail servers require.').waitFor();
  await shot(page, 'wizard-kbd-02-register-errors');
  assert.deepEqual(errors, []);
});
