import { describe, type DiagnosisAction } from '../../../shared/diagnostics.ts';
import type { ReactNode } from 'react';
import type { AppError } from '../../../shared/result.ts';

export const ACTION_LABEL: Readonly<Record<Exclude<DiagnosisAction, 'none'>, string>> = {
  retry: 'Try again',
  reauthorize: 'Sign in again',
  'edit-servers': 'Edit the server settings',
  'edit-registration': 'Fix the registration',
};

/** An error as the diagnostics catalog explains it: what happened, why, and what to do. */
export function ErrorPanel({
  error,
  onAction,
  actionLabel,
  children,
}: {
  error: AppError;
  onAction?: () => void;
  /** Override the catalog's button text (e.g. when the action is done in place). */
  actionLabel?: string;
  children?: ReactNode;
}) {
  const d = describe(error.code);
  return (
    <div className="error-panel" role="alert">
      <h3>{d.title}</h3>
      <p>{error.message !== d.title ? error.message : d.explanation}</p>
      {error.message !== d.title ? <p className="muted">{d.explanation}</p> : null}
      {d.fix.length > 0 ? (
        <ol className="fix-steps">
          {d.fix.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
      ) : null}
      {error.detail ? <p className="detail">{error.detail}</p> : null}
      <div className="error-actions">
        {onAction && d.action !== 'none' ? (
          <button type="button" className="button primary" onClick={onAction}>
            {actionLabel ?? ACTION_LABEL[d.action]}
          </button>
        ) : null}
        {children}
      </div>
      <p className="code">Code: {d.code}</p>
    </div>
  );
}
