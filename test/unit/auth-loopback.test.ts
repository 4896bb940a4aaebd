// The loopback redirect listener (electron/auth/loopback.ts) against real HTTP requests: bound to
// 127.0.0.1 only, wrong state refused without consuming the attempt, one valid callback then
// closed, timeout and cancel close the port. Needs no bench.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { startLoopback } from '../../electron/auth/loopback.ts';
import { AppFailure } from '../../shared/result.ts';

const get = async (url: string): Promise<{ status: number; text: string }> => {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, text: await r.text() };
};

/** Resolves true when something accepts TCP on host:port. */
const listening = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });

const code = async (p: Promise<unknown>): Promise<string> => {
  try { await p; return 'resolved'; } catch (e) { return e instanceof AppFailure ? e.appError.code : String(e); }
};

describe('loopback listener', () => {
  test('wrong or missing state is refused and does not consume the attempt; second callback finds no listener', async () => {
    const l = await startLoopback({ expectedState: 'good-state', timeoutMs: 10_000 });
    assert.match(l.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const bad = await get(`${l.redirectUri}?code=c1&state=evil`);
    assert.equal(bad.status, 400);
    assert.ok(!bad.text.includes('c1'));
    assert.equal((await get(`${l.redirectUri}?code=c1`)).status, 400);
    assert.equal((await get(`${l.redirectUri}?code=c1&state=good-state&state=good-state`)).status, 400);
    assert.equal((await get(`http://127.0.0.1:${l.port}/favicon.ico`)).status, 404);
    const pending = get(`${l.redirectUri}?code=the-code&state=good-state&iss=x`);
    const cb = await l.callback;
    assert.equal(cb.url.searchParams.get('code'), 'the-code');
    assert.equal(cb.url.origin + cb.url.pathname, l.redirectUri);
    cb.finish({ ok: true });
    const page = await pending;
    assert.equal(page.status, 200);
    assert.match(page.text, /Signed in/);
    assert.ok(!page.text.includes('the-code'));
    await l.close();
    assert.equal(await listening('127.0.0.1', l.port), false);
  });

  test('failure page names the catalog title only', async () => {
    const l = await startLoopback({ expectedState: 's', timeoutMs: 10_000 });
    const pending = get(`${l.redirectUri}?error=access_denied&error_description=secret-ish-text&state=s`);
    const cb = await l.callback;
    cb.finish({ ok: false, code: 'AUTH_ACCESS_DENIED' });
    const page = await pending;
    assert.equal(page.status, 400);
    assert.match(page.text, /Access was denied/);
    assert.ok(!page.text.includes('secret-ish-text'));
    await l.close();
  });

  test('bound to 127.0.0.1 only', async () => {
    const l = await startLoopback({ expectedState: 's', timeoutMs: 10_000 });
    try {
      const others = Object.values(networkInterfaces()).flat()
        .filter((i) => i && i.family === 'IPv4' && i.address !== '127.0.0.1').map((i) => i!.address);
      for (const addr of [...others, '127.0.0.2']) assert.equal(await listening(addr, l.port), false, `not on ${addr}`);
      assert.equal(await listening('127.0.0.1', l.port), true);
    } finally {
      await l.close();
    }
  });

  test('timeout (closed browser tab: no callback) rejects TIMEOUT and closes the port', async () => {
    const l = await startLoopback({ expectedState: 's', timeoutMs: 200 });
    assert.equal(await code(l.callback), 'TIMEOUT');
    await l.close();
    assert.equal(l.closed, true);
    assert.equal(await listening('127.0.0.1', l.port), false);
  });

  test('cancel via AbortSignal rejects CANCELLED at once; the port then answers "cancelled in the app" and takes no code', async () => {
    const ctl = new AbortController();
    const l = await startLoopback({ expectedState: 's', timeoutMs: 10_000, signal: ctl.signal, cancelledPageMs: 60_000 });
    ctl.abort();
    assert.equal(await code(l.callback), 'CANCELLED');
    await l.close(); // the attempt is over; the grace period keeps the port
    // The user finishes in the browser anyway: a page that says so, not "refused to connect".
    const page = await get(`${l.redirectUri}?code=secret-code&state=s`);
    assert.equal(page.status, 200);
    assert.match(page.text, /This sign-in was cancelled in Mail OAuth Assistant/);
    assert.match(page.text, /start again in the app/);
    assert.ok(!page.text.includes('secret-code'));
    await l.dispose();
    assert.equal(l.closed, true);
    assert.equal(await listening('127.0.0.1', l.port), false);
  });

  test('an abort by the flow deadline says "timed out", and the grace period closes the port by itself', async () => {
    const ctl = new AbortController();
    const l = await startLoopback({ expectedState: 's', timeoutMs: 10_000, signal: ctl.signal, cancelledPageMs: 60_000 });
    ctl.abort(new AppFailure({ code: 'TIMEOUT', message: 'timed out' }));
    assert.equal(await code(l.callback), 'CANCELLED');
    assert.match((await get(`${l.redirectUri}?code=c&state=s`)).text, /timed out in Mail OAuth Assistant/);
    await l.dispose();

    const short = new AbortController();
    const m = await startLoopback({ expectedState: 's', timeoutMs: 10_000, signal: short.signal, cancelledPageMs: 50 });
    short.abort();
    await code(m.callback);
    while (!m.closed) await new Promise((r) => setTimeout(r, 20)); // waits for the state, bounded by the test timeout
    assert.equal(await listening('127.0.0.1', m.port), false);
  });
});
