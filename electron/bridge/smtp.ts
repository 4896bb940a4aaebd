// The SMTP front end (RFC 5321 before AUTH, RFC 4954 AUTH, RFC 3207 STARTTLS): EHLO/HELO and AUTH
// PLAIN/LOGIN with the bridge password; mail commands wait for sign-in (530). After the upstream
// sign-in (which repeats the client's EHLO name there) the client gets the server's 235 and the
// session becomes a pipe, so MAIL, RCPT, DATA and BDAT go to the server unchanged.
//
// The EHLO answer is given before the bridge knows the account (the login name comes later), so
// it can only list extensions every server the app targets has (Exchange Online, Gmail, Dovecot
// submission): PIPELINING, 8BITMIME, ENHANCEDSTATUSCODES, CHUNKING. SMTPUTF8 and SIZE are left
// out: a server without them would refuse what the client was promised. The client may EHLO again
// after AUTH and then sees the server's own list.
import { continuation, saslCredentials, type Credentials } from './local-sasl.ts';
import type { ClientSession } from './session.ts';

const MAX_ERRORS = 20;
const HOST = 'localhost';

/** The EHLO/HELO name to repeat upstream: a domain or address literal, else `localhost`. */
function helloName(arg: string): string {
  const name = arg.trim().split(/\s+/)[0] ?? '';
  return /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\]|\[IPv6:[0-9A-Fa-f:.]{2,45}\])$/.test(name) && name.length <= 253
    ? name
    : 'localhost';
}

export async function smtpFront(s: ClientSession): Promise<void> {
  s.write(`220 ${HOST} ESMTP Mail OAuth Assistant bridge ready`);
  let hello: string | undefined;
  let errors = 0;
  const bad = (line: string): boolean => {
    s.write(line);
    if (++errors < MAX_ERRORS) return false;
    s.end('421 4.7.0 Too many bad commands, closing');
    return true;
  };
  for (;;) {
    const command = await s.command('500 5.5.2 Line too long, closing');
    if (command === undefined) return;
    const { name, arg } = command;
    let creds: Credentials | 'cancelled' | 'bad' | undefined;
    switch (name) {
      case 'EHLO':
        hello = helloName(arg);
        s.write(`250-${HOST} Hello ${hello}`);
        for (const e of ['PIPELINING', '8BITMIME', 'ENHANCEDSTATUSCODES', 'CHUNKING', ...(s.tlsAvailable ? ['STARTTLS'] : [])]) s.write(`250-${e}`);
        s.write('250 AUTH PLAIN LOGIN');
        continue;
      case 'HELO':
        hello = helloName(arg);
        s.write(`250 ${HOST}`);
        continue;
      case 'NOOP':
        s.write('250 2.0.0 OK');
        continue;
      case 'RSET':
        s.write('250 2.0.0 OK');
        continue;
      case 'QUIT':
        return s.end('221 2.0.0 Bye');
      case 'STARTTLS':
        if (!s.tlsAvailable) {
          if (bad(s.secure ? '503 5.5.1 Already using TLS' : '502 5.5.1 STARTTLS is not offered')) return;
          continue;
        }
        s.write('220 2.0.0 Ready to start TLS');
        if (!(await s.startTls())) return;
        hello = undefined; // RFC 3207: the session starts over
        continue;
      case 'BDAT':
        // The chunk's bytes follow unasked and cannot be told apart from commands: hang up.
        return s.end('530 5.7.0 Authentication required (sign in with AUTH first)');
      case 'MAIL':
      case 'RCPT':
      case 'DATA':
        if (bad('530 5.7.0 Authentication required (sign in with AUTH first)')) return;
        continue;
      case 'AUTH': {
        if (hello === undefined) {
          if (bad('503 5.5.1 EHLO first')) return;
          continue;
        }
        const [mechRaw, ir] = arg.split(' ');
        const mech = (mechRaw ?? '').toUpperCase();
        if (mech === 'PLAIN' || mech === 'LOGIN') {
          creds = await saslCredentials(mech, ir, continuation(s, '334 '));
          if (creds === undefined) return s.end();
        } else {
          if (bad('504 5.5.4 Only AUTH PLAIN and LOGIN are offered by this bridge')) return;
          continue;
        }
        break;
      }
      case 'VRFY':
        s.write('252 2.5.0 Cannot verify the user');
        continue;
      default:
        if (bad('502 5.5.2 Command not recognized before sign-in')) return;
        continue;
    }
    if (creds === 'cancelled') {
      s.write('501 5.7.0 Authentication cancelled');
      continue;
    }
    if (creds === 'bad' || creds === undefined) {
      if (bad('501 5.5.2 Malformed authentication data')) return;
      continue;
    }
    const up = await s.signIn(creds, (text) => s.write(text), '421 4.7.0 Too many failed sign-ins, closing', hello);
    if (up === 'over') return;
    if (up === 'retry') continue;
    s.write(up.text);
    s.pipe(up);
    return;
  }
}
