// Codes of the local bridge (electron/bridge/): the listeners old mail clients connect to on
// 127.0.0.1 with a bridge password, and what they see when the real server or the sign-in fails.
import type { Diagnosis } from './types.ts';

export const bridgeDiagnoses = {
  BRIDGE_PORT_IN_USE: {
    title: 'The bridge port is already in use',
    explanation:
      'Another program (or another copy of the bridge) already listens on this port on 127.0.0.1, so the bridge could not start there. Nothing was changed.',
    fix: [
      'Choose another port in the Bridge settings (or `mail-oauth bridge --imap <port> --pop <port> --smtp <port>`), then update the port in the mail client.',
      'Or stop the other program: `ss -ltnp | grep <port>` (Linux), `lsof -iTCP:<port> -sTCP:LISTEN` (macOS), `netstat -ano | findstr <port>` (Windows).',
    ],
    action: 'none',
  },
  BRIDGE_PORT_DENIED: {
    title: 'The bridge may not listen on this port',
    explanation: 'The operating system refused the port (ports below 1024 need administrator rights).',
    fix: ['Choose a port of 1024 or above, such as 1143 (IMAP), 1110 (POP3) or 1025 (SMTP).'],
    action: 'none',
  },
  BRIDGE_BAD_PASSWORD: {
    title: 'The mail client used a wrong bridge password',
    explanation:
      'A mail client connected to the bridge with an address and a password that do not match a bridge password made in this app. Nothing was sent to the mail server.',
    fix: [
      'Copy the bridge password again into the mail client (user name: the mail address).',
      'Lost it? Make a new bridge password for the account (dashboard Bridge section, or `mail-oauth bridge-password <account>`) and enter that.',
    ],
    action: 'none',
  },
  BRIDGE_NO_PASSWORD: {
    title: 'This account has no bridge password yet',
    explanation: 'A mail client tried to sign in to the bridge for an account that has no bridge password, so the bridge refused it.',
    fix: ['Make a bridge password for the account (dashboard Bridge section, or `mail-oauth bridge-password <account>`) and enter it in the mail client.'],
    action: 'none',
  },
  BRIDGE_PROTOCOL_OFF: {
    title: 'The account does not use this protocol',
    explanation: 'The mail client signed in to the bridge for a protocol (IMAP, POP3 or SMTP) that is not switched on in the account’s server settings.',
    fix: ['Switch the protocol on and enter its server in the account’s settings, or use another protocol in the mail client.'],
    action: 'edit-servers',
  },
  BRIDGE_UPSTREAM_PLAINTEXT: {
    title: 'The account’s server is set up without encryption',
    explanation: 'The bridge signs in to the real mail server only over TLS (the token must never cross the network readable), and this account’s server setting has no encryption.',
    fix: ['Set the server’s security to TLS or STARTTLS in the account’s settings.'],
    action: 'edit-servers',
  },
  BRIDGE_CERT_FAILED: {
    title: 'The bridge could not make its local certificate',
    explanation: 'TLS towards the mail client needs a certificate that the bridge makes and keeps in the data directory; making or reading it failed.',
    fix: ['Check that the data directory is writable, then start the bridge again; or turn TLS towards the client off.'],
    action: 'none',
  },
} as const satisfies Record<string, Diagnosis>;
