// What the bench publishes to the tests (written as JSON by test/run.ts, named by MOA_BENCH_INFO,
// read back by client.ts in every test process). Plain data only: no functions, no secrets of
// the real world (every password, secret and key here exists only for one bench run).
import { z } from 'zod';

export const Protocol = z.enum(['imap', 'pop3', 'smtp']);
export type Protocol = z.infer<typeof Protocol>;

/** tls = implicit TLS from the first byte; starttls = plaintext greeting, STARTTLS/STLS offered;
 *  plain = plaintext only, no TLS offered at all. */
export const Security = z.enum(['tls', 'starttls', 'plain']);
export type Security = z.infer<typeof Security>;

export const Listener = z.object({
  host: z.string(),
  port: z.number().int().positive(),
  security: Security,
});
export type Listener = z.infer<typeof Listener>;

/** A Dovecot instance as a mail client sees it: each protocol with STARTTLS and implicit TLS. */
export const MailServer = z.object({
  /** Which Dovecot instance serves it (its log file is in `dovecot[].logFile`). */
  instance: z.string(),
  /** The name a client must verify in the certificate (SNI / host name check). */
  tlsName: z.string(),
  imap: z.object({ starttls: Listener, tls: Listener }),
  pop3: z.object({ starttls: Listener, tls: Listener }),
  smtp: z.object({ starttls: Listener, tls: Listener }),
});
export type MailServer = z.infer<typeof MailServer>;

export const MalformedMode = z.enum([
  /** bytes that are no protocol at all instead of the greeting, connection kept open */
  'garbage-greeting',
  /** a good greeting, then the answer to the first command stops mid-line and the server closes */
  'truncated',
  /** a greeting line of several MiB that never ends in time (a client must cap line length) */
  'oversize-line',
  /** IMAP CAPABILITY / POP3 CAPA / SMTP EHLO answered with nonsense */
  'bogus-capability',
  /** AUTHENTICATE / AUTH answered with endless non-base64 continuations */
  'bogus-continuation',
  /** STARTTLS offered, then refused (IMAP `NO`, POP3 `-ERR`, SMTP `454 4.7.0 TLS not available`) */
  'starttls-refused',
]);
export type MalformedMode = z.infer<typeof MalformedMode>;

export const MalformedListener = Listener.extend({ protocol: Protocol, mode: MalformedMode });
export type MalformedListener = z.infer<typeof MalformedListener>;

export const User = z.object({
  address: z.string(),
  password: z.string(),
  name: z.string(),
  /** The mailbox login (SASL authzid / user= field): the address itself on this bench. */
  login: z.string(),
});
export type User = z.infer<typeof User>;

export const Client = z.object({
  id: z.string(),
  /** null for public clients */
  secret: z.string().nullable(),
  authMethod: z.enum(['none', 'client_secret_post', 'client_secret_basic']),
  applicationType: z.enum(['native', 'web']),
  redirectUris: z.array(z.string()),
  grantTypes: z.array(z.string()),
  /** Access token lifetime in seconds. */
  accessTokenTtl: z.number(),
  purpose: z.string(),
  /** daemon only: the mailbox its client-credentials tokens open (like Add-MailboxPermission). */
  mailbox: z.string().optional(),
});
export type Client = z.infer<typeof Client>;

export const DovecotInstance = z.object({
  name: z.string(),
  pid: z.number().int(),
  configFile: z.string(),
  logFile: z.string(),
});

export const BenchInfo = z.object({
  version: z.literal(1),
  /** Temp dir holding everything of this run (certs, Dovecot configs, logs, maildirs, sink). */
  dir: z.string(),
  issuer: z.string(),
  discoveryUrl: z.string(),
  /** The provider's discovery document as served (MSAL can take it as authorityMetadata). */
  discovery: z.record(z.string(), z.unknown()),
  endpoints: z.object({
    authorization: z.string(),
    token: z.string(),
    introspection: z.string(),
    revocation: z.string(),
    deviceAuthorization: z.string(),
    userinfo: z.string(),
    jwks: z.string(),
    endSession: z.string(),
  }),
  ca: z.object({ path: z.string(), pem: z.string() }),
  /** The server certificate (localhost, 127.0.0.1, 127.0.0.2; signed by the CA) and its key, as
   *  files: for scripted servers a test starts itself (exchange-delegates.ts). */
  serverTls: z.object({ cert: z.string(), key: z.string() }),
  /** Scope strings the mail servers require, per protocol (the `scope` of a token must hold it). */
  scopes: z.object({ imap: z.string(), pop3: z.string(), smtp: z.string(), all: z.string() }),
  users: z.array(User),
  clients: z.record(z.string(), Client),
  mail: z.object({
    /** Good certificate (test CA, localhost/127.0.0.1), IdP reachable. */
    main: MailServer,
    /** Same instance on 127.0.0.2: the client connects from 127.0.0.1, so a plaintext session is
     *  NOT secure and OAuth AUTH is refused until STARTTLS (the `tls` listeners work). */
    tlsRequired: MailServer,
  }),
  failures: z.object({
    /** Dovecot whose introspection goes to a switchable proxy, down unless `idp-up` was sent:
     *  AUTH gets "Temporary authentication failure". */
    idpUnavailable: MailServer,
    /** Self-signed certificate for localhost (name right, issuer unknown). */
    untrustedCert: MailServer,
    /** Certificate from the test CA for another host name (OTHER_HOST_NAME) on 127.0.0.2. */
    hostMismatch: MailServer,
    /** The only name in hostMismatch's certificate. */
    hostMismatchCertName: z.string(),
    /** Accepts TCP and never says anything. */
    silent: Listener,
    /** Completes the TLS handshake (good certificate) and never says anything. */
    silentTls: Listener,
    /** A port on which nothing listens (connection refused). */
    closedPort: z.object({ host: z.string(), port: z.number().int().positive() }),
    /** Servers speaking broken IMAP/POP3/SMTP; one per protocol, mode and (plain | tls). */
    malformed: z.array(MalformedListener),
    /** Scripted smtp.gmail.com (implicit TLS, bench certificate): refuses every OAuth token with
     *  Google's exact 334 challenge and 535-5.7.8 dialogue (test/bench/gmail-smtp.ts). */
    gmailSmtp: Listener,
  }),
  sink: z.object({
    /** Where Dovecot's submission service relays to (plaintext SMTP, no auth). */
    host: z.string(),
    port: z.number().int().positive(),
    /** JSON lines, one SinkMessage each, appended as messages arrive. */
    messagesFile: z.string(),
  }),
  control: z.object({ url: z.string(), secret: z.string() }),
  dovecot: z.array(DovecotInstance),
});
export type BenchInfo = z.infer<typeof BenchInfo>;

export const SinkMessage = z.object({
  id: z.string(),
  receivedAt: z.string(),
  mailFrom: z.string(),
  rcptTo: z.array(z.string()),
  /** The message as received (headers + body), as UTF-8 text. */
  raw: z.string(),
});
export type SinkMessage = z.infer<typeof SinkMessage>;

export const TokenSet = z.object({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: z.number().optional(),
  scope: z.string().optional(),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
});
export type TokenSet = z.infer<typeof TokenSet>;
