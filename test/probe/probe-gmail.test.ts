// Gmail's SMTP refusal of a token, played by the bench's scripted smtp.gmail.com
// (test/bench/gmail-smtp.ts): both OAuth mechanisms must end in the token diagnosis with
// Google's fix, never MALFORMED_RESPONSE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchCa, benchInfo } from '../bench/client.ts';
import { runProbe } from '../../electron/probe/run-probe.ts';
import { staticToken } from '../../electron/core/ports.ts';
import { describe as describeCode } from '../../shared/diagnostics.ts';
import { redactText } from '../../shared/redact.ts';
import { ALICE, server } from './helpers.ts';

for (const mechanism of ['OAUTHBEARER', 'XOAUTH2'] as const) {
  test(`Gmail SMTP refuses the token (${mechanism}): token diagnosis with Google's fix`, async () => {
    const token = `ya29.${'a0AfB_byC'.repeat(12)}`;
    const r = await runProbe(
      { address: ALICE, servers: { smtp: server(benchInfo().failures.gmailSmtp) }, mechanisms: [mechanism], token: staticToken(token) },
      { ca: benchCa(), timeouts: { step: 5_000, overall: 15_000 } },
    );
    const smtp = r.protocols[0];
    assert.ok(smtp);
    assert.equal(smtp.mechanism, mechanism);
    assert.equal(smtp.code, 'AUTH_TOKEN_INVALID', JSON.stringify(smtp, null, 1));
    const failed = smtp.steps.find((s) => s.status === 'failed');
    assert.equal(failed?.step, 'authenticate');
    assert.match(failed?.serverText ?? '', /535[ -]5\.7\.8/);
    const d = describeCode(smtp.code);
    assert.equal(d.action, 'reauthorize');
    assert.ok(d.fix.some((f) => /Google/.test(f)), 'no Google fix');
    // The exact dialogue, with the client's abort answer, is in the transcript; no token.
    const t = smtp.transcript.join('\n');
    assert.match(t, /^S: 334 eyJ/m);
    assert.match(t, new RegExp(`^C: ${mechanism === 'XOAUTH2' ? '$' : 'AQ==$'}`, 'm'));
    assert.match(t, /^S: 535-5\.7\.8 Username and Password not accepted/m);
    assert.ok(!t.includes(token) && !JSON.stringify(r).includes(token.slice(5, 40)));
    assert.equal(redactText(t), t, 'transcript not stable under redaction');
  });
}
