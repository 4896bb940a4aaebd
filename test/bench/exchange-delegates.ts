// A scripted IMAP + SMTP server that behaves like Exchange Online towards shared mailboxes and
// their delegates (issue 19; PROVIDERS.md "Shared mailboxes" and "Exchange responses"). Dovecot
// cannot play this: it accepts a token only for the user it names. Exchange instead
// - takes the SASL user (the mailbox) and the token (whoever signed in) separately: a token of
//   user A opens mailbox B when B is A's own, or when A was given Full Access to B
//   (Add-MailboxPermission); otherwise IMAP AUTHENTICATE still succeeds and every later command
//   gets `NO User is authenticated but not connected.` (the confusing part users meet);
// - on SMTP, lets A send as B only with Send As (Add-RecipientPermission): `MAIL FROM:<B>` without
//   it is refused with Exchange's STOREDRV text.
// Tokens are checked like Dovecot checks them: RFC 7662 introspection at the bench IdP as the
// `dovecot` client (active, `username`, and the protocol's scope). TLS uses the bench CA's server
// certificate: IMAP implicit TLS (993-like), SMTP STARTTLS (587-like), as Microsoft serves them.
// Delegations are given to the constructor: each test builds its own server on port 0.
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { createServer, type Server, type Socket } from 'node:net';
import { request } from 'node:https';

export type Delegation = {
  /** Users (addresses) with Full Access: their token opens this mailbox over IMAP and SMTP AUTH. */
  fullAccess?: readonly string[];
  /** Users allowed to send as this mailbox (Send As). */
  sendAs?: readonly string[];
};

export type ExchangeDelegatesOptions = {
  /** Mailbox address -> who may open it / send as it (a mailbox always opens for its own user). */
  delegates: Readonly<Record<string, Delegation>>;
  /** The bench IdP's introspection endpoint and the resource-server client Dovecot uses. */
  introspection: { url: string; clientId: string; clientSecret: string; ca: string };
  tls: { cert: string; key: string };
  /** Scope a token must hold per protocol (the bench's `imap` / `smtp`). */
  scopes: { imap: string; smtp: string };
  /** Messages in each mailbox's INBOX (STATUS / SELECT); default 1. */
  messages?: Readonly<Record<string, number>>;
  host?: string;
};

/** One sign-in as the server saw it (no token): for tests that check who was let in. */
export type ExchangeSession = {
  protocol: 'imap' | 'smtp';
  /** The SASL user: the mailbox asked for. */
  mailbox: string;
  /** Whose token it was (introspection `username`), when active. */
  tokenUser?: string;
  result: 'refused' | 'connected' | 'not-connected';
};

export const EXCHANGE_TEXTS = {
  imapGreeting: '* OK The Microsoft Exchange IMAP4 service is ready. [TQBXADIAUABSADAAMQBDAEEAMAAwADAAMQAuAG8AdQB0AGwAbwBvAGsA]',
  imapAuthFailed: 'NO AUTHENTICATE failed.',
  notConnected: 'NO User is authenticated but not connected.',
  smtpAuthFailed: '535 5.7.3 Authentication unsuccessful [XX0PR00CA0001.namprd00.prod.outlook.com 2026-01-01T00:00:00.000Z 08DC0000000000]',
  smtpNotAuthenticated: '530 5.7.57 Client not authenticated to send mail. [XX0PR00CA0001.namprd00.prod.outlook.com]',
  /** PROVIDERS.md: Exchange's STOREDRV refusal when the signed-in user may not use the sender. */
  sendAsRefused: '430 4.2.0 STOREDRV; mailbox logon failure',
} as const;

type Introspection = { active: boolean; username?: string; scope?: string };

const lower = (s: string): string => s.trim().toLowerCase();

export class ExchangeDelegatesServer {
  readonly #o: ExchangeDelegatesOptions;
  readonly #context: SecureContext;
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();
  /** Every sign-in attempt, in order. */
  readonly sessions: ExchangeSession[] = [];
  imap: { host: string; port: number; security: 'tls' } | undefined;
  smtp: { host: string; port: number; security: 'starttls' } | undefined;

  constructor(options: ExchangeDelegatesOptions) {
    this.#o = options;
    this.#context = createSecureContext({ cert: options.tls.cert, key: options.tls.key });
  }

