// The wizard's texts and rules that are data (issue 14, "the wizard's wording and behaviour"):
// the redirect URI the generic guide shows is the one the loopback really uses, the Google guide
// starts with the project, the checklist ticks what the app verified, Microsoft tips name the
// PowerShell session they need and follow the enabled protocols, field errors name the right
// protocol, and the secret hint does not promise OS encryption without a keyring.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startLoopback } from '../../electron/auth/loopback.ts';
import { diagnostics } from '../../shared/diagnostics.ts';
import { notesFor, providerById, type Protocol, type ProviderEntry } from '../../shared/providers.ts';
import { newDraft, serverErrors, withProvider, type Draft } from '../../renderer/src/wizard/draft.ts';
import { guideFor, verifiedSteps, type VerifiedFact } from '../../renderer/src/wizard/register-guide.ts';
import { storageHint } from '../../renderer/src/wizard/storage-hint.ts';

const provider = (id: string): ProviderEntry => {
  const p = providerById(id);
  assert.ok(p, id);
  return p;
};
const draftFor = (id: string, address = 'alice@example.test'): Draft => withProvider({ ...newDraft(), address }, provider(id), true);
const guide = (id: string, protocols: Protocol[] = ['imap', 'smtp']) => guideFor({ provider: provider(id), draft: draftFor(id), protocols });

describe('register guides', () => {
  test('the generic guide shows the redirect URI the app really uses: 127.0.0.1, its /callback path, the port chosen at sign-in', async () => {
    const step = guide('generic').steps.find((s) => s.id === 'o-register');
    const shown = step?.copy?.find((c) => c.label === 'Redirect URI')?.value;
    const l = await startLoopback({ expectedState: 's', timeoutMs: 10_000 });
    try {
      const used = new URL(l.redirectUri);
      assert.equal(shown, `${used.protocol}//${used.hostname}${used.pathname}`, 'the URI to register is the real one without its port');
    } finally {
      await l.dispose();
    }
    assert.match(step?.text ?? '', /http:\/\/127\.0\.0\.1:<port>\/callback/);
    assert.match(step?.text ?? '', /compares redirect URIs exactly/, 'says what happens with providers that match exactly');
  });

  test('the Google guide starts with "create or pick a project"', () => {
    const first = guide('google').steps[0];
    assert.equal(first?.id, 'g-project');
    assert.match(first?.title ?? '', /Create or pick a Google Cloud project/);
    assert.equal(first?.link?.id, 'google-new-project');
  });

  test('the checklist ticks what the app verified: the ids step once the issuer is found, everything a sign-in proves after it', () => {
    const facts = (...f: VerifiedFact[]) => new Set<VerifiedFact>(f);
    const g = guide('generic');
    assert.deepEqual(verifiedSteps(g, facts()), []);
    assert.deepEqual(verifiedSteps(g, facts('ids')), [], 'typed ids alone are not verified');
    assert.deepEqual(verifiedSteps(g, facts('issuer', 'ids')), ['o-ids']);
    assert.deepEqual(verifiedSteps(g, facts('issuer', 'ids', 'signed-in')), ['o-register', 'o-scopes', 'o-ids']);
    const ms = guide('microsoft-365');
    assert.deepEqual(verifiedSteps(ms, facts('issuer', 'ids')), ['ms-ids']);
    assert.equal(verifiedSteps(ms, facts('issuer', 'ids', 'signed-in')).length, ms.steps.length);
    const google = guide('google');
    assert.deepEqual(verifiedSteps(google, facts('ids', 'secret')), ['g-ids']);
  });
});

describe('provider tips', () => {
  test('Microsoft 365: Set-CASMailbox comes with Connect-ExchangeOnline, the tenant-wide switch sits next to the per-mailbox one', () => {
    const notes = notesFor(provider('microsoft-365'), ['imap', 'smtp']);
    const smtp = notes.find((n) => n.includes('SmtpClientAuthenticationDisabled'));
    assert.ok(smtp);
    assert.match(smtp, /ExchangeOnlineManagement/);
    assert.match(smtp, /Connect-ExchangeOnline.*Set-TransportConfig -SmtpClientAuthenticationDisabled \$false.*Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled \$false/s);
    for (const n of notes.filter((x) => x.includes('Set-CASMailbox'))) assert.match(n, /Connect-ExchangeOnline/, n);
  });

  test('every diagnosis fix with an Exchange cmdlet says to Connect-ExchangeOnline first; the SMTP switch comes per mailbox and tenant-wide', () => {
    let seen = 0;
    for (const [code, d] of Object.entries(diagnostics)) {
      const text = d.fix.join(' ');
      if (!/Set-CASMailbox|Set-TransportConfig/.test(text)) continue;
      seen++;
      assert.match(text, /Connect-ExchangeOnline/, code);
      if (/Set-CASMailbox[^']*SmtpClientAuthenticationDisabled/.test(text)) assert.match(text, /Set-TransportConfig -SmtpClientAuthenticationDisabled \$false/, code);
    }
    assert.ok(seen >= 5, 'the Microsoft diagnoses were found');
  });

  test('no POP tip unless POP is enabled; no SMTP tip for a read-only account', () => {
    for (const id of ['microsoft-365', 'outlook-com']) {
      const p = provider(id);
      assert.ok(!notesFor(p, ['imap', 'smtp']).some((n) => /\bPOP\b|PopEnabled/.test(n)), `${id}: no POP tip`);
      assert.ok(notesFor(p, ['pop']).some((n) => /\bPOP\b|PopEnabled/.test(n)), `${id}: POP tip when POP is on`);
    }
    assert.ok(!notesFor(provider('microsoft-365'), ['imap']).some((n) => n.includes('SmtpClientAuthenticationDisabled')));
  });
});

describe('wording', () => {
  test('a server field error names an example of its own protocol', () => {
    const d = draftFor('generic');
    d.servers = {
      imap: { enabled: true, host: 'bad host', port: '993', security: 'tls' },
      pop: { enabled: true, host: '', port: '995', security: 'tls' },
      smtp: { enabled: true, host: 'bad host', port: '587', security: 'starttls' },
    };
    const e = serverErrors(d);
    assert.match(e['imap.host'] ?? '', /imap\.example\.com/);
    assert.match(e['pop.host'] ?? '', /pop\.example\.com/);
    assert.match(e['smtp.host'] ?? '', /smtp\.example\.com/);
    assert.doesNotMatch(e['smtp.host'] ?? '', /imap/);
  });

  test('the client secret hint says where it will be kept, and promises OS encryption only with a keyring', () => {
    assert.match(storageHint({ available: true, persisted: true }), /encrypted by the operating system/);
    for (const s of [{ available: false, persisted: false }, { available: false, persisted: true }]) {
      assert.doesNotMatch(storageHint(s), /encrypted by the operating system/);
    }
    assert.match(storageHint({ available: false, persisted: false }), /memory only/);
  });
});
