// POP3 response reading (RFC 1939 section 3): CRLF lines, status indicators `+OK` / `-ERR`,
// the SASL continuation `+ ` (RFC 5034 section 4), multi-line responses ending with a lone `.`
// and byte-stuffed `..`. Pure and strict: anything else is a Pop3ProtocolError, never a crash
// or a hang (fuzzed in test/unit/probe-fuzz.test.ts).

export class Pop3ProtocolError extends Error {
  override name = 'Pop3ProtocolError';
  readonly code = 'EPROTOCOL';
}

export type Pop3Status = { kind: '+OK' | '-ERR' | '+'; text: string; line: string };

/** RFC 2449 section 4 limits a response line to 512 octets; real servers send longer CAPA
 * lines and challenges, so allow more, but never an unbounded buffer. */
export const MAX_LINE = 8192;
const MAX_MULTILINE = 1000;

export function parseStatusLine(line: string): Pop3Status {
  // `+ ` with a base64 challenge, or a bare `+` (empty challenge; some servers omit the space)
  if (line === '+' || line.startsWith('+ ')) return { kind: '+', text: line.slice(2), line };
  const m = /^(\+OK|-ERR)(?:[ \t](.*))?$/i.exec(line);
  if (!m || !m[1]) throw new Pop3ProtocolError(`Not a POP3 status line: ${JSON.stringify(line.slice(0, 80))}`);
  const kind = m[1].toUpperCase() === '+OK' ? '+OK' : '-ERR';
  return { kind, text: m[2] ?? '', line };
}

/** Splits a byte stream into lines and hands them out in order; EOF and overflow reject. */
export class LineReader {
  private partial = '';
  private readonly lines: string[] = [];
  private waiting: { resolve: (l: string) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly maxLine: number;

  constructor(maxLine = MAX_LINE) {
    this.maxLine = maxLine;
  }

  /** Bytes received but not yet handed out (for the STARTTLS injection check, RFC 2595 section 4). */
  get buffered(): number {
    return this.partial.length + this.lines.reduce((n, l) => n + l.length + 2, 0);
  }

  push(chunk: Buffer): void {
    if (this.failure) return;
    // latin1 keeps one char per byte, so the length limits are byte limits
    const data = this.partial + chunk.toString('latin1');
    const parts = data.split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) {
      const line = p.endsWith('\r') ? p.slice(0, -1) : p;
      if (line.length > this.maxLine) return this.fail(new Pop3ProtocolError('Response line too long'));
      this.lines.push(line);
    }
    if (this.partial.length > this.maxLine) return this.fail(new Pop3ProtocolError('Response line too long'));
    this.deliver();
  }

  /** The stream ended or broke: pending and later reads reject. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.deliver();
  }

  next(): Promise<string> {
    if (this.waiting) return Promise.reject(new Error('LineReader: concurrent read'));
    return new Promise<string>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }

  private deliver(): void {
    const w = this.waiting;
    if (!w) return;
    const line = this.lines.shift();
    if (line !== undefined) {
      this.waiting = undefined;
      w.resolve(line);
    } else if (this.failure) {
      this.waiting = undefined;
      w.reject(this.failure);
    }
  }
}

export async function readStatus(reader: LineReader): Promise<Pop3Status> {
  return parseStatusLine(await reader.next());
}

/** The body of a multi-line response after its `+OK` line, dot-unstuffed (RFC 1939 section 3). */
export async function readMultiline(reader: LineReader): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const line = await reader.next();
    if (line === '.') return out;
    if (out.length >= MAX_MULTILINE) throw new Pop3ProtocolError('Multi-line response too long');
    out.push(line.startsWith('..') ? line.slice(1) : line);
  }
}

/** CAPA (RFC 2449): capability name -> arguments, upper-cased names. */
export function parseCapa(lines: readonly string[]): Map<string, string[]> {
  const caps = new Map<string, string[]>();
  for (const l of lines) {
    const [name, ...args] = l.trim().split(/\s+/);
    if (name) caps.set(name.toUpperCase(), args);
  }
  return caps;
}
