// Server settings discovery (../shared/PROVIDERS.md "Server discovery"): every source runs in
// parallel under its own deadline and reports separately, so one slow or hostile source never
// hides what the others found. Nothing found here is trusted: the connection test probes it.
//
//   catalog               shared/providers.ts by the address's domain (no network)
//   mx                    MX lookup -> provider by MX host (Microsoft 365, Google Workspace, ...)
//   autoconfig            https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=<addr>
//   autoconfig-well-known https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml
//   ispdb                 https://autoconfig.thunderbird.net/v1.1/<domain>
//   ispdb-mx              the ISPDB for the MX host's registered domain, when it differs
//   srv                   RFC 6186 / RFC 8314 SRV records
//   guess                 imap./pop./smtp./mail.<domain>, only names that resolve
import { domainToASCII } from 'node:url';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { Email } from '../../shared/account.ts';
import { DiscoveryResult, HostName, SOURCE_NAMES } from '../../shared/discovery.ts';
import type { Candidate, CandidateSource, Confidence, DetectedProvider, SourceName, SourceReport } from '../../shared/discovery.ts';
import { PROTOCOLS, providerByDomain, providerByMx } from '../../shared/providers.ts';
import type { Protocol, ProviderEntry } from '../../shared/providers.ts';
import { AppFailure, appError } from '../../shared/result.ts';
import { parseAutoconfig } from './autoconfig.ts';
import { describeDnsError, guessHosts, lookupMx, lookupSrv, makeResolver, registeredDomain } from './dns.ts';
import type { ResolverOptions } from './dns.ts';
import { httpsGet } from './https-get.ts';
import { rankCandidates, suggest } from './rank.ts';

/**
 * Where the autoconfig documents are fetched from. Production builds the real URLs from the
 * domain; tests substitute the origin (and a path prefix) to reach a local HTTPS server.
 * `{domain}` in a template is replaced by the (validated, ASCII) domain.
 */
export type AutoconfigBaseUrls = {
  /** Default `https://autoconfig.{domain}`; `/mail/config-v1.1.xml?emailaddress=...` is appended. */
  autoconfig?: string;
  /** Default `https://{domain}`; `/.well-known/autoconfig/mail/config-v1.1.xml` is appended. */
  wellKnown?: string;
  /** Default `https://autoconfig.thunderbird.net/v1.1`; `/<domain>` is appended. */
  ispdb?: string;
};

export const DEFAULT_AUTOCONFIG_BASE_URLS: Required<AutoconfigBaseUrls> = {
  autoconfig: 'https://autoconfig.{domain}',
  wellKnown: 'https://{domain}',
  ispdb: 'https://autoconfig.thunderbird.net/v1.1',
};

export type DiscoverOptions = {
  resolver?: ResolverOptions;
  /** Extra trusted CA certificate(s), PEM, for the autoconfig HTTPS requests (in addition to Node's roots). */
  ca?: string | readonly string[];
  autoconfigBaseUrls?: AutoconfigBaseUrls;
  /** Cancels every lookup; discoverServers then rejects with AppFailure CANCELLED. */
  signal?: AbortSignal;
  /** Deadline of each source, in ms (default 8000). A source that misses it reports "timed out". */
  timeoutMs?: number;
  /** Which sources to run (default all). `ispdb-mx` needs `mx`. */
  sources?: readonly SourceName[];
  /** Body limit of an autoconfig answer in bytes (default 256 KiB). */
  maxAutoconfigBytes?: number;
};

export const DEFAULT_TIMEOUT_MS = 8000;

type Found = Candidate & { protocol: Protocol };
type SourceOutput = { candidates: Found[]; detail?: string };

class SourceTimeout extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'SourceTimeout';
  }
}

/** Thrown by a source to report a clear failure message (the message is shown as is). */
class SourceError extends Error {
  override name = 'SourceError';
}

