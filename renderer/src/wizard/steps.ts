// The wizard's steps, their titles, and which step fixes a diagnosis: all the dashboard needs
// from the wizard, apart from draft.ts so that it stays out of the initial bundle (the wizard
// itself is a lazy chunk).
export const STEPS = ['account', 'register', 'authorize', 'configure', 'test', 'done'] as const;
export type WizardStep = (typeof STEPS)[number];
export const STEP_TITLES: Readonly<Record<WizardStep, string>> = {
  account: 'Account',
  register: 'Register',
  authorize: 'Authorize',
  configure: 'Configure',
  test: 'Test',
  done: 'Done',
};

/** Which wizard step fixes a diagnosis (the catalog's `action`). */
export const ACTION_STEP: Readonly<Partial<Record<string, WizardStep>>> = {
  reauthorize: 'authorize',
  'edit-servers': 'configure',
  'edit-registration': 'register',
};
