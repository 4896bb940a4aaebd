// The result of server settings discovery (electron/discover/), shared with the UI and the CLI.
// Every candidate says where it came from and how much we believe it; none of them is trusted
// until the connection test has probed it (../shared/PROVIDERS.md "Server discovery").
import { z } from 'zod';
import { Servers } from './account.ts';
import { Security } from './providers.ts';

/** A DNS host name as it may appear in autoconfig XML or SRV targets: LDH labels (RFC 1123
 * section 2.1), at most 253 characters, no trailing dot, no IP literals in brackets, no spaces or
 * control characters (those would end up in the probe's connect call and the UI). */
export const HostName = z
  .string()
  .max(253)
  .regex(
    /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i,
    'not a valid host name',
  )
  .transform((h) => h.toLowerCase());

export const Port = z.number().int().min(1).max(65535);

/** Where a candidate came from, best known first (also the tie-break order when sorting). */
export const CandidateSource = z.enum(['catalog', 'autoconfig', 'ispdb', 'srv', 'guess']);
export type CandidateSource = z.infer<typeof CandidateSource>;

export const Confidence = z.enum(['high', 'medium', 'low']);
export type Confidence = z.infer<typeof Confidence>;

export const Candidate = z.object({
  host: HostName,
  port: Port,
  security: Security,
  source: CandidateSource,
  confidence: Confidence,
  /** Text for the UI: where it was found and that it is not yet tested. */
  note: z.string().optional(),
  /** The source said the server accepts OAuth 2.0 (autoconfig `<authentication>OAuth2`, catalog). */
  oauth2: z.boolean().optional(),
});
export type Candidate = z.infer<typeof Candidate>;

/** One entry per lookup, so the UI can say which source failed and why. */
export const SourceName = z.enum([
  'catalog',
  'mx',
  'autoconfig',
  'autoconfig-well-known',
  'ispdb',
  'ispdb-mx',
  'srv',
  'guess',
]);
export type SourceName = z.infer<typeof SourceName>;
export const SOURCE_NAMES: readonly SourceName[] = SourceName.options;

export const SourceReport = z.object({
  name: SourceName,
  ok: z.boolean(),
  /** Duration in milliseconds (for display; never asserted). */
  ms: z.number().nonnegative(),
  /** A clear, one-sentence reason when ok is false. */
  error: z.string().optional(),
  /** What was looked up or skipped (e.g. the URL, "no SRV records", "ignored 1 invalid entry"). */
  detail: z.string().optional(),
  /** Candidates this source contributed (before de-duplication). */
  count: z.number().int().nonnegative(),
});
export type SourceReport = z.infer<typeof SourceReport>;

export const DetectedProvider = z.object({
  id: z.string(),
  source: z.enum(['domain', 'mx']),
  mxHost: z.string().optional(),
});
export type DetectedProvider = z.infer<typeof DetectedProvider>;

export const DiscoveryResult = z.object({
  address: z.string(),
  domain: z.string(),
  provider: DetectedProvider.nullable(),
  candidates: z.object({
    imap: z.array(Candidate),
    pop: z.array(Candidate),
    smtp: z.array(Candidate),
  }),
  /** The best candidate per protocol, ready for the account form. Still to be probed. */
  suggested: Servers,
  /** Warnings about a suggestion, per protocol (e.g. plaintext was the only thing found). */
  warnings: z.object({ imap: z.string().optional(), pop: z.string().optional(), smtp: z.string().optional() }),
  sources: z.array(SourceReport),
});
export type DiscoveryResult = z.infer<typeof DiscoveryResult>;
