// Reads a mail protocol conversation line by line (and IMAP literals byte by byte) from a socket
// while the bridge still has to understand it: before local authentication on the client side,
// and during the upstream sign-in. Afterwards `detach()` hands back whatever was read ahead (a
// client may pipeline commands behind its login) so the byte pipe starts exactly there.
//
// Limits, because before authentication the peer is anyone who can connect to 127.0.0.1: a line
// longer than `maxLine` is an error (`LineTooLong`), and nothing is buffered beyond that.
import type { Duplex } from 'node:stream';

export class LineTooLong extends Error {
  override name = 'LineTooLong';
}

export class Reader {
  readonly #socket: Duplex;
  #buf: Buffer = Buffer.alloc(0);
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  readonly #onData = (chunk: Buffer): void => {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    // Backpressure before authentication: stop reading while a full line is waiting unread.
    if (this.#buf.length > this.maxLine) this.#socket.pause();
    this.#notify();
  };
  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#notify();
  };
  readonly #onError = (e: Error): void => {
    this.#error = e;
    this.#notify();
  };
  readonly maxLine: number;

  constructor(socket: Duplex, maxLine = 16 * 1024) {
    this.#socket = socket;
    this.maxLine = maxLine;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
    socket.on('error', this.#onError);
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  #wait(): Promise<void> {
    this.#socket.resume();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** The next line without its CRLF (a bare LF is accepted too); undefined when the peer closed. */
  async line(): Promise<string | undefined> {
    const raw = await this.lineBytes();
    return raw?.toString('latin1');
  }

  async lineBytes(): Promise<Buffer | undefined> {
    for (;;) {
      const nl = this.#buf.indexOf(0x0a);
      if (nl >= 0) {
        if (nl > this.maxLine) throw new LineTooLong(`line longer than ${this.maxLine} bytes`);
        const end = nl > 0 && this.#buf[nl - 1] === 0x0d ? nl - 1 : nl;
        const out = this.#buf.subarray(0, end);
        this.#buf = this.#buf.subarray(nl + 1);
        return out;
      }
      if (this.#buf.length > this.maxLine) throw new LineTooLong(`line longer than ${this.maxLine} bytes`);
      if (this.#error) throw this.#error;
      if (this.#ended) return undefined;
      await this.#wait();
    }
  }

  /** Exactly n bytes (an IMAP literal); undefined when the peer closed first. */
  async bytes(n: number): Promise<Buffer | undefined> {
    for (;;) {
      if (this.#buf.length >= n) {
        const out = this.#buf.subarray(0, n);
        this.#buf = this.#buf.subarray(n);
        return out;
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return undefined;
      await this.#wait();
    }
  }

  /** True when bytes that were read ahead are waiting (a client pipelining behind its login). */
  get pending(): number {
    return this.#buf.length;
  }

  /** Stop reading; returns the bytes read ahead. The socket is left paused for the caller's pipe. */
  detach(): Buffer {
    this.#socket.pause();
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
    this.#socket.off('error', this.#onError);
    const rest = this.#buf;
    this.#buf = Buffer.alloc(0);
    return rest;
  }
}
