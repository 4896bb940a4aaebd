// Shared by the end-to-end tests: the development web host as a child process (the real
// `npm run dev:web` entry) and Debian's Chromium driven by playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AssertionError } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import { afterEach } from 'node:test';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

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
  // Every context (and so every page) waits WAIT_MS by default instead of Playwright's 30 s, and
  // its pages are kept for the failure capture below.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(WAIT_MS);
    context.on('page', (p) => {
      openPages.add(p);
      p.once('close', () => openPages.delete(p));
    });
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

/** The pages of every browser from launchChromium() that are still open. */
const openPages = new Set<Page>();

/**
 * A failed test leaves what its pages showed: a screenshot and the page's text in
 * test-artifacts/failures/, and the text on stderr (so a CI log alone says what the screen said
 * when a wait ran out). Registered for every test file that imports these helpers; it does
 * nothing in a file without pages or for a test that passed.
 */
afterEach(async (t) => {
  // `passed` is there since Node 21.7 / 20.12, not yet in @types/node's TestContext.
  if ((t as { passed?: boolean }).passed !== false || openPages.size === 0) return;
  const slug = `${t.name.replace(/[^\w-]+/g, '-').slice(0, 80)}-${Date.now().toString(36)}`;
  let n = 0;
  for (const p of openPages) {
    const base = artifactPath(join('failures', `${slug}-${++n}`));
    const text = await p
      .locator('body')
      .innerText({ timeout: 5000 })
      .catch((e: unknown) => `(page text not readable: ${String(e)})`);
    const error = (t as { error?: unknown }).error;
    const why = error instanceof Error ? error.message : String(error);
    writeFileSync(`${base}.txt`, `${why}\n\n${p.url().replace(/#.*/, '#…')}\n\n${text}\n`);
    await p.screenshot({ path: `${base}.png`, fullPage: true, timeout: 10_000 }).catch(() => undefined);
    console.error(`failed test "${t.name}": page ${n} showed (saved as ${base}.png/.txt):\n${text.slice(0, 4000)}`);
  }
});

export function artifactPath(name: string): string {
  const path = join(artifacts, name);
  mkdirSync(join(path, '..'), { recursive: true });
  return path;
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

/**
 * Reads until the value deep-equals `expected`, then returns it; on timeout fails like
 * assert.deepEqual with the last value read. For state saved by its own call after a UI action (a
 * select's choice, a field's debounced save): reading once at once races that call.
 */
export async function eventuallyEqual<T>(read: () => Promise<T>, expected: T, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const actual = await read();
    if (isDeepStrictEqual(actual, expected)) return actual;
    if (Date.now() > deadline) {
      throw new AssertionError({ message: `Still not the expected value after ${timeoutMs} ms`, actual, expected, operator: 'deepStrictEqual', stackStartFn: eventuallyEqual });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
