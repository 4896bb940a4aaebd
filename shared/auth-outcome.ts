// What an authorization established, for the UI and the CLI to show: who signed in, which scopes
// were granted, until when, whether a refresh token exists, and what looks wrong. Built by
// electron/auth/outcome.ts from the token response; it never carries a token value.
import { z } from 'zod';
import { Protocol } from './providers.ts';

export const AuthFlow = z.enum(['browser', 'device', 'client-credentials']);
export type AuthFlow = z.infer<typeof AuthFlow>;

/** A finding about the authorization; `code` is a diagnostics catalog code (shared/diagnostics/auth.ts). */
export const AuthFlag = z.object({
  code: z.enum(['AUTH_WRONG_USER', 'AUTH_WRONG_DELEGATE', 'AUTH_SCOPE_MISSING', 'AUTH_NO_REFRESH_TOKEN', 'AUTH_EXCESS_SCOPES']),
  /** `warning`: the mail connection will fail (or stop within the hour); `info`: works, but worth fixing. */
  severity: z.enum(['warning', 'info']),
  message: z.string(),
  /** The protocol concerned (missing scope). */
  protocol: Protocol.optional(),
  /** The scopes concerned (missing or excess). */
  scopes: z.array(z.string()).optional(),
});
export type AuthFlag = z.infer<typeof AuthFlag>;

export const AuthOutcome = z.object({
  accountId: z.string(),
  flow: AuthFlow,
  /** The identity the provider reported (ID token email / preferred_username, or MSAL's account username). */
  signedInAs: z.string().optional(),
  /** The mailbox address of the account, for the mismatch display. */
  expectedUser: z.string(),
  requestedScopes: z.array(z.string()),
  grantedScopes: z.array(z.string()),
  /** Access token expiry, epoch ms. */
  expiresAt: z.number().optional(),
  hasRefreshToken: z.boolean(),
  authorizedAt: z.number(),
  /** Whether the secrets survive a restart (false: memory only, SECRET_STORAGE_UNAVAILABLE). */
  persisted: z.boolean(),
  flags: z.array(AuthFlag),
});
export type AuthOutcome = z.infer<typeof AuthOutcome>;

/** Progress of an interactive authorization, for the UI's "waiting" panel. Never a secret: the
 * device `userCode` is meant to be typed by the user; the device_code itself is never sent. */
export const AuthProgress = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('discovering') }),
  z.object({
    kind: z.literal('browser-opened'),
    redirectPort: z.number().optional(),
    /** The sign-in page, to copy into another browser (no secret: state and PKCE challenge only). */
    url: z.string().optional(),
    /** How long the app waits for the browser before it gives up, ms. */
    timeoutMs: z.number().optional(),
  }),
  z.object({
    kind: z.literal('device-code'),
    userCode: z.string(),
    verificationUri: z.string(),
    verificationUriComplete: z.string().optional(),
    expiresAt: z.number(),
    message: z.string().optional(),
  }),
  z.object({ kind: z.literal('exchanging-code') }),
  z.object({ kind: z.literal('done') }),
]);
export type AuthProgress = z.infer<typeof AuthProgress>;
