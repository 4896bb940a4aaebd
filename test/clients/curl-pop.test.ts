// curl (POP3) with the functions `mail-oauth client-config --client curl` generates, run for
// real against the bench (see helpers.ts for what is checked and how the token expires between runs).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, home, clientConfig, write, twice, SEEDED, setUpAccount } from './helpers.ts';

before(setUpAccount);

test('curl lists and retrieves over POP3 with the generated functions', async () => {
  const h = home();
  const script = join(h.dir, '.config', 'mail-oauth', 'curl.sh');
  write(script, await clientConfig('curl'));
  const call = (fn: string) => run('bash', ['-c', `. '${script}' && alice_example_test_${fn}`], { env: h.env });
  await twice(async () => {
    const list = await call('pop_list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^1 \d+\r?$/m);
    const retr = await call('pop_retr 1');
    assert.equal(retr.code, 0, retr.stderr);
    assert.match(retr.stdout, SEEDED);
  });
});
