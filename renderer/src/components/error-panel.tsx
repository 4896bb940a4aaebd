import { describe } from '../../../shared/diagnostics.ts';
import type { AppError } from '../../../shared/result.ts';

/** An error as the diagnostics catalog explains it: what happened, why, and what to do. */
export function ErrorPanel({ error, onAction }: { error: AppError; onAction?: () => void }) {
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
      {onAction && d.action !== 'none' ? (
        <button type="button" className="button" onClick={onAction}>
          {d.action === 'retry' ? 'Try again' : d.action === 'reauthorize' ? 'Sign in again' : 'Fix the settings'}
        </button>
      ) : null}
      <p className="code">Code: {d.code}</p>
    </div>
  );
}
