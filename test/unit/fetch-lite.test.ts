// electron/auth/fetch-lite.ts against Node's own Headers and Response (undici): the same operations
// on both give the same results, errors included, for everything the auth layer and
// openid-client/oauth4webapi use; and the CLI build step (tools/fetch-lite-imports.ts) puts our
// classes under the global names in exactly those two packages, and refuses a module that declares
// the names itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiteHeaders, LiteResponse } from '../../electron/auth/fetch-lite.ts';
import { takesLiteFetch, withLiteFetch } from '../../tools/fetch-lite-imports.ts';

type AnyHeaders = { [K in 'append' | 'set' | 'get' | 'has' | 'delete' | 'getSetCookie' | 'entries' | 'keys' | 'values' | 'forEach']: (...a: never[]) => unknown } & Iterable<[string, string]>;
type HeadersClass = new (init?: never) => AnyHeaders;

/** Run `ops` on a fresh instance of each class; return what they observed (or the error's class). */
function both<T>(make: (H: HeadersClass) => T): { node: unknown; lite: unknown } {
  const run = (H: HeadersClass): unknown => {
    try {
      return make(H);
    } catch (e) {
      return `throws ${(e as Error).constructor.name}`;
    }
  };
  return { node: run(Headers as unknown as HeadersClass), lite: run(LiteHeaders as unknown as HeadersClass) };
}

const snapshot = (h: AnyHeaders): unknown => [...h];

test('Headers: construction from a record, pairs and another Headers; case and whitespace', () => {
  const cases: Array<(H: HeadersClass) => unknown> = [
    (H) => snapshot(new H({ 'Content-Type': ' application/json \t', Accept: 'x' } as never)),
    (H) => snapshot(new H([['B', '2'], ['a', '1'], ['b', '3']] as never)),
    (H) => snapshot(new H(new H({ DPoP: 'p', authorization: 'Bearer t' } as never) as never)),
    (H) => snapshot(new H(undefined)),
    (H) => snapshot(new H([['only-name']] as never)),
    (H) => snapshot(new H({ 'bad name': 'x' } as never)),
    (H) => snapshot(new H({ ok: 'line\nbreak' } as never)),
  ];
  for (const c of cases) {
    const r = both(c);
    assert.deepEqual(r.lite, r.node, String(c));
  }
});

test('Headers: append, set, get, has, delete, iteration order, Set-Cookie kept apart', () => {
  const r = both((H) => {
    const h = new H();
    const log: unknown[] = [];
    h.append('WWW-Authenticate' as never, 'Bearer error="invalid_token"' as never);
    h.append('www-authenticate' as never, 'DPoP algs="ES256"' as never);
    h.set('Content-Type' as never, 'text/plain' as never);
    h.append('Set-Cookie' as never, 'a=1' as never);
    h.append('set-cookie' as never, 'b=2' as never);
    h.append('X-Empty' as never, '' as never);
    log.push(h.get('WWW-AUTHENTICATE' as never), h.get('missing' as never), h.has('content-type' as never), h.has('nope' as never));
    log.push(h.get('set-cookie' as never), h.getSetCookie());
    log.push(snapshot(h), [...(h.keys() as Iterable<string>)], [...(h.values() as Iterable<string>)]);
    const seen: string[] = [];
    h.forEach(((v: string, k: string) => seen.push(`${k}=${v}`)) as never);
    log.push(seen);
    h.delete('Content-type' as never);
    h.set('x-empty' as never, 'now' as never);
    log.push(snapshot(h), Object.fromEntries(h.entries() as Iterable<[string, string]>));
    return log;
  });
  assert.deepEqual(r.lite, r.node);
});

test('Headers: invalid names and values throw TypeError on every method', () => {
  for (const op of ['append', 'set', 'get', 'has', 'delete'] as const) {
    const r = both((H) => (new H()[op] as (n: string, v?: string) => unknown)('bad header', 'x'));
    assert.deepEqual(r.lite, r.node, op);
    assert.equal(r.lite, 'throws TypeError');
  }
  const r = both((H) => new H().set('ok' as never, 'a\r\nInjected: 1' as never));
  assert.deepEqual(r.lite, r.node);
});

type AnyResponse = {
  status: number;
  statusText: string;
  ok: boolean;
  headers: AnyHeaders;
  bodyUsed: boolean;
  body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
  clone(): AnyResponse;
};
type ResponseClass = new (body?: unknown, init?: unknown) => AnyResponse;

async function bothResponses(make: (R: ResponseClass) => Promise<unknown>): Promise<{ node: unknown; lite: unknown }> {
  const run = async (R: ResponseClass): Promise<unknown> => {
    try {
      return await make(R);
    } catch (e) {
      return `throws ${(e as Error).constructor.name}`;
    }
  };
  return { node: await run(Response as unknown as ResponseClass), lite: await run(LiteResponse as unknown as ResponseClass) };
}

const describeResponse = (r: AnyResponse): unknown => ({ status: r.status, statusText: r.statusText, ok: r.ok, headers: [...r.headers], bodyUsed: r.bodyUsed, hasBody: r.body !== null });