export async function discoverServers(address: string, options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const parsedAddress = Email.safeParse(address);
  if (!parsedAddress.success) {
    throw new AppFailure(appError('VALIDATION_FAILED', 'Enter a full email address, like name@example.com'));
  }
  const addr = parsedAddress.data;
  const at = addr.lastIndexOf('@');
  // IDNs are looked up in their ASCII (punycode) form (RFC 5890); the address keeps its form.
  const domainCheck = HostName.safeParse(domainToASCII(addr.slice(at + 1)));
  if (!domainCheck.success) {
    throw new AppFailure(appError('VALIDATION_FAILED', 'The part after @ is not a valid domain name'));
  }
  const domain = domainCheck.data;
  const parent = options.signal ?? new AbortController().signal;
  throwIfCancelled(parent);

  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const enabled = new Set(options.sources ?? SOURCE_NAMES);
  const bases = { ...DEFAULT_AUTOCONFIG_BASE_URLS, ...options.autoconfigBaseUrls };
  const fill = (template: string, d: string): string => template.replaceAll('{domain}', d).replace(/\/+$/, '');
  const fetchConfig = async (
    url: string,
    signal: AbortSignal,
    source: CandidateSource,
    confidence: Confidence,
  ): Promise<SourceOutput> => {
    const res = await httpsGet(url, {
      signal,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.maxAutoconfigBytes !== undefined ? { maxBytes: options.maxAutoconfigBytes } : {}),
    });
    let parsed: ReturnType<typeof parseAutoconfig>;
    try {
      parsed = parseAutoconfig(res.body, addr, source, confidence, new URL(res.url).host);
    } catch (error) {
      throw new SourceError(`unusable answer: ${messageOf(error)}`);
    }
    const detail = [res.url, ...parsed.skipped.map((s) => `skipped ${s}`)].join('; ');
    if (parsed.candidates.length === 0) throw new SourceError(`no usable IMAP, POP3 or SMTP server in the document (${detail})`);
    return { candidates: parsed.candidates, detail };
  };

  // The MX answer feeds two sources (provider by MX and the ISPDB by the MX's domain), so it is
  // one shared lookup with its own lifetime: neither consumer's end may cancel it for the other.
  // It ends at the deadline, on the caller's abort, or when discovery returns.
  const mxController = new AbortController();
  const mxTimer = setTimeout(() => mxController.abort(new SourceTimeout(timeoutMs)), timeoutMs);
  const onAbortMx = (): void => mxController.abort(parent.reason);
  parent.addEventListener('abort', onAbortMx, { once: true });
  let mxHosts: Promise<string[]> | undefined;
  const getMx = (): Promise<string[]> => {
    mxHosts ??= lookupMx(makeResolver(options.resolver, mxController.signal, timeoutMs), domain).catch((error: unknown) => {
      // Resolver#cancel reports ECANCELLED; say why it was cancelled instead.
      throw mxController.signal.aborted ? mxController.signal.reason : error;
    });
    return mxHosts;
  };
  let byDomain: DetectedProvider | null = null;
  let byMx: DetectedProvider | null = null;

  const jobs: Partial<Record<SourceName, (signal: AbortSignal) => Promise<SourceOutput>>> = {
    catalog: async () => {
      const provider = providerByDomain(addr);
      if (!provider) return { candidates: [], detail: `${domain} is not in the provider catalog` };
      byDomain = { id: provider.id, source: 'domain' };
      return { candidates: catalogCandidates(provider, `the provider catalog (${provider.label})`), detail: provider.id };
    },
    mx: async () => {
      let hosts: string[];
      try {
        hosts = await getMx();
      } catch (error) {
        throw error instanceof SourceTimeout ? error : new SourceError(describeDnsError(error, domain));
      }
      if (hosts.length === 0) return { candidates: [], detail: `no MX records for ${domain}` };
      for (const host of hosts) {
        const provider = providerByMx(host);
        if (!provider) continue;
        byMx = { id: provider.id, source: 'mx', mxHost: host };
        return {
          candidates: catalogCandidates(provider, `the provider catalog: MX ${host} belongs to ${provider.label}`),
          detail: `MX ${host} -> ${provider.id}`,
        };
      }
      return { candidates: [], detail: `MX ${hosts.join(', ')} (no catalog provider)` };
    },
    autoconfig: (signal) =>
      fetchConfig(
        `${fill(bases.autoconfig, domain)}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(addr)}`,
        signal,
        'autoconfig',
        'high',
      ),
    'autoconfig-well-known': (signal) =>
      fetchConfig(`${fill(bases.wellKnown, domain)}/.well-known/autoconfig/mail/config-v1.1.xml`, signal, 'autoconfig', 'high'),
    ispdb: (signal) => fetchConfig(`${fill(bases.ispdb, domain)}/${domain}`, signal, 'ispdb', 'high'),
    'ispdb-mx': async (signal) => {
      if (!enabled.has('mx')) return { candidates: [], detail: 'skipped: the mx source is not enabled' };
      let hosts: string[];
      try {
        hosts = await getMx();
      } catch (error) {
        throw new SourceError(
          `needs the MX record: ${error instanceof SourceTimeout ? error.message : describeDnsError(error, domain)}`,
        );
      }
      const mx = hosts[0];
      if (!mx) return { candidates: [], detail: `skipped: no MX records for ${domain}` };
      const mxDomain = registeredDomain(mx);
      if (mxDomain === domain) return { candidates: [], detail: `skipped: MX ${mx} is in ${domain} itself` };
      // Found through the MX, so less certain than an entry for the domain itself.
      return fetchConfig(`${fill(bases.ispdb, mxDomain)}/${mxDomain}`, signal, 'ispdb', 'medium');
    },
    srv: async (signal) => {
      const srv = await lookupSrv(makeResolver(options.resolver, signal, timeoutMs), domain);
      if (srv.candidates.length === 0 && srv.failures.length > 0) throw new SourceError(srv.failures[0] ?? 'SRV lookup failed');
      const parts = [
        srv.candidates.length === 0 ? 'no SRV records' : '',
        srv.notOffered.length > 0 ? `not offered (target "."): ${srv.notOffered.join(', ')}` : '',
        ...srv.failures,
      ].filter((s) => s !== '');
      return { candidates: srv.candidates, ...(parts.length > 0 ? { detail: parts.join('; ') } : {}) };
    },
    guess: async (signal) => {
      const g = await guessHosts(makeResolver(options.resolver, signal, timeoutMs), domain);
      if (g.resolved.length === 0 && g.failures.length > 0) throw new SourceError(g.failures[0] ?? 'DNS lookup failed');
      return {
        candidates: g.candidates,
        detail: g.resolved.length > 0 ? `resolves: ${g.resolved.join(', ')}` : 'none of imap., pop., smtp., mail. resolves',
      };
    },
  };

  const names = SOURCE_NAMES.filter((n) => enabled.has(n));
  let outcomes: Array<{ report: SourceReport; candidates: Found[] }>;
  try {
    outcomes = await Promise.all(
      names.map((name) => runSource(name, jobs[name] ?? (async () => ({ candidates: [] })), timeoutMs, parent)),
    );
  } finally {
    clearTimeout(mxTimer);
    parent.removeEventListener('abort', onAbortMx);
    if (!mxController.signal.aborted) mxController.abort(new Error('discovery finished'));
  }
  throwIfCancelled(parent);

  // The address's own domain is the stronger signal; the MX match counts only if its source
  // finished in time (a late answer after the deadline is ignored).
  const mxOk = outcomes.some((o) => o.report.name === 'mx' && o.report.ok);
  const detected = byDomain ?? (mxOk ? byMx : null);

  const all = outcomes.flatMap((o) => o.candidates);
  const candidates = {
    imap: rankCandidates(all.filter((c) => c.protocol === 'imap').map(strip)),
    pop: rankCandidates(all.filter((c) => c.protocol === 'pop').map(strip)),
    smtp: rankCandidates(all.filter((c) => c.protocol === 'smtp').map(strip)),
  };
  // Parse our own output too: the UI relies on this shape, and the inputs were untrusted.
  return DiscoveryResult.parse({
    address: addr,
    domain,
    provider: detected,
    candidates,
    ...suggest(candidates),
    sources: outcomes.map((o) => o.report),
  });
}

