// The control endpoint: a loopback HTTP server in the bench process through which tests in other
// processes flip shared knobs (IdP proxy up/down, ...). POST /control/<action> with
// `authorization: Bearer <secret>` (the secret is in BenchInfo.control); JSON in, JSON out.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';

export type ControlAction = (params: Record<string, unknown>) => Promise<unknown>;

export type ControlServer = { url: string; close(): Promise<void> };

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > 1024 * 1024) throw new Error('body too large');
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  const v: unknown = JSON.parse(text);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export async function startControl(secret: string, actions: Record<string, ControlAction>): Promise<ControlServer> {
  const expected = Buffer.from(`Bearer ${secret}`);
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const got = Buffer.from(req.headers.authorization ?? '');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) return reply(401, { error: 'bad secret' });
    const m = /^\/control\/([\w-]+)$/.exec(req.url ?? '');
    const action = m?.[1] !== undefined ? actions[m[1]] : undefined;
    if (req.method !== 'POST' || !action) {
      return reply(404, { error: 'unknown action', actions: Object.keys(actions) });
    }
    readJson(req)
      .then((params) => action(params))
      .then((result) => reply(200, { ok: true, result: result ?? null }))
      .catch((err: unknown) => reply(500, { error: err instanceof Error ? err.message : String(err) }));
  });
  server.keepAliveTimeout = 1000;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
