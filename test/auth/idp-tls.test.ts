// The identity provider's certificate is not trusted (the bench IdP's certificate comes from the
// test CA, which an AuthService without that CA does not know): the register step (check issuer)
// and the authorize step, OpenID and MSAL, must say so with the CA fix, never "cannot be reached".
// The same account with the CA saved (`caPem`) works, and that trust stays with that account.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { benchCa, benchInfo } from '../bench/client.ts';
import { describe as describeCode } from '../../shared/diagnostics.ts';
import { addAccount, errorCode, harness, msalAuth, oidcAuth, unwrap } from './helpers.ts';

// No extra CA at all: the process trusts only the system roots, like a fresh install.
const untrusting = () => harness({ httpsCa: [] });

describe('identity provider with an untrusted certificate', () => {
  test('register step: check issuer -> IDP_TLS_UNTRUSTED_CERT with the CA fix', async () => {
    const h = untrusting();
    const r = await h.auth.checkIssuer(benchInfo().issuer);
    assert.equal(errorCode(r), 'IDP_TLS_UNTRUSTED_CERT');
    assert.ok(!r.ok && /TLS: (?:SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/.test(r.error.detail ?? ''), JSON.stringify(r));
    assert.ok(describeCode('IDP_TLS_UNTRUSTED_CERT').fix.some((f) => /Trust a certificate authority/.test(f) && /--ca-file/.test(f)));
    // The CA given for this check (the account's, in the wizard) makes it pass.
    const info = unwrap(await h.auth.checkIssuer(benchInfo().issuer, { caPem: benchCa() }));
    assert.equal(info.tokenEndpoint, benchInfo().endpoints.token);
  });

  test('authorize step (OpenID and MSAL) -> IDP_TLS_UNTRUSTED_CERT; no browser opened', async () => {
    const h = untrusting();
    const oidcAccount = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app'), scopes: ['imap', 'smtp'] });
    const msalAccount = addAccount(h, { providerId: 'bench-ms', auth: msalAuth('native-app'), scopes: ['imap', 'smtp'] });
    assert.equal(errorCode(await h.auth.authorize(oidcAccount.id, 'browser')), 'IDP_TLS_UNTRUSTED_CERT');
    assert.equal(errorCode(await h.auth.authorize(msalAccount.id, 'browser')), 'IDP_TLS_UNTRUSTED_CERT');
    assert.equal(h.opened.length, 0);
  });

  test('the CA saved with the account is used for its provider, and only for it', async () => {
    const h = untrusting();
    const trusted = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app'), scopes: ['imap', 'smtp'] });
    h.accounts.put({ ...trusted, caPem: benchCa() });
    const other = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app'), scopes: ['imap', 'smtp'] });
    const outcome = unwrap(await h.auth.authorize(trusted.id, 'browser'));
    assert.ok(outcome.grantedScopes.includes('imap'));
    assert.equal(errorCode(await h.auth.authorize(other.id, 'browser')), 'IDP_TLS_UNTRUSTED_CERT');
  });
});

describe('an address that is not an OpenID issuer', () => {
  test('register step and sign-in say "no OpenID discovery document at that address"', async () => {
    const h = harness();
    // The bench IdP's host answers, but there is no discovery document under this path (404).
    const notIssuer = `${benchInfo().issuer}/some/web/page`;
    const r = await h.auth.checkIssuer(notIssuer);
    assert.equal(errorCode(r), 'IDP_NO_DISCOVERY', JSON.stringify(r));
    assert.match(describeCode('IDP_NO_DISCOVERY').title, /No OpenID discovery document at that address/);
    const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app', 'delegated', notIssuer), scopes: ['imap'] });
    assert.equal(errorCode(await h.auth.authorize(a.id, 'browser')), 'IDP_NO_DISCOVERY');
    assert.equal(h.opened.length, 0);
  });
});
