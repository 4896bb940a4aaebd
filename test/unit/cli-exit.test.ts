// The CLI's exit codes come from the diagnostics catalog: 3 when the code's fix is a new sign-in,
// 4 when the catalog marks it temporary, 1 otherwise; a connection test's mix of failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnostics } from '../../shared/diagnostics.ts';
import { EXIT, exitCodeFor, exitCodeForAll } from '../../electron/cli/exit.ts';

test('every catalog code maps to 1, 3 or 4 by its action and temporary flag', () => {
  for (const [code, d] of Object.entries(diagnostics)) {
    const want = d.action === 'reauthorize' ? 3 : 'temporary' in d && d.temporary === true ? 4 : 1;
    assert.equal(exitCodeFor(code), want, code);
  }
  assert.equal(exitCodeFor('AUTH_GRANT_REVOKED'), EXIT.reauthorize);
  assert.equal(exitCodeFor('IDP_UNAVAILABLE'), EXIT.temporary);
  assert.equal(exitCodeFor('TIMEOUT'), EXIT.temporary);
  assert.equal(exitCodeFor('CONNECTION_REFUSED'), EXIT.temporary); // a server down for a moment
  assert.equal(exitCodeFor('TLS_UNTRUSTED_CERT'), EXIT.failed);
  assert.equal(exitCodeFor('NO_SUCH_CODE'), EXIT.failed);
});

test('a test run: all temporary is 4, any re-authorize wins over a mix, anything else is 1', () => {
  assert.equal(exitCodeForAll(['SERVER_AUTH_TEMPORARY', 'CONNECT_TIMEOUT']), 4);
  assert.equal(exitCodeForAll(['AUTH_TOKEN_INVALID', 'CONNECT_TIMEOUT']), exitCodeFor('AUTH_TOKEN_INVALID') === 3 ? 3 : 1);
  assert.equal(exitCodeForAll(['TLS_UNTRUSTED_CERT', 'CONNECT_TIMEOUT']), 1);
  assert.equal(exitCodeForAll([]), 1);
});
