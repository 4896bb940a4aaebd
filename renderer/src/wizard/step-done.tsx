import type { ProbeReport } from '../../../shared/probe.ts';
import type { AuthOutcome } from '../../../shared/auth-outcome.ts';
import { describe } from '../../../shared/diagnostics.ts';
import { PROTOCOL_LABEL, SECURITY_SHORT, formatTime } from '../format.ts';
import { protocolsOf, providerOf, type Draft } from './draft.ts';
import { ClientPanel } from '../clients/client-panel.tsx';

/** Step 6: the account is saved; what works, in one glance. */
export function StepDone({ draft, report, outcome, onFinish, onTestAgain }: { draft: Draft; report: ProbeReport | null; outcome: AuthOutcome | null; onFinish: () => void; onTestAgain: () => void }) {
  const provider = providerOf(draft);
  const failed = report !== null && !report.ok;
  return (
    <div className="step" aria-labelledby="step-title">
      <div className="step-body">
        <div className="done-hero">
          <span className={`done-mark${failed ? ' warn' : ''}`} aria-hidden="true">
            {failed ? '!' : '✓'}
          </span>
          <div>
            <h2 id="step-title">{failed ? `${draft.address} is saved, but its test failed` : `${draft.address} is ready`}</h2>
            <p className="muted">
              Saved with {provider?.label ?? 'its provider'}. The assistant keeps the token fresh
              {outcome && !outcome.persisted ? '; without an OS keyring the tokens are kept in memory only and lost when the app closes.' : '; tokens stay encrypted on this computer.'}
            </p>
          </div>
        </div>
        <ul className="summary card">
          {protocolsOf(draft).map((p) => {
            const r = report?.protocols.find((x) => x.protocol === p);
            return (
              <li key={p}>
                <span className={r?.ok ? 'ok-text' : r ? 'bad-text' : 'muted'}>{r?.ok ? '✓' : r ? '✕' : '○'}</span> <strong>{PROTOCOL_LABEL[p]}</strong>{' '}
                <span className="mono small">
                  {draft.servers[p].host}:{draft.servers[p].port} {SECURITY_SHORT[draft.servers[p].security]}
                </span>
                <span className="muted small">
                  {r?.ok ? (r.mechanism ? ` · signs in with ${r.mechanism}` : ' · works') : r ? ` · failed: ${r.code ? describe(r.code).title : 'see the test'}` : ' · not tested'}
                </span>
              </li>
            );
          })}
          {outcome ? (
            <li>
              <span className="ok-text">✓</span> <strong>Signed in</strong> {outcome.signedInAs ? `as ${outcome.signedInAs}` : ''}
              <span className="muted small">
                {outcome.hasRefreshToken ? ' · renews by itself' : ' · no refresh token: sign in again after expiry'}
                {outcome.expiresAt ? ` · current token until ${formatTime(outcome.expiresAt)}` : ''}
              </span>
            </li>
          ) : null}
        </ul>
        {draft.id ? <ClientPanel accounts={[{ id: draft.id, address: draft.address }]} /> : null}
      </div>
      <div className="step-nav">
        <span />
        <span />
        <div className="step-nav-actions">
          <button type="button" className="button" onClick={onTestAgain}>
            Test again
          </button>
          <button type="button" className="button primary" onClick={onFinish} autoFocus>
            Go to accounts
          </button>
        </div>
      </div>
    </div>
  );
}
