// The POP3 front end (RFC 1939 AUTHORIZATION state, RFC 2449 CAPA, RFC 5034 AUTH, RFC 2595 STLS):
// USER/PASS and AUTH PLAIN/LOGIN with the bridge password; then the server's own +OK and a pipe.
// CAPA before sign-in lists what the bridge accepts (USER, SASL PLAIN LOGIN, STLS when TLS
// towards the client is on) plus TOP and UIDL, which every server the app knows (Exchange,
// Gmail, Dovecot) has and which clients look for before they sign in.
import { continuation, saslCredentials, type Credentials } from './local-sasl.ts';
import type { ClientSession } from './session.ts';

const MAX_ERRORS = 20;

export async function popFront(s: ClientSession): Promise<void> {
  s.write('+OK Mail OAuth Assistant bridge ready');
  let user: string | undefined;
  let errors = 0;
  const bad = (text: string): boolean => {
    s.write(`-ERR ${text}`);
    if (++errors < MAX_ERRORS) return false;
    s.end('-ERR Too many bad commands');
    return true;
  };
  for (;;) {
    const command = await s.command('-ERR Line too long');
    if (command === undefined) return;
    const { name, arg } = command;
    let creds: Credentials | 'cancelled' | 'bad' | undefined;
    switch (name) {
      case 'CAPA':
        s.write('+OK Capability list follows');
        for (const c of ['USER', 'SASL PLAIN LOGIN', 'RESP-CODES', 'AUTH-RESP-CODE', 'TOP', 'UIDL', ...(s.tlsAvailable ? ['STLS'] : []), 'IMPLEMENTATION Mail-OAuth-Assistant-bridge']) s.write(c);
        s.write('.');
        continue;
      case 'QUIT':
        return s.end('+OK Bye');
      case 'NOOP':
        s.write('+OK');
        continue;
      case 'STLS':
        if (!s.tlsAvailable) {
          if (bad(s.secure ? 'Already using TLS' : 'STLS is not offered')) return;
          continue;
        }
        s.write('+OK Begin TLS negotiation');
        if (!(await s.startTls())) return;
        user = undefined;
        continue;
      case 'USER':
        if (arg.trim() === '') {
          if (bad('USER needs the mail address')) return;
          continue;
        }
        user = arg.trim();
        s.write('+OK Now the bridge password (PASS)');
        continue;
      case 'PASS':
        if (user === undefined) {
          if (bad('USER first')) return;
          continue;
        }
        // RFC 1939: the password is the rest of the line, spaces included.
        creds = arg === '' ? 'bad' : { login: user, password: arg };
        user = undefined;
        break;
      case 'AUTH': {
        const [mechRaw, ir] = arg.split(' ');
        const mech = (mechRaw ?? '').toUpperCase();
        if (mech === '') {
          // RFC 1734 clients list the mechanisms with a bare AUTH.
          s.write('+OK');
          s.write('PLAIN');
          s.write('LOGIN');
          s.write('.');
          continue;
        }
        if (mech === 'PLAIN' || mech === 'LOGIN') {
          creds = await saslCredentials(mech, ir, continuation(s, '+ '));
          if (creds === undefined) return s.end();
        } else {
          if (bad('Only AUTH PLAIN and LOGIN are offered by this bridge')) return;
          continue;
        }
        break;
      }
      default:
        if (bad(`Sign in first (USER/PASS or AUTH PLAIN); ${name.slice(0, 40).replace(/[^\x21-\x7e]/g, '?')} is not available before sign-in`)) return;
        continue;
    }
    if (creds === 'cancelled') {
      s.write('-ERR Authentication cancelled');
      continue;
    }
    if (creds === 'bad' || creds === undefined) {
      if (bad('Malformed authentication data')) return;
      continue;
    }
    const up = await s.signIn(creds, (text) => s.write(text), '-ERR Too many failed sign-ins');
    if (up === 'over') return;
    if (up === 'retry') continue;
    s.write(up.text);
    s.pipe(up);
    return;
  }
}
