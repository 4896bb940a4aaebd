import type { Draft, WizardStep } from './draft.ts';

/** What every wizard step gets from the wizard. */
export type StepProps = {
  draft: Draft;
  update: (fn: (d: Draft) => Draft) => void;
  next: () => void;
  back: () => void;
  goTo: (step: WizardStep) => void;
};
