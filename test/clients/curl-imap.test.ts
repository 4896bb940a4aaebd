// curl (IMAP) with the functions `mail-oauth client-config --client curl` generates, run for
// real against the bench (see helpers.ts for what is checked and how the token expires between runs).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, home, clientConfig, write, twice, setUpAccount } from './helpers.ts';

before(setUpAccount);

test('curl lists INBOX over IMAP with the generated function', async () => {
  const h = home();
  const script = join(h.dir, '.config', 'mail-oauth', 'curl.sh');
  write(script, await clientConfig('curl'));
  const call = (fn: string) => run('bash', ['-c', `. '${script}' && alice_example_test_${fn}`], { env: h.env });
  await twice(async () => {
    const search = await call('imap_search');
    assert.equal(search.code, 0, search.stderr);
    assert.match(search.stdout, /^\* SEARCH( \d+){3,}/m);
  });
});
