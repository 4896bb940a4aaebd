import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AuthFlow, AuthOutcome, AuthProgress } from '../../../shared/auth-outcome.ts';
import type { Identity } from '../../../shared/account.ts';
import { describe } from '../../../shared/diagnostics.ts';
import type { AppError } from '../../../shared/result.ts';
import { getApi } from '../bridge.ts';
import { ErrorPanel } from '../components/error-panel.tsx';
import { CA_FIXABLE, TrustCa } from '../components/trust-ca.tsx';
import { StepNav } from '../components/step-nav.tsx';
import { formatTime } from '../format.ts';
import { issuerToCheck, keptScopesNote, providerOf, scopesOf } from './draft.ts';
import { AuthResult } from './auth-result.tsx';
import { AuthWaiting } from './auth-waiting.tsx';
import type { StepProps } from './step-props.ts';

type Props = StepProps & {
  ensureSaved: () => Promise<string | undefined>;
  outcome: AuthOutcome | null;
  onOutcome: (o: AuthOutcome) => void;
  identity: Identity | undefined;
};

type Phase =
  | { kind: 'idle' }
  | { kind: 'waiting'; flow: AuthFlow; progress: AuthProgress | null; startedAt: number; openedAt: number | null }
  | { kind: 'error'; error: AppError };

/** Step 3: sign in in the system browser (or with a device code, or app-only with the secret). */
export function StepAuthorize({ draft, next, back, goTo, ensureSaved, outcome, onOutcome, identity }: Props) {
  const provider = providerOf(draft);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const attempt = useRef(0);
  const accountId = useRef<string | undefined>(draft.id);
  const appOnly = provider?.adapter === 'msal' && draft.flow === 'app-only';

  useEffect(() => {
    accountId.current = draft.id;
  }, [draft.id]);

  useEffect(() => {
    const off = getApi().on('auth:progress', (e) => {
      if (e.accountId !== accountId.current) return;
      setPhase((p) =>
        p.kind === 'waiting' ? { ...p, progress: e.progress, openedAt: p.openedAt ?? (e.progress.kind === 'browser-opened' ? Date.now() : null) } : p,
      );
    });
    return () => {
      off();
      // Leaving the step while waiting: stop the flow (its loopback listener closes).
      if (accountId.current && attempt.current > 0) void getApi()['auth:cancel']({ id: accountId.current });
    };
  }, []);

  const start = async (flow: AuthFlow): Promise<void> => {
    const n = ++attempt.current;
    setPhase({ kind: 'waiting', flow, progress: null, startedAt: Date.now(), openedAt: null });
    const id = await ensureSaved();
    if (!id) {
      setPhase({ kind: 'error', error: { code: 'VALIDATION_FAILED', message: 'The registration values are incomplete: go back one step.' } });
      return;
    }
    accountId.current = id;
    const r = await getApi()['auth:start']({ id, flow });
    if (n !== attempt.current) return; // superseded by "open again" or cancelled
    attempt.current = 0;
    if (r.ok) {
      onOutcome(r.value);
      setPhase({ kind: 'idle' });
    } else if (r.error.code === 'CANCELLED') setPhase({ kind: 'idle' });
    else setPhase({ kind: 'error', error: r.error });
  };

  const openDevicePage = (): void => {
    if (accountId.current) void getApi()['auth:open-device-page']({ id: accountId.current });
  };
  const cancel = (): void => {
    attempt.current++;
    setPhase({ kind: 'idle' });
    if (accountId.current) void getApi()['auth:cancel']({ id: accountId.current });
  };

  const reopen = (): void => {
    if (accountId.current) void getApi()['auth:cancel']({ id: accountId.current });
    void start('browser');
  };

  const onErrorAction = (error: AppError): void => {
    const action = describe(error.code).action;
    if (action === 'edit-registration') goTo('register');
    else if (action === 'edit-servers') goTo('configure');
    else void start(appOnly ? 'client-credentials' : 'browser');
  };

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (outcome || identity) next();
  };

  if (!provider) return null;
  const host = (() => {
    try {
      return new URL(issuerToCheck(draft)).host;
    } catch {
      return 'the provider';
    }
  })();
  const authorized = outcome !== null || identity !== undefined;

  return (
    <form className="step" onSubmit={submit} noValidate aria-labelledby="step-title">
      <div className="step-body">
        <h2 id="step-title">{appOnly ? 'Get a token for the app' : `Sign in to ${provider.label}`}</h2>
        {phase.kind === 'waiting' ? (
          <AuthWaiting
            progress={phase.progress}
            address={draft.address}
            flow={phase.flow}
            startedAt={phase.startedAt}
            openedAt={phase.openedAt}
            onCancel={cancel}
            onReopen={reopen}
            onOpenDevicePage={openDevicePage}
          />
        ) : null}
        {phase.kind === 'error' ? (
          <ErrorPanel error={phase.error} onAction={() => onErrorAction(phase.error)}>
            {CA_FIXABLE.has(phase.error.code) ? <TrustCa getAccountId={ensureSaved} /> : null}
          </ErrorPanel>
        ) : null}
        {/* The latest attempt failed: its error stands alone (no green "Signed in" of an earlier
            attempt beside it, and one "Sign in again", the error's). */}
        {phase.kind === 'idle' && outcome ? <AuthResult outcome={outcome} /> : null}
        {phase.kind === 'idle' && !outcome && identity ? (
          <div className="card callout ok">
            <strong>
              ✓ Signed in{identity.username ? ` as ${identity.username}` : ''} on {formatTime(identity.authorizedAt)}
            </strong>
            <span className="small">Scopes: {identity.grantedScopes.join(' ') || 'none reported'}</span>
          </div>
        ) : null}
        {phase.kind !== 'waiting' ? (
          <div className="auth-start card">
            {appOnly ? (
              <p>The assistant asks {host} for a token with the client secret you stored. No browser is involved.</p>
            ) : (
              <ol className="small plain-steps">
                <li>Your browser opens the sign-in page of {host}.</li>
                <li>
                  Sign in as <strong>{draft.shared && draft.signInAs.trim() !== '' ? draft.signInAs.trim() : draft.address}</strong>
                  {draft.shared && draft.signInAs.trim() !== '' ? ` (the delegate of ${draft.address}, not the shared mailbox)` : ''} and allow access.
                </li>
                <li>Come back here: the result appears by itself.</li>
              </ol>
            )}
            <p className="small muted">
              Requests: <code>{scopesOf(draft).join(' ')}</code>
              {keptScopesNote(draft)}
            </p>
            <div className="row">
              {phase.kind === 'error' && ['reauthorize', 'retry'].includes(describe(phase.error.code).action) ? null : (
                <button type="button" className={`button ${authorized ? '' : 'primary'}`} onClick={() => void start(appOnly ? 'client-credentials' : 'browser')}>
                  {appOnly ? (authorized ? 'Get a new token' : 'Get a token') : authorized ? 'Sign in again' : 'Open the sign-in page in my browser'}
                </button>
              )}
              {!appOnly && provider.deviceFlowForMail ? (
                <button type="button" className="button ghost" onClick={() => void start('device')}>
                  No browser here? Use a code instead
                </button>
              ) : null}
            </div>
          </div>
        ) : null}
      </div>
      <StepNav onBack={back} nextLabel="Next: server settings" nextDisabled={!authorized || phase.kind === 'waiting'} />
    </form>
  );
}
