// mbsync with the settings `mail-oauth client-config --client mbsync` generates, run for real
// against the bench (see helpers.ts for what is checked and how the token expires between runs).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run, home, clientConfig, write, twice, setUpAccount } from './helpers.ts';

before(setUpAccount);

test('mbsync syncs INBOX over IMAP (XOAUTH2 via the Cyrus SASL plugin) with the generated ~/.mbsyncrc', async () => {
  const h = home();
  const config = await clientConfig('mbsync');
  assert.match(config, /AuthMechs XOAUTH2/);
  write(join(h.dir, '.mbsyncrc'), config);
  await twice(async () => {
    // A fresh local store each round, so the second round downloads everything again.
    const mail = join(h.dir, 'Mail', 'alice-example-test');
    mkdirSync(mail, { recursive: true });
    const inbox = join(mail, 'INBOX');
    const r = await run('mbsync', ['--all'], { env: { ...h.env } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const files = ['cur', 'new'].flatMap((d) => readdirSync(join(inbox, d)));
    assert.ok(files.length >= 3, `INBOX synced: ${files.length} messages`);
    rmSync(mail, { recursive: true, force: true });
  });
});
