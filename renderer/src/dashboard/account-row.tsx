import type { ReactNode } from 'react';
import type { Account } from '../../../shared/account.ts';
import { describe } from '../../../shared/diagnostics.ts';
import type { TokenState } from '../../../shared/ipc.ts';
import type { AppError } from '../../../shared/result.ts';
import { providerById } from '../../../shared/providers.ts';
import { Spinner } from '../components/spinner.tsx';
import { formatClock, relativeTime } from '../format.ts';
import { ACTION_STEP, STEP_TITLES, type WizardStep } from '../wizard/steps.ts';
import { CA_FIXABLE, TrustCa } from '../components/trust-ca.tsx';

export type RowAction = 'continue' | 'test' | 'reauthorize' | 'edit-servers' | 'copy-token' | 'report' | 'remove';

export type RowNote = { kind: 'ok' | 'bad' | 'info'; text: string };

/**
 * The token state arrives by its own call after the account list: until it answers the row says so
 * ("Checking token…"), and "unknown" is kept for a call that failed, with its reason.
 */
export type TokenView = { status: 'loading' } | { status: 'ok'; state: TokenState } | { status: 'failed'; error: AppError };

function tokenText(view: TokenView): { text: string; tone: 'ok' | 'warn' | 'bad' | 'muted'; loading?: boolean } {
  if (view.status === 'loading') return { text: 'Checking token…', tone: 'muted', loading: true };
  if (view.status === 'failed') return { text: `Token state unknown: ${describe(view.error.code).title}`, tone: 'warn' };
  const t = view.state;
  switch (t.state) {
    case 'valid':
      return { text: `Token valid until ${t.expiresAt ? `${formatClock(t.expiresAt)} (${relativeTime(t.expiresAt)})` : 'further notice'}`, tone: 'ok' };
    case 'expired':
      return t.hasRefreshToken ? { text: 'Token expired: renews by itself at the next use', tone: 'ok' } : { text: 'Token expired: sign in again', tone: 'warn' };
    case 'needs-reauth':
      return { text: 'Needs re-authorize', tone: 'bad' };
    default:
      return { text: 'Not signed in yet', tone: 'warn' };
  }
}

/** One account on the dashboard: provider, address, token state, last test, actions. */
export function AccountRow({
  account,
  token,
  testing,
  note,
  onAction,
  onFix,
  timeline,
}: {
  account: Account;
  token: TokenView;
  testing: boolean;
  note: RowNote | undefined;
  onAction: (a: RowAction) => void;
  onFix: (step: WizardStep) => void;
  /** The account's history of tests and renewals (a lazy chunk the dashboard passes in). */
  timeline?: ReactNode;
}) {
  const provider = providerById(account.providerId);
  const draft = account.status === 'draft';
  const t = tokenText(token);
  const last = account.lastTest;
  const fixCode = last && !last.ok ? last.codes[0] : undefined;
  const fixStep = fixCode ? ACTION_STEP[describe(fixCode).action] : undefined;
  const id = `acct-${account.id}`;
  return (
    <li className="account card" aria-labelledby={`${id}-addr`}>
      <div className="account-head">
        <div>
          <h3 id={`${id}-addr`} className="account-address">
            {account.address}
          </h3>
          <p className="small muted">{provider?.label ?? account.providerId}</p>
        </div>
        {draft ? (
          <span className="chip warn">Setup not finished</span>
        ) : testing ? (
          <span className="chip muted">
            <Spinner /> Testing…
          </span>
        ) : last ? (
          <span className={`chip ${last.ok ? 'ok' : 'bad'}`}>{last.ok ? '✓ Works' : '✕ Last test failed'}</span>
        ) : (
          <span className="chip muted">Not tested</span>
        )}
      </div>
      <dl className="account-facts small">
        {draft ? (
          <>
            <dt>Setup</dt>
            <dd>Stopped at “{STEP_TITLES[account.wizardStep ?? 'account']}”: continue where you left off.</dd>
          </>
        ) : (
          <>
            <dt>Token</dt>
            <dd className={`${t.tone}-text`} aria-busy={t.loading ? true : undefined}>
              {t.loading ? <Spinner /> : null} {t.text}
            </dd>
            {account.caPem ? (
              <>
                <dt>Extra CA</dt>
                <dd>A certificate authority is trusted for this account.</dd>
              </>
            ) : null}
            <dt>Last test</dt>
            <dd>
              {last ? (
                <>
                  {last.ok ? 'Passed' : 'Failed'} {relativeTime(last.at)}: {last.summary}
                </>
              ) : (
                'Never run'
              )}
            </dd>
          </>
        )}
      </dl>
      {draft ? null : timeline}
      {note ? (
        <p className={`row-note ${note.kind}`} role="status">
          {note.text}
        </p>
      ) : null}
      <div className="account-actions">
        {draft ? (
          <button type="button" className="button small primary" onClick={() => onAction('continue')}>
            Continue setup
          </button>
        ) : (
          <>
            {fixStep ? (
              <button type="button" className="button small primary" onClick={() => onFix(fixStep)}>
                Fix: {STEP_TITLES[fixStep]}
              </button>
            ) : null}
            <button type="button" className="button small" onClick={() => onAction('test')} disabled={testing}>
              Test again
            </button>
            <button type="button" className="button small" onClick={() => onAction('reauthorize')}>
              Re-authorize
            </button>
            <button type="button" className="button small" onClick={() => onAction('edit-servers')}>
              Edit servers
            </button>
            <button type="button" className="button small" onClick={() => onAction('copy-token')}>
              Copy token
            </button>
            <button type="button" className="button small" onClick={() => onAction('report')}>
              Export report
            </button>
          </>
        )}
        <button type="button" className="button small danger-ghost" onClick={() => onAction('remove')}>
          Remove
        </button>
      </div>
      {!draft && last && !last.ok && last.codes.some((c) => CA_FIXABLE.has(c)) ? (
        <div className="account-trust-ca">
          <TrustCa getAccountId={async () => account.id} onTrusted={() => onAction('test')} />
        </div>
      ) : null}
    </li>
  );
}
