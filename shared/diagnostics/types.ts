// The shape of one diagnostics catalog entry: what the UI and the CLI show for a code.

/** What the user can do next, as a button in the UI. */
export type DiagnosisAction = 'retry' | 'reauthorize' | 'edit-servers' | 'edit-registration' | 'none';

export type Diagnosis = {
  /** A short sentence naming the cause. */
  title: string;
  /** Plain explanation, no jargon beyond what the user must type or click. */
  explanation: string;
  /** Fix steps in order: exact portal paths, PowerShell lines, setting names. */
  fix: readonly string[];
  /** Which wizard step fixes it. */
  action: DiagnosisAction;
  /** A passing condition (network, provider down, keyring locked): trying again later can work (CLI exit 4). */
  temporary?: boolean;
};
