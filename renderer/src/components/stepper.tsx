import { STEPS, STEP_TITLES, type WizardStep } from '../wizard/steps.ts';

/** The wizard's steps: done ones are buttons (back works everywhere), the current one is marked. */
export function Stepper({ current, reached, onGo }: { current: WizardStep; reached: number; onGo: (s: WizardStep) => void }) {
  const index = STEPS.indexOf(current);
  return (
    <nav className="stepper" aria-label="Setup steps">
      <ol>
        {STEPS.map((s, i) => {
          const state = i === index ? 'current' : i < index ? 'done' : i <= reached ? 'reachable' : 'todo';
          const content = (
            <>
              <span className="stepper-num" aria-hidden="true">
                {i < index ? '✓' : i + 1}
              </span>
              <span className="stepper-label">{STEP_TITLES[s]}</span>
            </>
          );
          return (
            <li key={s} className={state} aria-current={i === index ? 'step' : undefined}>
              {i !== index && i <= reached ? (
                <button type="button" className="stepper-button" onClick={() => onGo(s)}>
                  {content}
                  <span className="sr-only">{i < index ? ' (done)' : ''}</span>
                </button>
              ) : (
                <span className="stepper-button">{content}</span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
