// Shared by the end-to-end tests: the development web host as a child process (the real
// `npm run dev:web` entry) and Debian's Chromium driven by playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AssertionError } from 'node:assert';
import { chromium, type Browser, type Locator } from 'playwright-core';

export const root = join(import.meta.dirname, '..', '..');

/**
 * How long an e2e test waits for a state before it fails: a hang guard, not a speed check (speed
 * is `npm run bench*`). Fixed 10-30 s waits failed by chance in the loaded runs of issue 16 (load
 * 60-90 on 2 cores: a one-click test took longer than 30 s to show "✓ Works"). Every page and
 * context from launchChromium() has it as Playwright's default, so tests wait without a number.
 */
export const WAIT_MS = Number(process.env.MOA_E2E_WAIT_MS ?? 120_000);
export const artifacts = join(root, 'test-artifacts');

export type WebHostProcess = {
  openUrl: string;
  /** URLs the app asked the "system browser" to open, in order. */
  opened: string[];
  output: string[];
  waitForOpened(count: number, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
};

export async function startWebHostProcess(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<WebHostProcess> {
  if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) {
    throw new Error('The renderer is not built: run `npm run build` (npm test does it first).');
  }
  // Never the user's own data directory: a fresh one per host unless the test brings its own.
  const dataDir = extraArgs.includes('--data-dir') ? [] : ['--data-dir', mkdtempSync(join(tmpdir(), 'moa-webhost-'))];
  const child: ChildProcess = spawn(process.execPath, [join(root, 'electron', 'web-host', 'main.ts'), '--port', '0', ...dataDir, ...extraArgs], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const opened: string[] = [];
  const output: string[] = [];
  const waiters: Array<() => void> = [];
  let openUrl = '';
  const ready = new Promise<void>((resolve, reject) => {
    // A guard against a host that never says it is ready, not a speed check: it waits for the
    // "web host:" line or the exit. 15 s was exceeded on a loaded 2-core machine (the host
    // type-strips and loads the whole core first), failing e2e files by chance.
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started host running after the test gave up on it
      reject(new Error(`web host did not start within 90 s:\n${output.join('\n')}`));
    }, 90_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web host exited with ${code}:\n${output.join('\n')}`));
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        const host = /web host: (http:\/\/127\.0\.0\.1:\d+\/#secret=[\w-]+)/.exec(line);
        if (host?.[1]) {
          openUrl = host[1];
          clearTimeout(timer);
          resolve();
        }
        const open = /^Open in your browser: (\S+)/.exec(line);
        if (open?.[1]) {
          opened.push(open[1]);
          for (const w of waiters.splice(0)) w();
        }
      });
    }
  });
  await ready;
  return {
    openUrl,
    opened,
    output,
    async waitForOpened(count, timeoutMs = WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (opened.length < count) {
        if (Date.now() > deadline) throw new Error(`the app opened ${opened.length} browser page(s), expected ${count}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
      return opened[count - 1] as string;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath} (apt-get install chromium)`);
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
    // playwright gives every launch a fresh temporary profile (--user-data-dir).
    headless: true,
  });
  // Every context (and so every page) waits WAIT_MS by default instead of Playwright's 30 s.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(WAIT_MS);
    return context;
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (options) => {
    const page = await newPage(options);
    page.setDefaultTimeout(WAIT_MS);
    return page;
  };
  return browser;
}

export function artifactPath(name: string): string {
  mkdirSync(artifacts, { recursive: true });
  return join(artifacts, name);
}

/**
 * Waits until the element's text matches, then returns that text. For anything that arrives by its
 * own call after the element appears (a row's token state, a summary filled in later): reading
 * innerText() at once races the renderer. On timeout it fails like assert.match, showing the text
 * the element had.
 */
export async function waitForText(locator: Locator, pattern: RegExp, timeoutMs = WAIT_MS): Promise<string> {
  try {
    await locator.filter({ hasText: pattern }).first().waitFor({ timeout: timeoutMs });
  } catch {
    const actual = await locator
      .first()
      .innerText({ timeout: 1000 })
      .catch(() => '(element not found)');
    throw new AssertionError({ message: `No text matching ${pattern} within ${timeoutMs} ms. Text: ${JSON.stringify(actual)}`, actual, expected: pattern, operator: 'match', stackStartFn: waitForText });
  }
  return locator.first().innerText();
}
