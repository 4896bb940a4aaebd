// npm 11 skips every dependency install script that package.json's allowScripts does not approve,
// silently (issue 18). These checks read the lockfile `npm ci` installs from, so a new dependency
// whose script the app needs cannot land unapproved, and nothing is approved that has no script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
type LockEntry = { version?: string; hasInstallScript?: boolean; dev?: boolean; optional?: boolean; devOptional?: boolean };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

/** Every installed package with an install script (preinstall/install/postinstall, or an implicit node-gyp build). */
const withScripts = Object.entries(lock.packages)
  .filter(([path, e]) => path !== '' && e.hasInstallScript === true)
  .map(([path, e]) => ({ name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), version: e.version ?? '', entry: e }));

/** The allowScripts decision for a package: an entry for its name, or for name@version (what `npm install-scripts approve` pins). */
function decision(name: string, version: string): boolean | undefined {
  const allow = pkg.allowScripts ?? {};
  return allow[`${name}@${version}`] ?? allow[name];
}

// What must run, and why (README "Install scripts" says the same). A dependency added later with an
// install script fails the first test until someone decides and writes it here and in allowScripts.
const NEEDED: Record<string, string> = {
  node: 'fetches the Node 22 binary that the npm scripts and the tests run on',
};
const REFUSED: Record<string, string> = {
  'electron-winstaller': 'selects a 7-Zip for Squirrel.Windows installers; the Windows target is NSIS, so it is never used',
};

test('every dependency with an install script is decided in allowScripts (approved or explicitly denied)', () => {
  const undecided = withScripts.filter((p) => decision(p.name, p.version) === undefined).map((p) => `${p.name}@${p.version}`);
  assert.deepEqual(undecided, [], 'run `npm install-scripts ls`, then approve or deny, and add the reason here and in the README');
  const unexplained = withScripts.filter((p) => !(p.name in NEEDED) && !(p.name in REFUSED)).map((p) => p.name);
  assert.deepEqual(unexplained, [], 'every decision has a reason in this test and the README');
});

test('what the app needs is approved, and nothing else is', () => {
  for (const name of Object.keys(NEEDED)) {
    const p = withScripts.find((x) => x.name === name);
    assert.ok(p, `${name} is expected to be installed with an install script`);
    assert.equal(decision(p.name, p.version), true, `${name}'s install script must be approved: it ${NEEDED[name]}`);
  }
  for (const name of Object.keys(REFUSED)) {
    const p = withScripts.find((x) => x.name === name);
    if (p) assert.equal(decision(p.name, p.version), false, `${name} is denied explicitly: it ${REFUSED[name]}`);
  }
  // An approval for a package without a script is dead weight and hides what really runs
  // (`npm install-scripts prune` would remove it), e.g. electron 45, which fetches its binary on first start.
  const scripted = new Set(withScripts.map((p) => p.name));
  const stale = Object.entries(pkg.allowScripts ?? {})
    .filter(([, allowed]) => allowed)
    .map(([key]) => key.replace(/(?<=.)@[^@]*$/, ''))
    .filter((name) => !scripted.has(name));
  assert.deepEqual(stale, [], 'allowScripts approves packages that have no install script');
});

test('the CLI installs globally without any install script (global installs ignore the project allowScripts)', () => {
  // `npm install -g .` installs only the production dependencies and has no project allowScripts to
  // approve anything: a production dependency with a needed install script would be skipped silently.
  const production = withScripts.filter((p) => p.entry.dev !== true && p.entry.devOptional !== true).map((p) => `${p.name}@${p.version}`);
  assert.deepEqual(production, [], 'a production dependency has an install script: it would not run under `npm install -g .`');
});

test('Electron needs no install script: `npm start` fetches its binary (electron/start.ts)', () => {
  const electron = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const scripts = Object.keys(electron.scripts ?? {}).filter((s) => ['preinstall', 'install', 'postinstall'].includes(s));
  assert.deepEqual(scripts, [], 'electron has an install script again: approve it (npm install-scripts approve electron) and revisit electron/start.ts');
  const ours = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(ours.scripts.start ?? '', /^node electron\/start\.ts preview/);
  assert.match(ours.scripts.dev ?? '', /^node electron\/start\.ts dev/);
});