  async start(): Promise<this> {
    const host = this.#o.host ?? '127.0.0.1';
    const imapPort = await this.#listen(host, (raw) => {
      const s = new TLSSocket(raw, { isServer: true, secureContext: this.#context });
      s.on('error', () => undefined);
      s.once('secure', () => this.#imap(s));
    });
    const smtpPort = await this.#listen(host, (raw) => this.#smtp(raw));
    this.imap = { host, port: imapPort, security: 'tls' };
    this.smtp = { host, port: smtpPort, security: 'starttls' };
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await Promise.all(this.#servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  }

  /** A token of `user` opens `mailbox` (own mailbox or Full Access). */
  #opens(user: string, mailbox: string): boolean {
    return lower(user) === lower(mailbox) || (this.#o.delegates[lower(mailbox)]?.fullAccess ?? []).some((u) => lower(u) === lower(user));
  }

  #maySendAs(user: string, sender: string): boolean {
    return lower(user) === lower(sender) || (this.#o.delegates[lower(sender)]?.sendAs ?? []).some((u) => lower(u) === lower(user));
  }

  #listen(host: string, onConnection: (s: Socket) => void): Promise<number> {
    const server = createServer((s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
      s.on('error', () => undefined);
      onConnection(s);
    });
    this.#servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      });
    });
  }

