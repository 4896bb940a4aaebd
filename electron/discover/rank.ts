// Ordering, de-duplication and the suggested settings. Pure functions over candidates.
import { CandidateSource } from '../../shared/discovery.ts';
import type { Candidate, DiscoveryResult } from '../../shared/discovery.ts';
import type { Servers } from '../../shared/account.ts';
import { PROTOCOLS } from '../../shared/providers.ts';
import type { Protocol, Security } from '../../shared/providers.ts';

const CONFIDENCE_ORDER = { high: 0, medium: 1, low: 2 } as const;
// RFC 8314 section 3: prefer implicit TLS over STARTTLS; plaintext last.
const SECURITY_ORDER: Readonly<Record<Security, number>> = { tls: 0, starttls: 1, none: 2 };
const SOURCE_ORDER = new Map(CandidateSource.options.map((s, i) => [s, i]));

/**
 * Best first: confidence, then security, then source; the sort is stable, so the order a source
 * gave (SRV priority/weight, autoconfig document order) is kept among equals. Then duplicates
 * (same host, port and security) are merged into the best one, noting the other sources.
 */
export function rankCandidates(candidates: readonly Candidate[]): Candidate[] {
  const sorted = candidates.toSorted(
    (a, b) =>
      CONFIDENCE_ORDER[a.confidence] - CONFIDENCE_ORDER[b.confidence] ||
      SECURITY_ORDER[a.security] - SECURITY_ORDER[b.security] ||
      (SOURCE_ORDER.get(a.source) ?? 0) - (SOURCE_ORDER.get(b.source) ?? 0),
  );
  const byKey = new Map<string, { best: Candidate; others: Set<string> }>();
  for (const c of sorted) {
    const key = `${c.host.toLowerCase()}|${c.port}|${c.security}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { best: { ...c }, others: new Set() });
      continue;
    }
    if (c.source !== seen.best.source) seen.others.add(c.source);
    if (c.oauth2 === true) seen.best.oauth2 = true;
    else if (seen.best.oauth2 === undefined && c.oauth2 === false) seen.best.oauth2 = false;
  }
  return [...byKey.values()].map(({ best, others }) =>
    others.size === 0 ? best : { ...best, note: `${best.note ?? ''} Also found by: ${[...others].join(', ')}.`.trim() },
  );
}

/** Best candidate per protocol, enabled; plaintext only when nothing else was found, with a warning. */
export function suggest(candidates: DiscoveryResult['candidates']): Pick<DiscoveryResult, 'suggested' | 'warnings'> {
  const suggested: Servers = {};
  const warnings: DiscoveryResult['warnings'] = {};
  for (const protocol of PROTOCOLS) {
    const list = candidates[protocol];
    const pick = list.find((c) => c.security !== 'none') ?? list[0];
    if (!pick) continue;
    suggested[protocol] = { enabled: true, host: pick.host, port: pick.port, security: pick.security };
    if (pick.security === 'none') {
      warnings[protocol] =
        `Only a plaintext ${label(protocol)} server was found (${pick.host}:${pick.port}); the token would be sent unencrypted. Check with your provider before using it.`;
    }
  }
  return { suggested, warnings };
}

function label(protocol: Protocol): string {
  return protocol === 'pop' ? 'POP3' : protocol.toUpperCase();
}
