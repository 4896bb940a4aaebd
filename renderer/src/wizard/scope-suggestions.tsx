/** Identity scopes that are never mail scopes (the base scopes are added anyway). */
const IDENTITY = new Set(['openid', 'email', 'profile', 'offline_access', 'address', 'phone']);

/**
 * The issuer's scopes_supported, offered as suggestions for a generic provider's mail scopes: a
 * click adds one. Mail servers need a scope of their own (often `imap`, `smtp`, `mail` or a URL);
 * without one the token is refused, which is why the field has no default.
 */
export function ScopeSuggestions({
  listed,
  chosen,
  identity,
  onAdd,
}: {
  listed: readonly string[];
  chosen: readonly string[];
  identity: readonly string[];
  onAdd: (scope: string) => void;
}) {
  const offer = listed.filter((s) => !IDENTITY.has(s) && !identity.includes(s) && !chosen.includes(s));
  if (offer.length === 0) return null;
  return (
    <div className="scope-suggestions small" aria-label="Scopes the issuer lists">
      <span className="muted">The issuer lists these scopes; add the ones its mail servers need:</span>{' '}
      {offer.map((s) => (
        <button key={s} type="button" className="button small ghost mono" onClick={() => onAdd(s)}>
          + {s}
        </button>
      ))}
    </div>
  );
}