test('Response: status, ok, headers and default content types per body kind', async () => {
  const bodies: unknown[] = [undefined, null, '{"a":1}', new URLSearchParams({ grant_type: 'refresh_token', x: 'a b' }), Buffer.from('bytes'), new Uint8Array([104, 105]).buffer];
  for (const body of bodies) {
    for (const init of [undefined, { status: 400, statusText: 'Bad Request' }, { status: 200, headers: { 'Content-Type': 'application/json;charset=utf-8' } }]) {
      const r = await bothResponses(async (R) => {
        const res = new R(body, init);
        return { ...(describeResponse(res) as object), text: await res.text(), after: res.bodyUsed };
      });
      assert.deepEqual(r.lite, r.node, `${String(body)} ${JSON.stringify(init)}`);
    }
  }
});

test('Response: out-of-range statuses and a body on a null-body status throw as Node does', async () => {
  for (const [body, status] of [[null, 199], [null, 600], [null, 200.5], ['x', 204], ['x', 304], [null, 204], [null, 599]] as const) {
    const r = await bothResponses(async (R) => describeResponse(new R(body, { status })));
    assert.deepEqual(r.lite, r.node, `${String(body)} ${status}`);
  }
});

test('Response: json, arrayBuffer, a body read once, clone before and after reading, UTF-8 and BOM', async () => {
  const r = await bothResponses(async (R) => {
    const log: unknown[] = [];
    const res = new R(Buffer.from('\uFEFF{"access_token":"t","n":"ünï"}'), { status: 200, headers: { 'content-type': 'application/json' } });
    const copy = res.clone();
    log.push(await res.json(), res.bodyUsed, copy.bodyUsed);
    log.push(await res.text().catch((e: Error) => `rejects ${e.constructor.name}`));
    log.push(await (async () => res.clone())().then(() => 'cloned', (e: Error) => `throws ${e.constructor.name}`));
    log.push(Buffer.from(await copy.arrayBuffer()).toString('hex'));
    log.push(await new R('not json').json().catch((e: Error) => `rejects ${e.constructor.name}`));
    log.push(await new R(null, { status: 204 }).text(), new R(null, { status: 204 }).body);
    return log;
  });
  assert.deepEqual(r.lite, r.node);
});

test('Response: the body stream holds the bytes and can be cancelled (oauth4webapi after an error answer)', async () => {
  const r = await bothResponses(async (R) => {
    const res = new R('{"error":"invalid_grant"}', { status: 400 });
    const json = await res.clone().json();
    await res.body?.cancel();
    const chunks: string[] = [];
    const again = new R('abc');
    for await (const c of again.body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c).toString());
    return { json, chunks };
  });
  assert.deepEqual(r.lite, r.node);
});

test('oauth4webapi-style checks accept ours as Headers and Response (toStringTag), and Node’s classes accept ours as init', () => {
  const res = new LiteResponse('x');
  assert.equal(Object.prototype.toString.call(res), '[object Response]');
  const tag = (o: object): unknown => (Object.getPrototypeOf(o) as Record<symbol, unknown>)[Symbol.toStringTag];
  assert.equal(tag(res), tag(new Response('x')));
  assert.equal(tag(res.headers), tag(new Headers()));
  const lite = new LiteHeaders({ A: '1' });
  lite.append('a', '2');
  assert.deepEqual([...new Headers(lite as unknown as Headers)], [['a', '1, 2']]);
  assert.deepEqual([...new LiteHeaders(new Headers({ B: '3' }))], [['b', '3']]);
});

test('CLI build step: only openid-client and oauth4webapi modules get the import, which shadows the globals', async () => {
  assert.equal(takesLiteFetch('/x/node_modules/openid-client/build/index.js'), true);
  assert.equal(takesLiteFetch('C:\\x\\node_modules\\oauth4webapi\\build\\index.js'), true);
  assert.equal(takesLiteFetch('/x/node_modules/openid-client/build/index.js?commonjs-proxy'), true);
  assert.equal(takesLiteFetch('/x/node_modules/jose/dist/index.js'), false);
  assert.equal(takesLiteFetch('/x/electron/auth/http.ts'), false);
  assert.equal(takesLiteFetch('/x/node_modules/openid-client/package.json'), false);

  const out = withLiteFetch('export const isResponse = (r) => r instanceof Response;\nexport const h = () => new Headers({ a: "1" });\n', 'mod.js');
  assert.match(out, /^import \{ LiteHeaders as Headers, LiteResponse as Response \} from ".*fetch-lite\.ts";\n/);
  // Evaluated as a module, the names are ours, not the globals.
  const url = `data:text/javascript,${encodeURIComponent(out.replace(/from ".*?"/, `from ${JSON.stringify(new URL('../../electron/auth/fetch-lite.ts', import.meta.url).href)}`))}`;
  const mod = (await import(url)) as { isResponse: (r: unknown) => boolean; h: () => unknown };
  assert.equal(mod.isResponse(new LiteResponse('x')), true);
  assert.equal(mod.h() instanceof LiteHeaders, true);

  for (const own of ['class Response {}', 'export function Headers() {}', 'const Headers = 1;', 'import { Response } from "undici";']) {
    assert.throws(() => withLiteFetch(`${own}\nexport {};\n`, 'own.js'), /declares Headers or Response itself/, own);
  }
});
