// Least privilege (DESIGN.md "Flows"): request only the scopes of the enabled protocols plus the
// provider's base scopes (refresh token, identity), never Microsoft Graph scopes (a token has one
// audience; Graph's is useless for IMAP/SMTP, PROVIDERS.md "Delegated scopes").
import { MICROSOFT_CLOUDS, type MicrosoftCloud, type Protocol, type ProviderEntry } from '../../shared/providers.ts';
import { enabledProtocols, type Servers } from '../../shared/account.ts';

/** Scopes that identify the user or keep the grant alive; never counted as "excess". */
export const IDENTITY_SCOPES = new Set(['openid', 'email', 'profile', 'offline_access']);

/** Microsoft Graph permissions that must never be mixed into a mail token request. */
const GRAPH = /^(?:https:\/\/graph\.microsoft\.(?:com|us)\/|(?:Mail|User|Calendars|Contacts|Files)\.)/i;

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

/** The scopes to request for the enabled protocols, mail scopes first (Microsoft wants the
 * resource scopes before the OIDC ones to pick the token audience). */
export function scopesFor(provider: ProviderEntry, servers: Servers): string[] {
  const mail = enabledProtocols(servers).flatMap((p) => provider.protocolScopes[p]);
  return unique([...mail, ...provider.baseScopes]).filter((s) => !GRAPH.test(s));
}

/** The scopes an account requests: its own list when set (generic providers, edited by the user),
 * else the catalog's. Graph scopes are dropped either way. */
export function requestedScopes(provider: ProviderEntry, servers: Servers, accountScopes: readonly string[]): string[] {
  const base = accountScopes.length > 0 ? unique(accountScopes) : scopesFor(provider, servers);
  return base.filter((s) => !GRAPH.test(s));
}

/** The Microsoft cloud of an authority URL (national clouds are data in the catalog). */
export function cloudForAuthority(authority: string): MicrosoftCloud | undefined {
  let origin: string;
  try {
    origin = new URL(authority).origin;
  } catch {
    return undefined;
  }
  return MICROSOFT_CLOUDS.find((c) => new URL(c.authorityHost).origin === origin);
}

/** App-only (client credentials) scope: `<resource>/.default` (PROVIDERS.md "App-only"). */
export function appOnlyScopes(authority: string, accountScopes: readonly string[]): string[] {
  if (accountScopes.length > 0) return unique(accountScopes);
  const cloud = cloudForAuthority(authority) ?? MICROSOFT_CLOUDS[0];
  return cloud === undefined ? [] : [`${cloud.appOnlyResource}/.default`];
}

/** Scope comparison tolerant of Microsoft's habit of answering `IMAP.AccessAsUser.All` for
 * `https://outlook.office.com/IMAP.AccessAsUser.All` (the resource prefix is dropped in `scope`). */
export function scopeGranted(wanted: string, granted: readonly string[]): boolean {
  const short = (s: string): string => s.replace(/^https?:\/\/[^/]+\//, '').toLowerCase();
  return granted.some((g) => g === wanted || short(g) === short(wanted));
}

/** The catalog does not know the mail scopes (generic OpenID Connect / OAuth 2.0 provider): the
 * user enters them, as the provider documents them for its mail servers. */
export const isUserScoped = (provider: ProviderEntry): boolean => PROTOCOLS_OF.every((p) => provider.protocolScopes[p].length === 0);
const PROTOCOLS_OF = ['imap', 'pop', 'smtp'] as const;

/**
 * The scopes each enabled protocol needs: the catalog's, or for a user-scoped provider the
 * account's own scopes beyond the identity ones (which protocol needs which is not known, so each
 * protocol needs them all). An empty list for a user-scoped provider means no mail scope was
 * asked for at all: the mail servers will refuse the token.
 */
export function mailScopesNeeded(provider: ProviderEntry, servers: Servers, accountScopes: readonly string[]): Partial<Record<Protocol, string[]>> {
  const own = unique(accountScopes.filter((s) => !IDENTITY_SCOPES.has(s)));
  const out: Partial<Record<Protocol, string[]>> = {};
  for (const p of enabledProtocols(servers)) out[p] = isUserScoped(provider) ? own : [...provider.protocolScopes[p]];
  return out;
}

/** Enabled protocols whose mail scope is missing from the granted scopes (`scopes` empty: the
 * request had no mail scope at all, a user-scoped provider with only openid/email/offline_access). */
export function missingProtocolScopes(
  provider: ProviderEntry,
  servers: Servers,
  granted: readonly string[],
  accountScopes: readonly string[] = [],
): { protocol: Protocol; scopes: string[] }[] {
  const out: { protocol: Protocol; scopes: string[] }[] = [];
  const needed = mailScopesNeeded(provider, servers, accountScopes);
  for (const p of enabledProtocols(servers)) {
    const wanted = needed[p] ?? [];
    if (wanted.length === 0 && isUserScoped(provider)) {
      out.push({ protocol: p, scopes: [] });
      continue;
    }
    const need = wanted.filter((s) => !scopeGranted(s, granted));
    if (need.length > 0) out.push({ protocol: p, scopes: need });
  }
  return out;
}

/** Granted scopes beyond the requested ones and the identity scopes. */
export function excessScopes(requested: readonly string[], granted: readonly string[]): string[] {
  return granted.filter((g) => !IDENTITY_SCOPES.has(g) && !requested.some((r) => scopeGranted(r, [g])));
}
