// The development web host (DESIGN.md): serves the built renderer to a normal browser and carries
// the same IPC contract to the same handlers over loopback HTTP, guarded by a per-launch secret.
// It exists so the real UI can be driven by real Chromium in tests and used on machines without a
// display. It binds 127.0.0.1 only and refuses requests without the secret.
//
//   POST /ipc/<channel>   body: JSON input; header Authorization: Bearer <secret> -> Result JSON
//   GET  /events          header Authorization: Bearer <secret> -> NDJSON stream of {event, payload}
//   GET  /*               the renderer's static files (no secret needed: they hold none)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { dispatch, type Emit, type Handlers } from '../core/ipc-dispatch.ts';
import { RENDERER_CSP } from '../app/policy.ts';
import { appError } from '../../shared/result.ts';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
const MAX_BODY = 1024 * 1024;

export type WebHost = {
  url: string;
  /** The URL to open: the secret travels in the fragment, which browsers never send to servers. */
  openUrl: string;
  secret: string;
  emit: Emit;
  close(): Promise<void>;
};

export type WebHostOptions = {
  staticDir: string;
  /** Handlers are built after the host exists, because they need its `emit`. */
  handlers: (emit: Emit) => Handlers;
  port?: number;
  secret?: string;
};

function secretMatches(req: IncomingMessage, secret: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': RENDERER_CSP,
    'Referrer-Policy': 'no-referrer',
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The decoded path, or undefined when its percent-encoding is invalid. */
function decodePath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const secret = options.secret ?? randomBytes(24).toString('base64url');
  const streams = new Set<ServerResponse>();
  const emit: Emit = (event, payload) => {
    const line = `${JSON.stringify({ event, payload })}\n`;
    for (const res of streams) res.write(line);
  };
  const handlers = options.handlers(emit);
  let expectedHost = '';

  const server = createServer((req, res) => {
    void (async () => {
      // DNS-rebinding defence: only our own loopback host name is served.
      if (req.headers.host !== expectedHost) return send(res, 421, '{"error":"wrong host"}');
      const url = new URL(req.url ?? '/', `http://${expectedHost}`);
      // A path with broken percent-encoding (`/%E0%A4%A`, `/%zz`) is the client's mistake: 400,
      // not the 500 a URIError from decodeURIComponent would turn into.
      const path = decodePath(url.pathname);
      if (path === undefined) return send(res, 400, JSON.stringify({ ok: false, error: appError('VALIDATION_FAILED', 'The request path has invalid percent-encoding.') }));
      if (url.pathname.startsWith('/ipc/')) {
        if (req.method !== 'POST') return send(res, 405, '{"error":"POST only"}');
        if (!secretMatches(req, secret)) return send(res, 401, JSON.stringify({ ok: false, error: appError('FORBIDDEN_SENDER', 'Missing or wrong web host secret.') }));
        let input: unknown;
        try {
          const text = await readBody(req);
          input = text === '' ? {} : (JSON.parse(text) as unknown);
        } catch {
          return send(res, 400, JSON.stringify({ ok: false, error: appError('VALIDATION_FAILED', 'The request body is not valid JSON.') }));
        }
        const channel = path.slice('/ipc/'.length);
        return send(res, 200, JSON.stringify(await dispatch(handlers, channel, input)));
      }
      if (url.pathname === '/events') {
        if (!secretMatches(req, secret)) return send(res, 401, '{"error":"forbidden"}');
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
        res.write('\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, '{"error":"GET only"}');
      const rel = path === '/' ? 'index.html' : path.slice(1);
      const file = normalize(join(options.staticDir, rel));
      if (!file.startsWith(normalize(options.staticDir) + sep)) return send(res, 404, 'not found', 'text/plain');
      try {
        const body = await readFile(file);
        res.writeHead(200, {
          'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
          'Content-Security-Policy': RENDERER_CSP,
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          'Cache-Control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        send(res, 404, 'not found', 'text/plain; charset=utf-8');
      }
    })().catch(() => {
      if (!res.headersSent) send(res, 500, '{"error":"internal"}');
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  expectedHost = `127.0.0.1:${port}`;
  const url = `http://${expectedHost}/`;
  return {
    url,
    openUrl: `${url}#secret=${secret}`,
    secret,
    emit,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        streams.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