function strip({ protocol: _protocol, ...candidate }: Found): Candidate {
  return candidate;
}

function catalogCandidates(provider: ProviderEntry, where: string): Found[] {
  return PROTOCOLS.flatMap((protocol) => {
    const s = provider.servers[protocol];
    if (!s) return [];
    return [
      {
        protocol,
        host: s.host,
        port: s.port,
        security: s.security,
        source: 'catalog' as const,
        confidence: 'high' as const,
        note: `From ${where}; not yet tested.`,
        // Catalog providers are there because they take OAuth 2.0 (their SASL mechanisms).
        oauth2: provider.mechanisms.length > 0,
      },
    ];
  });
}

/**
 * Run one source under its own deadline. A failure becomes the source's report (never a throw),
 * except the caller's cancellation, which ends the whole discovery.
 */
async function runSource(
  name: SourceName,
  job: (signal: AbortSignal) => Promise<SourceOutput>,
  timeoutMs: number,
  parent: AbortSignal,
): Promise<{ report: SourceReport; candidates: Found[] }> {
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new SourceTimeout(timeoutMs)), timeoutMs);
  const onParentAbort = (): void => controller.abort(parent.reason);
  parent.addEventListener('abort', onParentAbort, { once: true });
  // Race the job against the signal, so a step that ignores the signal still cannot hold the source.
  const aborted = new Promise<never>((_, reject) => {
    const fire = (): void => reject(controller.signal.reason);
    if (controller.signal.aborted) fire();
    else controller.signal.addEventListener('abort', fire, { once: true });
  });
  aborted.catch(() => undefined);
  const ms = (): number => Math.round((performance.now() - started) * 10) / 10;
  try {
    const out = await Promise.race([job(controller.signal), aborted]);
    const report: SourceReport = { name, ok: true, ms: ms(), count: out.candidates.length };
    if (out.detail) report.detail = out.detail.slice(0, 1000);
    return { report, candidates: out.candidates };
  } catch (error) {
    if (parent.aborted) throw cancelled();
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    return { report: { name, ok: false, ms: ms(), count: 0, error: messageOf(reason).slice(0, 500) }, candidates: [] };
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', onParentAbort);
    // Make sure the job's own network steps stop when it lost the race or failed midway.
    if (!controller.signal.aborted) controller.abort(new Error('source finished'));
  }
}

function messageOf(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((i) => i.message).join('; ');
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
    // TLS and socket errors: the code says more than Node's message to a user reading "why".
    if (code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'SELF_SIGNED_CERT_IN_CHAIN' || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
      return `the server's certificate is not trusted (${code})`;
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'the server’s certificate is for another name';
    if (code === 'ENOTFOUND') return 'the host name does not exist';
    if (code === 'ECONNREFUSED') return 'connection refused';
    return error.message;
  }
  return String(error);
}

function cancelled(): AppFailure {
  return new AppFailure(appError('CANCELLED', 'Server discovery was cancelled'));
}

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw cancelled();
}
