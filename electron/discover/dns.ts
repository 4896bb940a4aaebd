// DNS lookups for discovery: MX (provider by MX host), RFC 6186 / RFC 8314 SRV records, and the
// A/AAAA checks behind the host name guesses. One node:dns Resolver per source, so a source's
// timeout or the caller's AbortSignal cancels exactly its own queries (Resolver#cancel).
import { Resolver } from 'node:dns/promises';
import { HostName, Port } from '../../shared/discovery.ts';
import type { Candidate } from '../../shared/discovery.ts';
import type { Protocol, Security } from '../../shared/providers.ts';

export type ResolverOptions = {
  /** DNS servers as "ip" or "ip:port" (tests: "127.0.0.1:<port>"); default: the system's. */
  servers?: readonly string[];
};

/** A resolver whose queries end when `signal` aborts. c-ares gets its own per-try timeout too,
 * but the source deadline (discover.ts) is what bounds the whole lookup. */
export function makeResolver(options: ResolverOptions | undefined, signal: AbortSignal, timeoutMs: number): Resolver {
  const resolver = new Resolver({ timeout: Math.max(50, Math.floor(timeoutMs / 2)), tries: 2 });
  if (options?.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  if (signal.aborted) resolver.cancel();
  else signal.addEventListener('abort', () => resolver.cancel(), { once: true });
  return resolver;
}

const NO_DATA = new Set(['ENOTFOUND', 'ENODATA']);

/** True when the error only says "no such record" (NXDOMAIN / NODATA), which is an answer. */
export function isNoData(error: unknown): boolean {
  return NO_DATA.has(dnsCode(error));
}

function dnsCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}

