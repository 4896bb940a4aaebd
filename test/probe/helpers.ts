// Shared by the probe's integration tests: bench listeners -> Servers, tokens, secret checks.
import assert from 'node:assert/strict';
import { benchInfo, mintToken, type Listener } from '../bench/client.ts';
import { staticToken, type AccessToken, type TokenSource } from '../../electron/core/ports.ts';
import type { ServerSettings, Servers } from '../../shared/account.ts';
import type { ProbeReport } from '../../shared/probe.ts';
import { initialResponse } from '../../electron/probe/sasl.ts';

export const ALICE = 'alice@example.test';

export function server(l: Listener): ServerSettings {
  return { enabled: true, host: l.host, port: l.port, security: l.security === 'plain' ? 'none' : l.security };
}

/** All three protocols of a bench mail server in one security mode. */
export function allServers(mode: 'tls' | 'starttls', which = benchInfo().mail.main): Servers {
  return { imap: server(which.imap[mode]), pop: server(which.pop3[mode]), smtp: server(which.smtp[mode]) };
}

export type MintedToken = { token: string; source: TokenSource; scope: string[] };

export async function aliceToken(opts: { scope?: string; user?: string; client?: string; extra?: Omit<AccessToken, 'token'> } = {}): Promise<MintedToken> {
  const set = await mintToken({ user: opts.user ?? ALICE, ...(opts.scope ? { scope: opts.scope } : {}), ...(opts.client ? { client: opts.client } : {}) });
  return { token: set.access_token, source: staticToken(set.access_token, opts.extra ?? {}), scope: (set.scope ?? '').split(' ').filter(Boolean) };
}

/** The token must not appear in the report in any form (raw, base64, SASL payloads). */
export function assertNoSecret(report: ProbeReport, token: string, hosts: Array<{ host: string; port: number }> = []): void {
  const json = JSON.stringify(report);
  const forms = [token, Buffer.from(token).toString('base64'), initialResponse('XOAUTH2', { user: report.address, token, host: '', port: 0 })];
  for (const h of hosts) forms.push(initialResponse('OAUTHBEARER', { user: report.address, token, host: h.host, port: h.port }));
  // and any 24-char slice of the token (a partial leak)
  for (let i = 0; i + 24 <= token.length; i += 12) forms.push(token.slice(i, i + 24));
  for (const f of forms) assert.ok(!json.includes(f), 'a secret form of the token is in the report');
}

export function stepsOf(report: ProbeReport, protocol: 'imap' | 'pop' | 'smtp'): string[] {
  const p = report.protocols.find((x) => x.protocol === protocol);
  assert.ok(p, `no ${protocol} in the report`);
  return p.steps.map((s) => `${s.step}:${s.status}`);
}

export function codeOf(report: ProbeReport, protocol: 'imap' | 'pop' | 'smtp'): string | undefined {
  return report.protocols.find((x) => x.protocol === protocol)?.code;
}
