// Bundle sizes (raw and gzip) of what `npm run build` wrote to out/, against the budgets of issue 18:
// the renderer's initial JS (what index.html loads before the first paint: its entry script and the
// chunks it preloads; lazily loaded chunks such as the wizard are listed apart) <= 120 KB gzip, and the
// preload <= 10 KB. `npm run build` prints this table at its end; `npm run bench:bundle` prints it for
// the current out/ and exits 1 when a budget is exceeded (test/integration/bundle-budget.test.ts
// enforces the same in `npm test`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const KB = 1024;
export const BUDGETS = { initialRendererGzip: 120 * KB, preloadRaw: 10 * KB } as const;

export type FileSize = { file: string; raw: number; gzip: number };
export type BundleReport = {
  initial: FileSize[];
  lazy: FileSize[];
  css: FileSize[];
  preload: FileSize;
  main: FileSize;
  initialRaw: number;
  initialGzip: number;
  overBudget: string[];
};

function size(path: string, root: string): FileSize {
  const data = readFileSync(path);
  return { file: relative(root, path), raw: data.length, gzip: gzipSync(data).length };
}

export function measureBundles(root: string): BundleReport {
  const out = join(root, 'out');
  const html = join(out, 'renderer', 'index.html');
  if (!existsSync(html)) throw new Error('out/renderer/index.html is missing: run `npm run build` first.');
  const page = readFileSync(html, 'utf8');
  // index.html names the entry (<script type="module" src>) and the chunks it needs at once (<link rel="modulepreload">).
  const initialNames = new Set(
    [...page.matchAll(/<script[^>]+src="\.?\/?([^"]+\.js)"|<link[^>]+rel="modulepreload"[^>]+href="\.?\/?([^"]+\.js)"/g)].map((m) => (m[1] ?? m[2]) as string),
  );
  if (initialNames.size === 0) throw new Error('index.html loads no script: the measurement would be empty.');
  const assets = join(out, 'renderer', 'assets');
  const files = readdirSync(assets).map((n) => join(assets, n));
  const initial = files.filter((f) => initialNames.has(relative(join(out, 'renderer'), f))).map((f) => size(f, root));
  const lazy = files.filter((f) => f.endsWith('.js') && !initialNames.has(relative(join(out, 'renderer'), f))).map((f) => size(f, root));
  const css = files.filter((f) => f.endsWith('.css')).map((f) => size(f, root));
  const preloadDir = join(out, 'preload');
  const preloadFile = readdirSync(preloadDir).find((n) => /\.c?js$/.test(n));
  if (!preloadFile) throw new Error('out/preload has no bundle: run `npm run build` first.');
  const preload = size(join(preloadDir, preloadFile), root);
  const main = size(join(out, 'main', 'index.js'), root);
  const initialRaw = initial.reduce((s, f) => s + f.raw, 0);
  const initialGzip = initial.reduce((s, f) => s + f.gzip, 0);
  const overBudget: string[] = [];
  if (initialGzip > BUDGETS.initialRendererGzip) overBudget.push(`renderer initial JS is ${kb(initialGzip)} gzip (budget ${kb(BUDGETS.initialRendererGzip)})`);
  if (preload.raw > BUDGETS.preloadRaw) overBudget.push(`preload is ${kb(preload.raw)} (budget ${kb(BUDGETS.preloadRaw)})`);
  return { initial, lazy, css, preload, main, initialRaw, initialGzip, overBudget };
}

const kb = (n: number): string => `${(n / KB).toFixed(1)} KB`;

export function formatReport(r: BundleReport): string {
  const row = (label: string, f: { raw: number; gzip: number }, note = ''): string =>
    `  ${label.padEnd(52)} ${kb(f.raw).padStart(10)} ${kb(f.gzip).padStart(10)}${note ? `  ${note}` : ''}`;
  return [
    `Bundle sizes                                              raw       gzip`,
    ...r.initial.map((f) => row(f.file, f)),
    row('renderer initial JS (total)', { raw: r.initialRaw, gzip: r.initialGzip }, `budget ${kb(BUDGETS.initialRendererGzip)} gzip`),
    ...r.lazy.map((f) => row(`${f.file} (lazy)`, f)),
    ...r.css.map((f) => row(f.file, f)),
    row(r.preload.file, r.preload, `budget ${kb(BUDGETS.preloadRaw)} raw`),
    row(r.main.file, r.main),
    r.overBudget.length ? `OVER BUDGET: ${r.overBudget.join('; ')}` : 'All bundles within budget.',
  ].join('\n');
}

if (import.meta.main) {
  const report = measureBundles(join(import.meta.dirname, '..', '..'));
  console.log(formatReport(report));
  if (process.argv.includes('--check') && report.overBudget.length > 0) process.exitCode = 1;
}