/** A sentence for a DNS failure that is not "no such record". */
export function describeDnsError(error: unknown, name: string): string {
  switch (dnsCode(error)) {
    case 'ETIMEOUT':
      return `the DNS server did not answer for ${name}`;
    case 'EREFUSED':
      return `the DNS server refused to answer for ${name}`;
    case 'ESERVFAIL':
      return `the DNS server failed to answer for ${name} (SERVFAIL)`;
    case 'ECONNREFUSED':
      return `could not reach the DNS server for ${name}`;
    default:
      return `DNS lookup of ${name} failed (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** MX hosts, most preferred first (RFC 5321 section 5.1: lower preference value first). */
export async function lookupMx(resolver: Resolver, domain: string): Promise<string[]> {
  try {
    const records = await resolver.resolveMx(domain);
    return records
      .toSorted((a, b) => a.priority - b.priority)
      .map((r) => r.exchange.toLowerCase().replace(/\.$/, ''))
      .filter((h) => h !== '' && HostName.safeParse(h).success);
  } catch (error) {
    if (isNoData(error)) return [];
    throw error;
  }
}

/** The SRV services of RFC 6186 section 3 and RFC 8314 section 5.1, in our preference order. */
export const SRV_SERVICES: ReadonlyArray<{ label: string; protocol: Protocol; security: Security }> = [
  { label: '_imaps._tcp', protocol: 'imap', security: 'tls' },
  { label: '_imap._tcp', protocol: 'imap', security: 'starttls' },
  { label: '_pop3s._tcp', protocol: 'pop', security: 'tls' },
  { label: '_pop3._tcp', protocol: 'pop', security: 'starttls' },
  { label: '_submissions._tcp', protocol: 'smtp', security: 'tls' },
  { label: '_submission._tcp', protocol: 'smtp', security: 'starttls' },
];

export type SrvOutcome = {
  candidates: Array<Candidate & { protocol: Protocol }>;
  notOffered: string[];
  failures: string[];
};

export async function lookupSrv(resolver: Resolver, domain: string): Promise<SrvOutcome> {
  const out: SrvOutcome = { candidates: [], notOffered: [], failures: [] };
  const answers = await Promise.all(
    SRV_SERVICES.map(async (service) => {
      const name = `${service.label}.${domain}`;
      try {
        return { service, name, records: await resolver.resolveSrv(name) };
      } catch (error) {
        if (!isNoData(error)) out.failures.push(describeDnsError(error, name));
        return { service, name, records: [] };
      }
    }),
  );
  for (const { service, name, records } of answers) {
    // RFC 2782: a target of "." means the service is decidedly not available at this domain
    // (RFC 6186 section 3.4 uses exactly that to say "not offered"); c-ares reports it as "".
    if (records.some((r) => r.name === '' || r.name === '.')) {
      out.notOffered.push(service.label);
      continue;
    }
    // RFC 2782: lowest priority first; within a priority, weights are for random load sharing.
    // We present a list rather than pick one, so show heavier weights first (deterministic).
    const ordered = records.toSorted((a, b) => a.priority - b.priority || b.weight - a.weight);
    for (const r of ordered) {
      const host = HostName.safeParse(r.name.replace(/\.$/, ''));
      const port = Port.safeParse(r.port);
      if (!host.success || !port.success) {
        out.failures.push(`ignored an invalid SRV record at ${name}`);
        continue;
      }
      out.candidates.push({
        protocol: service.protocol,
        host: host.data,
        port: port.data,
        security: service.security,
        source: 'srv',
        confidence: 'medium',
        note: `Found in DNS SRV records (${name}, priority ${r.priority}, weight ${r.weight}); not yet tested.`,
      });
    }
  }
  return out;
}

/** Host names worth guessing and what each would serve, with the standard ports (RFC 8314
 * section 7: 993 IMAP, 995 POP3, 465 submission over implicit TLS; RFC 6409: 587 submission;
 * RFC 3501 / RFC 1939: 143 and 110 with STARTTLS / STLS). */
const GUESS_PORTS: Readonly<Record<Protocol, ReadonlyArray<{ port: number; security: Security }>>> = {
  imap: [
    { port: 993, security: 'tls' },
    { port: 143, security: 'starttls' },
  ],
  pop: [
    { port: 995, security: 'tls' },
    { port: 110, security: 'starttls' },
  ],
  smtp: [
    { port: 465, security: 'tls' },
    { port: 587, security: 'starttls' },
  ],
};
const GUESS_NAMES: ReadonlyArray<{ label: string; protocols: readonly Protocol[] }> = [
  { label: 'imap', protocols: ['imap'] },
  { label: 'pop', protocols: ['pop'] },
  { label: 'smtp', protocols: ['smtp'] },
  { label: 'mail', protocols: ['imap', 'pop', 'smtp'] },
];

export type GuessOutcome = { candidates: Array<Candidate & { protocol: Protocol }>; resolved: string[]; failures: string[] };

/** Guesses only for names that resolve (A or AAAA): a name that does not exist cannot serve mail. */
export async function guessHosts(resolver: Resolver, domain: string): Promise<GuessOutcome> {
  const out: GuessOutcome = { candidates: [], resolved: [], failures: [] };
  const checks = await Promise.all(
    GUESS_NAMES.map(async (g) => {
      const host = `${g.label}.${domain}`;
      const results = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
      const found = results.some((r) => r.status === 'fulfilled' && r.value.length > 0);
      if (!found) {
        for (const r of results) if (r.status === 'rejected' && !isNoData(r.reason)) out.failures.push(describeDnsError(r.reason, host));
      }
      return { g, host, found };
    }),
  );
  for (const { g, host, found } of checks) {
    if (!found) continue;
    out.resolved.push(host);
    for (const protocol of g.protocols) {
      for (const { port, security } of GUESS_PORTS[protocol]) {
        out.candidates.push({
          protocol,
          host,
          port,
          security,
          source: 'guess',
          confidence: 'low',
          note: `Guessed: ${host} exists in DNS and port ${port} is the standard one; not yet tested.`,
        });
      }
    }
  }
  // Duplicate failure texts (A and AAAA of the same name) say nothing new.
  out.failures = [...new Set(out.failures)];
  return out;
}

/**
 * The registered domain of a host (contoso-com.mail.protection.outlook.com -> outlook.com), for
 * the ISPDB lookup by MX. Without the Public Suffix List this is an approximation: the last two
 * labels, or three when the second-level label is a common registry level (co.uk, com.au, ...).
 * Good enough for a lookup that only ever adds candidates.
 */
export function registeredDomain(host: string): string {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  if (labels.length <= 2) return labels.join('.');
  const sld = labels[labels.length - 2] ?? '';
  const tld = labels[labels.length - 1] ?? '';
  const take = tld.length === 2 && ['co', 'com', 'net', 'org', 'ac', 'gov', 'edu', 'ne', 'or'].includes(sld) ? 3 : 2;
  return labels.slice(-take).join('.');
}
