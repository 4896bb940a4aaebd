import { describe } from '../../../shared/diagnostics.ts';
import type { AuthOutcome } from '../../../shared/auth-outcome.ts';
import { formatTime, relativeTime } from '../format.ts';

/** What the authorization established: who, which scopes, until when, refresh token, findings. */
export function AuthResult({ outcome }: { outcome: AuthOutcome }) {
  const missing = new Set(outcome.flags.filter((f) => f.code === 'AUTH_SCOPE_MISSING').flatMap((f) => f.scopes ?? []));
  const wrongUser = outcome.flags.some((f) => f.code === 'AUTH_WRONG_USER' || f.code === 'AUTH_WRONG_DELEGATE');
  const warnings = outcome.flags.filter((f) => f.severity === 'warning').length;
  return (
    <div className="auth-result card" aria-labelledby="auth-result-title">
      <h3 id="auth-result-title" className={warnings > 0 ? 'warn-text' : 'ok-text'}>
        {warnings > 0 ? '⚠ Signed in, but something needs attention' : '✓ Signed in'}
      </h3>
      <dl className="facts">
        <dt>Signed in as</dt>
        <dd>
          {outcome.signedInAs ?? (outcome.flow === 'client-credentials' ? 'the app itself (no user)' : 'not reported by the provider')}
          {wrongUser ? <span className="chip bad">expected {outcome.expectedUser}</span> : null}
        </dd>
        <dt>Scopes granted</dt>
        <dd className="chips">
          {outcome.grantedScopes.length === 0 ? <span className="muted">none reported</span> : null}
          {outcome.grantedScopes.map((s) => (
            <span key={s} className="chip">
              {s}
            </span>
          ))}
          {[...missing].map((s) => (
            <span key={s} className="chip bad" title="requested but not granted">
              missing: {s}
            </span>
          ))}
        </dd>
        <dt>Access token</dt>
        <dd>{outcome.expiresAt ? `valid until ${formatTime(outcome.expiresAt)} (${relativeTime(outcome.expiresAt)})` : 'expiry not reported'}</dd>
        <dt>Refresh token</dt>
        <dd>{outcome.hasRefreshToken ? 'Yes: the assistant renews access by itself' : 'No: you will have to sign in again when the access token expires'}</dd>
        <dt>Stored</dt>
        <dd>{outcome.persisted ? 'Encrypted by the operating system' : <span className="warn-text">In memory only: lost when the app closes (no OS keyring)</span>}</dd>
      </dl>
      {outcome.flags.map((f) => {
        const d = describe(f.code);
        return (
          <div key={`${f.code}-${f.protocol ?? ''}`} className={`callout small ${f.severity === 'warning' ? 'warn' : 'info'}`}>
            <strong>{d.title}</strong>
            <span>{f.message}</span>
            {d.fix[0] ? <span>Fix: {d.fix[0]}</span> : null}
          </div>
        );
      })}
    </div>
  );
}
