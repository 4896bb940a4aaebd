import type { ReactNode } from 'react';

/** The wizard's bottom bar: Back on the left, the step's own actions and Next on the right. */
export function StepNav({
  onBack,
  nextLabel = 'Next',
  nextDisabled,
  children,
  status,
}: {
  onBack?: (() => void) | undefined;
  nextLabel?: string | null;
  nextDisabled?: boolean;
  children?: ReactNode;
  status?: ReactNode;
}) {
  return (
    <div className="step-nav">
      {onBack ? (
        <button type="button" className="button" onClick={onBack}>
          Back
        </button>
      ) : (
        <span />
      )}
      <span className="step-nav-status" aria-live="polite">
        {status}
      </span>
      <div className="step-nav-actions">
        {children}
        {nextLabel ? (
          <button type="submit" className="button primary" disabled={nextDisabled}>
            {nextLabel}
          </button>
        ) : null}
      </div>
    </div>
  );
}
