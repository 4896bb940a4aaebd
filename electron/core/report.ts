// The diagnostic report a user can save and share: settings, token state (no token), the last
// connection test's step timeline and transcripts, recent activity. Everything passes through
// redactText once more at the end, with the account's known secrets, before it leaves.
import type { Account } from '../../shared/account.ts';
import type { ActivityEntry, TokenState } from '../../shared/ipc.ts';
import type { ProbeReport } from '../../shared/probe.ts';
import { describe } from '../../shared/diagnostics.ts';
import { redactText } from '../../shared/redact.ts';
import { formatDateTime, formatMs } from '../../shared/format-time.ts';

export type ReportInput = {
  appVersion: string;
  platform: string;
  account: Account;
  tokenState?: TokenState;
  lastProbe?: ProbeReport;
  activity: readonly ActivityEntry[];
  now: number;
  /** Secret values known to the caller (client secret, tokens): removed wherever they appear. */
  knownSecrets?: readonly string[];
  /** Minutes east of UTC for the dates printed (default: this machine's zone, as in the UI). */
  utcOffsetMinutes?: number;
};

export function buildReport(input: ReportInput): { fileName: string; text: string } {
  const { account: a } = input;
  // Dates print as in the UI (shared/format-time.ts), so a screenshot and a report agree.
  const iso = (ms: number | undefined): string => formatDateTime(ms, input.utcOffsetMinutes);
  const lines: string[] = [];
  lines.push('Mail OAuth Assistant diagnostic report');
  lines.push(`Created: ${iso(input.now)}  App: ${input.appVersion}  Platform: ${input.platform}`);
  lines.push('Secrets (tokens, client secrets, SASL payloads) are removed from this report.');
  lines.push('');
  lines.push('## Account');
  lines.push(`Address: ${a.address}`);
  lines.push(`Provider: ${a.providerId}  Status: ${a.status}`);
  if (a.auth.adapter === 'msal') {
    lines.push(`Authorization: Microsoft (MSAL), authority ${a.auth.authority}, client id ${a.auth.clientId}, flow ${a.auth.flow}`);
  } else {
    lines.push(`Authorization: OpenID Connect, issuer ${a.auth.issuer}, client id ${a.auth.clientId}, flow ${a.auth.flow}`);
  }
  lines.push(`Scopes requested: ${a.scopes.join(' ') || '-'}`);
  for (const p of ['imap', 'pop', 'smtp'] as const) {
    const s = a.servers[p];
    lines.push(`${p.toUpperCase()}: ${s ? `${s.enabled ? 'on ' : 'off'} ${s.host}:${s.port} ${s.security}` : 'not configured'}`);
  }
  if (a.identity) {
    lines.push(`Signed in as: ${a.identity.username ?? '-'}  Granted: ${a.identity.grantedScopes.join(' ')}`);
    lines.push(`Refresh token: ${a.identity.hasRefreshToken ? 'yes' : 'no'}  Authorized: ${iso(a.identity.authorizedAt)}`);
  }
  if (input.tokenState) {
    const t = input.tokenState;
    lines.push(`Token state: ${t.state}, expires ${iso(t.expiresAt)}, refresh token ${t.hasRefreshToken ? 'yes' : 'no'}, stored ${t.persisted ? 'encrypted on disk' : 'in memory only'}`);
  }
  lines.push('');
  lines.push('## Last connection test');
  const p = input.lastProbe;
  if (!p) lines.push('No test has run in this session.');
  else {
    lines.push(`Started ${iso(p.startedAt)}, ${formatMs(p.ms)}, ${p.ok ? 'all passed' : 'FAILED'}`);
    lines.push(`Fresh access token: ${p.token.status}${p.token.code ? ` ${p.token.code}` : ''}${p.token.ms !== undefined ? ` (${formatMs(p.token.ms)})` : ''}`);
    for (const r of p.protocols) {
      lines.push('');
      lines.push(`### ${r.protocol.toUpperCase()} ${r.host}:${r.port} ${r.security}${r.mechanism ? ` ${r.mechanism}` : ''}: ${r.ok ? 'OK' : 'FAILED'} (${formatMs(r.ms)})`);
      for (const s of r.steps) {
        lines.push(`  ${s.status.padEnd(7)} ${s.step.padEnd(13)} ${formatMs(s.ms).padStart(8)}${s.code ? `  ${s.code}` : ''}${s.serverText ? `  "${s.serverText}"` : ''}`);
      }
      if (r.code) {
        const d = describe(r.code);
        lines.push(`  Diagnosis: ${d.title}`);
        for (const f of d.fix) lines.push(`    - ${f}`);
      }
      if (r.transcript.length > 0) {
        lines.push('  Transcript:');
        for (const t of r.transcript) lines.push(`    ${t}`);
      }
    }
  }
  lines.push('');
  lines.push('## Recent activity');
  const mine = input.activity.filter((e) => e.accountId === a.id);
  if (mine.length === 0) lines.push('None.');
  for (const e of mine) lines.push(`${iso(e.at)} ${e.kind} ${e.ok ? 'ok' : e.cancelled ? 'cancelled' : 'failed'}: ${e.message}`);
  const safeName = a.address.replace(/[^a-z0-9@._-]/gi, '_');
  const stamp = new Date(input.now).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return {
    fileName: `mail-oauth-report-${safeName}-${stamp}.txt`,
    text: redactText(lines.join('\n') + '\n', input.knownSecrets ?? []),
  };
}
