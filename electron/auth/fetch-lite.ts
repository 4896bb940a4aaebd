// The part of the Fetch API's Headers and Response that the auth layer's HTTP client hands out
// (electron/auth/http.ts) and that openid-client, oauth4webapi and our MSAL network module read.
//
// Why not Node's own classes: in Node the globals `Headers` and `Response` are undici, loaded on
// first use. Loading it is ~25-55 ms of a `mail-oauth token` that refreshes (issue 10: the helper
// mail clients start on every connection), and every other part of a refresh is smaller. Our HTTP
// client is node:https, so undici was only ever needed for these two small value classes. The CLI
// bundle points openid-client and oauth4webapi at these classes too (tools/fetch-lite-imports.ts);
// the desktop app and the web host keep Node's, and accept ours, as every Fetch-API consumer that
// checks "is this a Response" by its Symbol.toStringTag does (oauth4webapi's looseInstanceOf).
//
// Behaviour follows the Fetch standard for what is here; test/unit/fetch-lite.test.ts runs the same
// operations on these and on Node's classes and compares. Not here: Request, FormData and Blob
// bodies, streaming (a body is bytes in memory: our client reads the whole answer before it
// resolves), Response.error/redirect.

const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function headerName(name: unknown): string {
  const n = String(name);
  if (!TOKEN.test(n)) throw new TypeError(`Headers: invalid header name "${n}"`);
  return n.toLowerCase();
}

function headerValue(value: unknown): string {
  const v = String(value).replace(HTTP_WHITESPACE, '');
  if (/[\0\r\n]/.test(v)) throw new TypeError('Headers: invalid header value');
  return v;
}

export type HeadersLike = LiteHeaders | Headers | Iterable<readonly [string, string]> | Record<string, string>;

export class LiteHeaders {
  /** Lower-case name -> its values in the order they were added. */
  readonly #values = new Map<string, string[]>();

  constructor(init?: HeadersLike | null) {
    if (init === undefined || init === null) return;
    if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const pair of init as Iterable<readonly [string, string]>) {
        if (pair.length !== 2) throw new TypeError('Headers: each pair must have a name and a value');
        this.append(pair[0], pair[1]);
      }
    } else {
      for (const [k, v] of Object.entries(init as Record<string, string>)) this.append(k, v);
    }
  }

  append(name: string, value: string): void {
    const n = headerName(name);
    const v = headerValue(value);
    const list = this.#values.get(n);
    if (list) list.push(v);
    else this.#values.set(n, [v]);
  }

  set(name: string, value: string): void {
    this.#values.set(headerName(name), [headerValue(value)]);
  }

  delete(name: string): void {
    this.#values.delete(headerName(name));
  }

  get(name: string): string | null {
    return this.#values.get(headerName(name))?.join(', ') ?? null;
  }

  has(name: string): boolean {
    return this.#values.has(headerName(name));
  }

  getSetCookie(): string[] {
    return [...(this.#values.get('set-cookie') ?? [])];
  }

  /** Sorted by name, values of one name combined, but each Set-Cookie on its own (the standard's
   * "sort and combine"). */
  *entries(): IterableIterator<[string, string]> {
    const names = [...this.#values.keys()].sort();
    for (const n of names) {
      const list = this.#values.get(n) ?? [];
      if (n === 'set-cookie') for (const v of list) yield [n, v];
      else yield [n, list.join(', ')];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }

  forEach(callback: (value: string, name: string, parent: LiteHeaders) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}

export type LiteBody = string | Uint8Array | ArrayBuffer | URLSearchParams | null | undefined;

export type LiteResponseInit = { status?: number; statusText?: string; headers?: HeadersLike };

const encoder = new TextEncoder();

export class LiteResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: LiteHeaders;
  readonly type = 'default';
  readonly url = '';
  readonly redirected = false;
  #bytes: Uint8Array | null;
  #used = false;

  constructor(body?: LiteBody, init: LiteResponseInit = {}) {
    // WebIDL `unsigned short`, as Node converts it: truncated, modulo 2^16.
    const status = init.status === undefined ? 200 : ((Math.trunc(Number(init.status)) || 0) % 65536 + 65536) % 65536;
    if (status < 200 || status > 599) throw new RangeError(`Response: status ${status} is outside 200-599`);
    this.status = status;
    this.statusText = init.statusText ?? '';
    this.headers = new LiteHeaders(init.headers);
    let type: string | undefined;
    if (body === undefined || body === null) this.#bytes = null;
    else if (typeof body === 'string') {
      this.#bytes = encoder.encode(body);
      type = 'text/plain;charset=UTF-8';
    } else if (body instanceof URLSearchParams) {
      this.#bytes = encoder.encode(body.toString());
      type = 'application/x-www-form-urlencoded;charset=UTF-8';
    } else if (body instanceof ArrayBuffer) this.#bytes = new Uint8Array(body.slice(0));
    else if (body instanceof Uint8Array) this.#bytes = Uint8Array.prototype.slice.call(body);
    else throw new TypeError('Response: this body type is not supported here (string, bytes or URLSearchParams)');
    if (this.#bytes !== null && (status === 204 || status === 205 || status === 304)) throw new TypeError(`Response: status ${status} cannot have a body`);
    if (type !== undefined && !this.headers.has('content-type')) this.headers.set('content-type', type);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  /** The body as a stream, made when asked for (oauth4webapi cancels it after an error answer);
   * the bytes stay readable through text()/json(), which our callers use. */
  get body(): ReadableStream<Uint8Array> | null {
    const bytes = this.#bytes;
    if (bytes === null) return null;
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice());
        controller.close();
      },
    });
  }

  #take(): Uint8Array {
    // No body: nothing to use up, every read gives empty bytes (as in the standard).
    if (this.#bytes === null) return new Uint8Array(0);
    if (this.#used) throw new TypeError('Response: the body has already been read');
    this.#used = true;
    return this.#bytes;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.#take();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    return this.#take().slice();
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(this.#take());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  clone(): LiteResponse {
    if (this.#used) throw new TypeError('Response: cannot clone a response whose body was read');
    return new LiteResponse(this.#bytes, { status: this.status, statusText: this.statusText, headers: this.headers });
  }

  get [Symbol.toStringTag](): string {
    return 'Response';
  }
}
