// The SMTP sink Dovecot's submission service relays to: smtp-server on 127.0.0.1, plaintext, no
// auth, accepts everything and appends each message as one JSON line to a file that tests in other
// processes read (client.ts sinkMessages()).
import { appendFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import type { SinkMessage } from './types.ts';

/**
 * smtp-server waits a hard-coded 100 ms before its greeting (early-talker check), and Dovecot
 * opens one relay connection per submission login: 100 ms on every SMTP test. Patch the
 * connection's init so the greeting goes out at once; if the internals moved, keep the delay.
 */
async function removeGreetingDelay(): Promise<void> {
  try {
    const url = new URL('./smtp-connection.js', import.meta.resolve('smtp-server'));
    const mod = (await import(url.href)) as {
      SMTPConnection?: { prototype: Record<string, unknown> };
    };
    const proto = mod.SMTPConnection?.prototype;
    if (!proto || typeof proto._setListeners !== 'function' || typeof proto.connectionReady !== 'function') return;
    proto.init = function init(this: { _setListeners(cb: () => void): void; connectionReady(): void }) {
      this._setListeners(() => this.connectionReady());
    };
  } catch {
    // Layout changed: the sink still works, 100 ms slower per session.
  }
}

export type SmtpSink = {
  port: number;
  messagesFile: string;
  count(): number;
  close(): Promise<void>;
};

export async function startSmtpSink(opts: { messagesFile: string }): Promise<SmtpSink> {
  await removeGreetingDelay();
  writeFileSync(opts.messagesFile, '');
  let count = 0;
  const server = new SMTPServer({
    name: 'sink.localhost',
    banner: 'MOA bench SMTP sink',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    size: 50 * 1024 * 1024,
    // Dovecot closes relay connections itself; idle ones must not keep the sink open at stop.
    socketTimeout: 60_000,
    closeTimeout: 500,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (e: Error) => callback(e));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        const msg: SinkMessage = {
          id: randomUUID(),
          receivedAt: new Date().toISOString(),
          mailFrom: mailFrom ? mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        // One write per line: readers in other processes see whole lines only.
        appendFileSync(opts.messagesFile, `${JSON.stringify(msg)}\n`);
        count += 1;
        callback(null, `Queued as ${msg.id}`);
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    const srv = server.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
  server.on('error', () => undefined);
  return {
    port,
    messagesFile: opts.messagesFile,
    count: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
