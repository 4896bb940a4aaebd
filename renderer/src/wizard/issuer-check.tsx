import { useEffect, useRef, useState } from 'react';
import { describe } from '../../../shared/diagnostics.ts';
import type { IssuerCheck as IssuerInfo } from '../../../shared/ipc.ts';
import type { AppError } from '../../../shared/result.ts';
import { getApi } from '../bridge.ts';
import { Spinner } from '../components/spinner.tsx';
import { CA_FIXABLE, TrustCa } from '../components/trust-ca.tsx';

type State = { status: 'idle' } | { status: 'checking' } | { status: 'ok'; info: IssuerInfo } | { status: 'error'; error: AppError };

/** Checks a discovery URL or a Microsoft tenant (`auth:check-issuer`) as it is typed, and says what
 * was found. Offline is fine: it says so and the user continues. */
export function IssuerCheck({
  issuer,
  what,
  wantedScopes,
  skipReason,
  accountId,
  ensureSaved,
  onResult,
  onScopes,
}: {
  issuer: string;
  what: string;
  wantedScopes: readonly string[];
  skipReason?: string | undefined;
  /** The saved draft, whose trusted CA (if any) the check uses. */
  accountId?: string | undefined;
  /** Saves the draft (for "Trust a certificate authority", which is saved with the account). */
  ensureSaved?: () => Promise<string | undefined>;
  /** The issuer that was found (null: not checked, or not found). */
  onResult?: (found: string | null) => void;
  /** The issuer's scopes_supported (RFC 8414), offered as suggestions for the mail scopes. */
  onScopes?: (scopes: readonly string[]) => void;
}) {
  const [state, setState] = useState<State>({ status: 'idle' });
  const seq = useRef(0);
  const valid = /^https:\/\/[^\s/]+\.[^\s]*$/i.test(issuer) || /^https:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(issuer);

  const check = (): void => {
    const n = ++seq.current;
    setState({ status: 'checking' });
    void getApi()['auth:check-issuer']({ issuer, ...(accountId ? { id: accountId } : {}) }).then((r) => {
      if (n !== seq.current) return;
      setState(r.ok ? { status: 'ok', info: r.value } : { status: 'error', error: r.error });
      onResult?.(r.ok ? issuer : null);
      onScopes?.(r.ok ? (r.value.scopesSupported ?? []) : []);
    });
  };

  useEffect(() => {
    seq.current++;
    setState({ status: 'idle' });
    onResult?.(null);
    if (!valid || skipReason) return;
    const t = setTimeout(check, 700);
    return () => clearTimeout(t);
  }, [issuer, valid, skipReason]);

  if (skipReason) return <p className="issuer-check muted small">{skipReason}</p>;
  const missing = state.status === 'ok' && state.info.scopesSupported ? wantedScopes.filter((s) => !state.info.scopesSupported?.includes(s)) : [];
  return (
    <div className="issuer-check" role="status" aria-live="polite">
      {state.status === 'idle' ? (
        <p className="small muted">
          {valid ? `The ${what} will be checked.` : `Enter the ${what} to check it.`}{' '}
          {valid ? (
            <button type="button" className="button small" onClick={check}>
              Check now
            </button>
          ) : null}
        </p>
      ) : null}
      {state.status === 'checking' ? (
        <p className="small">
          <Spinner /> Checking the {what}…
        </p>
      ) : null}
      {state.status === 'ok' ? (
        <div className="callout ok small">
          <strong>✓ Found {state.info.issuer}</strong>
          <span>
            Sign-in and token endpoints present
            {state.info.deviceAuthorizationEndpoint ? '; device code supported' : '; no device code'}
            {state.info.revocationEndpoint ? '; revocation supported' : ''}.
          </span>
          {missing.length > 0 ? <span className="warn-text">Not among the scopes it lists: {missing.join(', ')}. Check the spelling.</span> : null}
        </div>
      ) : null}
      {state.status === 'error' ? (
        <div className="callout warn small">
          <strong>Could not confirm the {what}: {describe(state.error.code).title}</strong>
          {state.error.message !== describe(state.error.code).title ? <span>{state.error.message}</span> : null}
          {state.error.detail ? <span className="detail">{state.error.detail}</span> : null}
          {CA_FIXABLE.has(state.error.code) || state.error.code.startsWith('IDP_TLS_') || state.error.code === 'IDP_NO_DISCOVERY' ? (
            <span>{describe(state.error.code).fix.join(' ')}</span>
          ) : (
            <span>Check it for typos. If you are offline or the provider is slow, you can continue: the sign-in step checks it again.</span>
          )}
          <span>
            <button type="button" className="button small" onClick={check}>
              Check again
            </button>
          </span>
          {CA_FIXABLE.has(state.error.code) && ensureSaved ? <TrustCa getAccountId={ensureSaved} onTrusted={check} /> : null}
        </div>
      ) : null}
    </div>
  );
}
