// The IMAP front end (RFC 3501 / 9051, not authenticated state only): greeting, CAPABILITY,
// NOOP, LOGOUT, STARTTLS, LOGIN and AUTHENTICATE PLAIN/LOGIN with the bridge password. Everything
// else waits for sign-in. After the upstream sign-in the client gets the server's own tagged OK
// (with its post-login [CAPABILITY ...]) under the client's tag, and the session becomes a pipe.
//
// The capability list before login is the bridge's, not the server's: the password mechanisms
// the client needs (AUTH=PLAIN AUTH=LOGIN, SASL-IR), no LOGINDISABLED (the bridge accepts LOGIN
// on loopback), none of the server's OAuth-only AUTH= entries, and STARTTLS only when TLS towards
// the client is on. Literals are accepted in their synchronizing form only, up to 8 KiB (a user
// name or password), because before sign-in the peer is anyone on this machine.
import { continuation, saslCredentials, type Credentials } from './local-sasl.ts';
import type { ClientSession } from './session.ts';

const MAX_LITERAL = 8192;
const MAX_TOKENS = 16;
/** Bad or refused commands before the bridge hangs up on a client that is not a mail client. */
const MAX_ERRORS = 20;

class BadCommand extends Error {
  override name = 'BadCommand';
}
class Fatal extends Error {
  override name = 'Fatal';
}

type Command = { tag: string; name: string; args: string[] };

/** Splits one line (without CRLF) into atoms and quoted strings; a trailing `{n}` is a literal. */
function tokenize(line: string, out: string[]): { literal?: number; nonSync?: boolean } {
  let i = 0;
  while (i < line.length) {
    if (out.length > MAX_TOKENS) throw new BadCommand('too many arguments');
    const ch = line[i];
    if (ch === ' ') {
      i++;
      continue;
    }
    if (ch === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= line.length) throw new BadCommand('unterminated quoted string');
        const c = line[i++];
        if (c === '"') break;
        if (c === '\\') {
          const next = line[i++];
          if (next !== '"' && next !== '\\') throw new BadCommand('bad escape in quoted string');
          s += next;
        } else s += c;
      }
      out.push(s);
      continue;
    }
    const lit = /^\{(\d{1,10})(\+?)\}$/.exec(line.slice(i));
    if (lit) return { literal: Number(lit[1]), nonSync: lit[2] === '+' };
    let j = line.indexOf(' ', i);
    if (j < 0) j = line.length;
    out.push(line.slice(i, j));
    i = j;
  }
  return {};
}

