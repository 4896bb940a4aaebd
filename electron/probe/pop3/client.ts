// The project's own small POP3 client (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034):
// just what the connection test needs. Every line in and out goes through `onLine`, which is
// where the probe redacts (the SASL payload is written with a placeholder for the log).
import type net from 'node:net';
import { LineReader, parseCapa, readMultiline, readStatus, type Pop3Status } from './reader.ts';

export type LineHook = (direction: 'C' | 'S', text: string) => void;

export class Pop3Client {
  readonly reader = new LineReader();
  private socket: net.Socket;
  private readonly onLine: LineHook;
  private readonly onData = (chunk: Buffer): void => this.reader.push(chunk);
  private readonly onEnd = (): void => this.reader.fail(Object.assign(new Error('Connection closed by the server'), { code: 'ECONNRESET' }));
  private readonly onError = (e: Error): void => this.reader.fail(e);

  constructor(socket: net.Socket, onLine: LineHook) {
    this.socket = socket;
    this.onLine = onLine;
    this.attach(socket);
  }

  attach(socket: net.Socket): void {
    this.socket = socket;
    socket.on('data', this.onData);
    socket.once('end', this.onEnd);
    socket.once('close', this.onEnd);
    socket.on('error', this.onError);
  }

  /** Stop reading from the plain socket before the TLS handshake (STLS). Returns it. */
  detach(): net.Socket {
    const s = this.socket;
    s.removeListener('data', this.onData);
    s.removeListener('end', this.onEnd);
    s.removeListener('close', this.onEnd);
    s.removeListener('error', this.onError);
    return s;
  }

  /** Write command lines in one segment (RFC 2449 PIPELINING when more than one). */
  send(lines: readonly string[], logAs?: readonly string[]): void {
    lines.forEach((l, i) => this.onLine('C', logAs?.[i] ?? l));
    this.socket.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  async status(): Promise<Pop3Status> {
    const s = await readStatus(this.reader);
    this.onLine('S', s.line);
    return s;
  }

  async multiline(): Promise<string[]> {
    const lines = await readMultiline(this.reader);
    for (const l of lines) this.onLine('S', l);
    this.onLine('S', '.');
    return lines;
  }

  /** CAPA; an -ERR (server without CAPA) gives an empty map. */
  async capa(): Promise<{ status: Pop3Status; caps: Map<string, string[]> }> {
    this.send(['CAPA']);
    const status = await this.status();
    if (status.kind !== '+OK') return { status, caps: new Map() };
    return { status, caps: parseCapa(await this.multiline()) };
  }

  destroy(): void {
    this.socket.destroy();
  }
}
