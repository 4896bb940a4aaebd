// Approve a device-code sign-in the way a user on a second device does: open the verification URI
// (with the code), let the page auto-submit, confirm, sign in, consent. The bench's loginWithHttp
// stops at oidc-provider's auto-submitting "Submitting Callback" page of verification_uri_complete,
// so the auth tests drive it here (same pages, same cookies, real HTTP).
import { CookieJar, benchFetch, benchInfo, benchUser } from '../bench/client.ts';

export async function approveDeviceCode(verificationUri: string, user = 'alice@example.test'): Promise<void> {
  const u = benchUser(user);
  const jar = new CookieJar();
  let url = new URL(verificationUri);
  let method = 'GET';
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 25; hop++) {
    const cookie = jar.header(url.pathname);
    const res = await benchFetch(url, { method, headers: cookie ? { cookie } : {}, body: body ?? null });
    jar.store(res.headers.getSetCookie());
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      url = new URL(location, url);
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    const kind = /data-moa="([^"]+)"/.exec(html)?.[1];
    if (kind === 'device-success') return;
    const error = /data-moa-error="([^"]*)"/.exec(html)?.[1];
    if (error !== undefined) throw new Error(`device approval refused: ${error}`);
    const form = /<form\b[^>]*>/i.exec(html)?.[0];
    const action = form ? /action="([^"]*)"/i.exec(form)?.[1] : undefined;
    if (action === undefined) throw new Error(`device approval stuck at ${url.pathname} (HTTP ${res.status})`);
    const fields: [string, string][] = [];
    for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(m[0])?.[1];
      const value = /value="([^"]*)"/.exec(m[0])?.[1];
      if (name !== undefined && value !== undefined) fields.push([name, value.replace(/&amp;/g, '&')]);
    }
    if (kind === 'login') fields.splice(0, fields.length, ['login', u.address], ['password', u.password], ['action', 'login']);
    if (kind === 'consent') fields.push(['action', 'allow']);
    url = new URL(action.replace(/&amp;/g, '&'), url);
    if (url.origin !== new URL(benchInfo().issuer).origin) throw new Error('device approval left the provider');
    method = 'POST';
    body = new URLSearchParams(fields);
  }
  throw new Error('device approval did not finish');
}
