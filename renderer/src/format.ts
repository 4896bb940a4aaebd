// Small display helpers shared by the wizard and the dashboard.
import type { Protocol, Security } from '../../shared/providers.ts';
import type { StepName } from '../../shared/probe.ts';

export const PROTOCOL_LABEL: Readonly<Record<Protocol, string>> = { imap: 'IMAP', pop: 'POP', smtp: 'SMTP' };
export const PROTOCOL_PURPOSE: Readonly<Record<Protocol, string>> = {
  imap: 'read and organize mail',
  pop: 'download mail',
  smtp: 'send mail',
};
export const SECURITY_LABEL: Readonly<Record<Security, string>> = {
  tls: 'TLS (from the start)',
  starttls: 'STARTTLS (upgrade)',
  none: 'None (plaintext)',
};
export const SECURITY_SHORT: Readonly<Record<Security, string>> = { tls: 'TLS', starttls: 'STARTTLS', none: 'plaintext' };

/** Default ports per protocol and security, for switching security without retyping the port. */
export const DEFAULT_PORTS: Readonly<Record<Protocol, Readonly<Record<Security, number>>>> = {
  imap: { tls: 993, starttls: 143, none: 143 },
  pop: { tls: 995, starttls: 110, none: 110 },
  smtp: { tls: 465, starttls: 587, none: 587 },
};

export const STEP_LABEL: Readonly<Record<StepName, string>> = {
  token: 'Get a fresh access token',
  resolve: 'Look up the server',
  connect: 'Connect',
  tls: 'Secure the connection (TLS)',
  greeting: 'Server greeting',
  capabilities: 'Ask what the server supports',
  starttls: 'Switch to encryption (STARTTLS)',
  authenticate: 'Sign in with the token',
  command: 'Open the mailbox',
  send: 'Send a test message to yourself',
  logout: 'Log out',
};

/** The `command` step proves something different per protocol. */
const COMMAND_LABEL: Readonly<Record<string, string>> = {
  imap: 'Open the mailbox',
  pop: 'Count the messages (STAT)',
  smtp: 'Check sending (MAIL FROM, RCPT TO)',
};

export function stepLabel(step: StepName, protocol?: string): string {
  return step === 'command' && protocol ? (COMMAND_LABEL[protocol] ?? STEP_LABEL.command) : STEP_LABEL[step];
}

// Dates and durations print the same way here, in the CLI and in the diagnostic report.
export { formatDateTime as formatTime, formatClock, formatMs } from '../../shared/format-time.ts';

/** "in 58 min", "3 h ago": coarse on purpose, for status lines. */
export function relativeTime(ms: number, now = Date.now()): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  const unit =
    abs < 60_000 ? `${Math.max(1, Math.round(abs / 1000))} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 86_400_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} days`;
  return diff >= 0 ? `in ${unit}` : `${unit} ago`;
}