async function readCommand(s: ClientSession): Promise<Command | undefined> {
  const tokens: string[] = [];
  let line = await s.reader.line();
  if (line === undefined) return undefined;
  let tag: string;
  for (;;) {
    let more: { literal?: number; nonSync?: boolean };
    try {
      more = tokenize(line, tokens);
    } catch (e) {
      throw Object.assign(e as Error, { tag: tokens[0] });
    }
    tag = tokens[0] ?? '';
    if (more.literal === undefined) break;
    if (more.literal > MAX_LITERAL) {
      // A non-synchronizing literal is on its way already: the stream cannot be resynchronized.
      if (more.nonSync) throw new Fatal('literal too large');
      throw Object.assign(new BadCommand('literal too large'), { tag });
    }
    if (!more.nonSync) s.write('+ Ready for literal data');
    const data = await s.reader.bytes(more.literal);
    if (data === undefined) return undefined;
    tokens.push(data.toString('latin1'));
    const rest = await s.reader.line();
    if (rest === undefined) return undefined;
    line = rest;
  }
  if (tokens.length === 0) throw new BadCommand('empty command');
  if (tokens.length < 2 || !/^[\x21-\x7e]+$/.test(tag) || /[(){%*"\\\]+]/.test(tag)) throw Object.assign(new BadCommand('missing tag or command'), { tag: '*' });
  return { tag, name: (tokens[1] ?? '').toUpperCase(), args: tokens.slice(2) };
}

function capabilities(s: ClientSession): string {
  return ['IMAP4rev1', 'SASL-IR', 'AUTH=PLAIN', 'AUTH=LOGIN', ...(s.tlsAvailable ? ['STARTTLS'] : [])].join(' ');
}

async function authenticate(s: ClientSession, c: Command): Promise<Credentials | 'cancelled' | 'bad' | undefined> {
  return saslCredentials((c.args[0] ?? '').toUpperCase(), c.args[1], continuation(s, '+ '));
}

export async function imapFront(s: ClientSession): Promise<void> {
  s.write(`* OK [CAPABILITY ${capabilities(s)}] Mail OAuth Assistant bridge ready`);
  let errors = 0;
  for (;;) {
    let c: Command | undefined;
    try {
      c = await readCommand(s);
    } catch (e) {
      if (e instanceof BadCommand) {
        const tag = (e as { tag?: string }).tag ?? '*';
        s.write(`${tag || '*'} BAD ${e.message}`);
        if (++errors >= MAX_ERRORS) return s.end('* BYE Too many bad commands');
        continue;
      }
      if (e instanceof Fatal || (e as Error).name === 'LineTooLong') return s.end(`* BYE ${(e as Error).message}`);
      throw e;
    }
    if (c === undefined) return s.end();
    const { tag } = c;
    switch (c.name) {
      case 'CAPABILITY':
        s.write(`* CAPABILITY ${capabilities(s)}`);
        s.write(`${tag} OK CAPABILITY completed`);
        continue;
      case 'NOOP':
        s.write(`${tag} OK NOOP completed`);
        continue;
      case 'LOGOUT':
        s.write('* BYE Mail OAuth Assistant bridge closing');
        return s.end(`${tag} OK LOGOUT completed`);
      case 'STARTTLS':
        if (!s.tlsAvailable) {
          s.write(`${tag} BAD STARTTLS is not offered${s.secure ? ' (already using TLS)' : ''}`);
          continue;
        }
        s.write(`${tag} OK Begin TLS negotiation now`);
        if (!(await s.startTls())) return;
        continue;
      case 'LOGIN':
      case 'AUTHENTICATE': {
        let creds: Credentials | 'cancelled' | 'bad' | undefined;
        if (c.name === 'LOGIN') {
          const [user, pass] = c.args;
          creds = c.args.length === 2 && user && pass ? { login: user, password: pass } : 'bad';
          if (creds === 'bad') {
            s.write(`${tag} BAD LOGIN needs a user name and a password`);
            if (++errors >= MAX_ERRORS) return s.end('* BYE Too many bad commands');
            continue;
          }
        } else {
          if (c.args.length === 0) {
            s.write(`${tag} BAD AUTHENTICATE needs a mechanism`);
            continue;
          }
          const mech = (c.args[0] ?? '').toUpperCase();
          if (mech !== 'PLAIN' && mech !== 'LOGIN') {
            s.write(`${tag} NO [CANNOT] Only AUTHENTICATE PLAIN and LOGIN are offered by this bridge`);
            continue;
          }
          creds = await authenticate(s, c);
        }
        if (creds === undefined) return s.end();
        if (creds === 'cancelled') {
          s.write(`${tag} BAD Authentication cancelled`);
          continue;
        }
        if (creds === 'bad') {
          s.write(`${tag} BAD Malformed authentication data`);
          if (++errors >= MAX_ERRORS) return s.end('* BYE Too many bad commands');
          continue;
        }
        const up = await s.signIn(creds, (text) => s.write(`${tag} ${text}`), '* BYE Too many failed sign-ins');
        if (up === 'over') return;
        if (up === 'retry') continue;
        // The server's own tagged OK, under the client's tag: its [CAPABILITY ...] is the truth now.
        const rest = up.text.slice(up.text.indexOf(' ') + 1);
        s.write(`${tag} ${rest}`);
        s.pipe(up);
        return;
      }
      default:
        s.write(`${tag} BAD Sign in first (LOGIN or AUTHENTICATE); ${c.name.slice(0, 40).replace(/[^\x21-\x7e]/g, '?')} is not available before sign-in`);
        if (++errors >= MAX_ERRORS) return s.end('* BYE Too many bad commands');
    }
  }
}
