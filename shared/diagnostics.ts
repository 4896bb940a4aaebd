// The diagnostics catalog: every stable error code -> title, explanation, fix steps and the
// action that leads to the fix. The UI and the CLI show these; provider texts are matched to
// codes in one place (electron/probe/diagnose.ts and electron/auth/diagnose.ts).
import { generalDiagnoses } from './diagnostics/general.ts';
import { mailDiagnoses } from './diagnostics/mail.ts';
import { authDiagnoses } from './diagnostics/auth.ts';
import { keyringDiagnoses } from './diagnostics/keyring.ts';
import { bridgeDiagnoses } from './diagnostics/bridge.ts';
import type { Diagnosis } from './diagnostics/types.ts';

export type { Diagnosis, DiagnosisAction } from './diagnostics/types.ts';

export const diagnostics = {
  ...generalDiagnoses,
  ...mailDiagnoses,
  ...authDiagnoses,
  ...keyringDiagnoses,
  ...bridgeDiagnoses,
} as const satisfies Record<string, Diagnosis>;

export type DiagnosisCode = keyof typeof diagnostics;

export function isDiagnosisCode(code: string): code is DiagnosisCode {
  return Object.hasOwn(diagnostics, code);
}

/** The catalog entry for a code; unknown codes fall back to INTERNAL rather than failing. */
export function describe(code: string): Diagnosis & { code: string } {
  const entry: Diagnosis = isDiagnosisCode(code) ? diagnostics[code] : diagnostics.INTERNAL;
  return { code, ...entry };
}