  /** RFC 7662 introspection, as Dovecot's oauth2 passdb does it (client_secret_post). */
  #introspect(token: string): Promise<Introspection> {
    const { url, clientId, clientSecret, ca } = this.#o.introspection;
    const body = new URLSearchParams({ token, client_id: clientId, client_secret: clientSecret }).toString();
    return new Promise((resolve) => {
      const req = request(
        url,
        { method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) }, timeout: 10_000 },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            try {
              const j = JSON.parse(text) as Record<string, unknown>;
              const out: Introspection = { active: j.active === true };
              if (typeof j.username === 'string') out.username = j.username;
              if (typeof j.scope === 'string') out.scope = j.scope;
              resolve(out);
            } catch {
              resolve({ active: false });
            }
          });
        },
      );
      req.on('error', () => resolve({ active: false }));
      req.on('timeout', () => req.destroy());
      req.end(body);
    });
  }

  /** XOAUTH2's `user=<mailbox>\x01auth=Bearer <token>\x01\x01` (PROVIDERS.md "SASL formats"). */
  static #parseXoauth2(b64: string): { user: string; token: string } | undefined {
    const text = Buffer.from(b64, 'base64').toString('utf8');
    const [user, auth, end1, end2, ...more] = text.split('\u0001');
    if (user === undefined || !user.startsWith('user=') || !auth?.startsWith('auth=Bearer ') || end1 !== '' || end2 !== '' || more.length > 0) return undefined;
    return { user: user.slice(5), token: auth.slice('auth=Bearer '.length) };
  }

  /** Check a sign-in; records it. */
  async #signIn(protocol: 'imap' | 'smtp', b64: string): Promise<{ mailbox: string; tokenUser: string; connected: boolean } | undefined> {
    const parsed = ExchangeDelegatesServer.#parseXoauth2(b64);
    if (!parsed) {
      this.sessions.push({ protocol, mailbox: '', result: 'refused' });
      return undefined;
    }
    const info = await this.#introspect(parsed.token);
    const scopeOk = (info.scope ?? '').split(' ').includes(this.#o.scopes[protocol]);
    if (!info.active || info.username === undefined || !scopeOk) {
      this.sessions.push({ protocol, mailbox: lower(parsed.user), result: 'refused' });
      return undefined;
    }
    const connected = this.#opens(info.username, parsed.user);
    this.sessions.push({ protocol, mailbox: lower(parsed.user), tokenUser: info.username, result: connected ? 'connected' : 'not-connected' });
    return { mailbox: lower(parsed.user), tokenUser: info.username, connected };
  }

  // ------------------------------------------------------------------ IMAP (RFC 3501 subset)

  #imap(s: TLSSocket): void {
    const write = (line: string): void => {
      if (!s.destroyed) s.write(`${line}\r\n`);
    };
    const caps = 'IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+';
    let state: { mailbox: string; connected: boolean } | undefined;
    let pendingAuth: string | undefined; // tag waiting for the SASL continuation
    let busy = Promise.resolve();
    let buf = '';
    write(EXCHANGE_TEXTS.imapGreeting);

    const authenticate = async (tag: string, b64: string): Promise<void> => {
      const r = await this.#signIn('imap', b64);
      if (!r) return write(`${tag} ${EXCHANGE_TEXTS.imapAuthFailed}`);
      // Exchange says OK here even when the token's user cannot open the mailbox.
      state = { mailbox: r.mailbox, connected: r.connected };
      write(`${tag} OK AUTHENTICATE completed.`);
    };

    const handle = async (line: string): Promise<void> => {
      if (pendingAuth !== undefined) {
        const tag = pendingAuth;
        pendingAuth = undefined;
        if (line === '*') return write(`${tag} BAD Command Argument Error. 12`);
        return authenticate(tag, line);
      }
      const m = /^(\S+) (\S+)(?: (.*))?$/.exec(line);
      if (!m) return write('* BAD Command Error. 10');
      const [, tag = '*', verbRaw = '', rest = ''] = m;
      const verb = verbRaw.toUpperCase();
      if (verb === 'CAPABILITY') return write(`* CAPABILITY ${caps}\r\n${tag} OK CAPABILITY completed.`);
      if (verb === 'NOOP') return write(`${tag} OK NOOP completed.`);
      if (verb === 'ID') return write(`* ID ("name" "Microsoft.Exchange.Imap4.Imap4Server" "version" "15.20")\r\n${tag} OK ID completed.`);
      if (verb === 'LOGOUT') {
        write('* BYE Microsoft Exchange Server IMAP4 server signing off.');
        write(`${tag} OK LOGOUT completed.`);
        s.end();
        return;
      }
      if (!state) {
        if (verb === 'AUTHENTICATE') {
          const [mech = '', initial] = rest.split(' ');
          if (mech.toUpperCase() !== 'XOAUTH2') return write(`${tag} ${EXCHANGE_TEXTS.imapAuthFailed}`);
          if (initial === undefined) {
            pendingAuth = tag;
            return write('+ ');
          }
          return authenticate(tag, initial);
        }
        if (verb === 'LOGIN') return write(`${tag} NO LOGIN failed.`);
        return write(`${tag} BAD Command received in Invalid state.`);
      }
      // Signed in: a token whose user has no Full Access gets this on every mailbox command.
      if (!state.connected) return write(`${tag} ${EXCHANGE_TEXTS.notConnected}`);
      const count = this.#o.messages?.[state.mailbox] ?? 1;
      switch (verb) {
        case 'NAMESPACE':
          return write(`* NAMESPACE (("" "/")) NIL NIL\r\n${tag} OK NAMESPACE completed.`);
        case 'ENABLE':
          return write(`* ENABLED\r\n${tag} OK ENABLE completed.`);
        case 'LIST':
        case 'LSUB':
          return write(`* ${verb} (\\HasNoChildren) "/" INBOX\r\n${tag} OK ${verb} completed.`);
        case 'STATUS':
          if (!/^"?INBOX"?\s/i.test(rest)) return write(`${tag} NO The requested item could not be found.`);
          return write(`* STATUS INBOX (MESSAGES ${count})\r\n${tag} OK STATUS completed.`);
        case 'SELECT':
        case 'EXAMINE':
          if (!/^"?INBOX"?$/i.test(rest.trim())) return write(`${tag} NO Folder not found.`);
          return write(
            [
              '* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)',
              '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)] Permanent flags',
              `* ${count} EXISTS`,
              '* 0 RECENT',
              '* OK [UIDVALIDITY 14] UIDVALIDITY value',
              `* OK [UIDNEXT ${count + 1}] The next unique identifier value`,
              `${tag} OK [${verb === 'SELECT' ? 'READ-WRITE' : 'READ-ONLY'}] ${verb} completed.`,
            ].join('\r\n'),
          );
        case 'CLOSE':
        case 'UNSELECT':
          return write(`${tag} OK ${verb} completed.`);
        default:
          return write(`${tag} BAD Command Error. 12`);
      }
    };

    s.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      if (buf.length > 64 * 1024) return void s.destroy();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        // One command at a time, in order (introspection is asynchronous).
        busy = busy.then(() => handle(line)).catch(() => void s.destroy());
      }
    });
  }

  // ------------------------------------------------------------------ SMTP submission (RFC 6409 subset)

  #smtp(raw: Socket): void {
    const name = 'XX0PR00CA0001.outlook.office365.com';
    let s: Socket = raw;
    let secure = false;
    let signedIn: { mailbox: string; tokenUser: string } | undefined;
    let pendingAuth = false;
    let inData = false;
    let buf = '';
    let busy = Promise.resolve();
    const write = (text: string): void => {
      if (!s.destroyed) s.write(`${text}\r\n`);
    };
    const ehlo = (): string =>
      [
        `250-${name} Hello [${raw.remoteAddress ?? '127.0.0.1'}]`,
        '250-SIZE 157286400',
        '250-PIPELINING',
        '250-DSN',
        '250-ENHANCEDSTATUSCODES',
        ...(secure ? ['250-AUTH LOGIN XOAUTH2'] : ['250-STARTTLS']),
        '250-8BITMIME',
        '250-BINARYMIME',
        '250-CHUNKING',
        '250 SMTPUTF8',
      ].join('\r\n');
    write(`220 ${name} Microsoft ESMTP MAIL Service ready at Thu, 1 Jan 2026 00:00:00 +0000`);

    const authenticate = async (b64: string): Promise<void> => {
      const r = await this.#signIn('smtp', b64);
      // SMTP has no "not connected" state: a token that cannot open the mailbox is refused.
      if (!r || !r.connected) return write(EXCHANGE_TEXTS.smtpAuthFailed);
      signedIn = r;
      write('235 2.7.0 Authentication successful');
    };

    const handle = async (line: string): Promise<void> => {
      if (inData) {
        if (line === '.') {
          inData = false;
          write(`250 2.0.0 OK <${Date.now()}@${name}> [Hostname=${name}]`);
        }
        return;
      }
      if (pendingAuth) {
        pendingAuth = false;
        if (line === '*') return write('501 5.7.0 Authentication aborted');
        return authenticate(line);
      }
      const [verbRaw = '', ...args] = line.split(' ');
      const verb = verbRaw.toUpperCase();
      switch (verb) {
        case 'EHLO':
          return write(ehlo());
        case 'HELO':
          return write(`250 ${name} Hello`);
        case 'STARTTLS': {
          if (secure) return write('503 5.5.2 Only one STARTTLS command can be issued per session.');
          write('220 2.0.0 SMTP server ready');
          const plain = s;
          plain.removeAllListeners('data');
          const t = new TLSSocket(plain, { isServer: true, secureContext: this.#context });
          t.on('error', () => undefined);
          s = t;
          secure = true;
          buf = '';
          t.on('data', onData);
          return;
        }
        case 'AUTH': {
          if (!secure) return write('504 5.7.4 Unrecognized authentication type');
          if (signedIn) return write('503 5.5.2 Already authenticated');
          if ((args[0] ?? '').toUpperCase() !== 'XOAUTH2') return write('504 5.7.4 Unrecognized authentication type');
          if (args[1] === undefined) {
            pendingAuth = true;
            return write('334 ');
          }
          return authenticate(args[1]);
        }
        case 'MAIL': {
          if (!signedIn) return write(EXCHANGE_TEXTS.smtpNotAuthenticated);
          const sender = /^FROM:\s*<([^>]*)>/i.exec(args.join(' '))?.[1] ?? '';
          // Sending as the shared mailbox needs Send As for the token's user.
          if (!this.#maySendAs(signedIn.tokenUser, sender)) return write(EXCHANGE_TEXTS.sendAsRefused);
          return write('250 2.1.0 Sender OK');
        }
        case 'RCPT':
          if (!signedIn) return write(EXCHANGE_TEXTS.smtpNotAuthenticated);
          return write('250 2.1.5 Recipient OK');
        case 'DATA':
          if (!signedIn) return write(EXCHANGE_TEXTS.smtpNotAuthenticated);
          inData = true;
          return write('354 Start mail input; end with <CRLF>.<CRLF>');
        case 'RSET':
          return write('250 2.0.0 Resetting');
        case 'NOOP':
          return write('250 2.0.0 OK');
        case 'QUIT':
          write('221 2.0.0 Service closing transmission channel');
          s.end();
          return;
        default:
          return write('500 5.3.3 Unrecognized command');
      }
    };

    function onData(chunk: Buffer): void {
      buf += chunk.toString('latin1');
      if (buf.length > 1024 * 1024) return void s.destroy();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        busy = busy.then(() => handle(line)).catch(() => void s.destroy());
      }
    }
    raw.on('data', onData);
  }
}
