// The connection test's report: per protocol, the list of steps with status, duration, the
// server's text, a diagnosis code on failure and a redacted transcript. Shared by the engine
// (electron/probe/), the CLI and the UI.
import { z } from 'zod';
import { Protocol, Security, SaslMechanism } from './providers.ts';

export const StepName = z.enum([
  'token',
  'resolve',
  'connect',
  'tls',
  'greeting',
  'capabilities',
  'starttls',
  'authenticate',
  'command',
  'send',
  'logout',
]);
export type StepName = z.infer<typeof StepName>;

export const StepStatus = z.enum(['pending', 'running', 'ok', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

export const Step = z.object({
  step: StepName,
  status: StepStatus,
  ms: z.number().optional(),
  /** The server's own words (already redacted), when relevant. */
  serverText: z.string().optional(),
  code: z.string().optional(),
  detail: z.string().optional(),
});
export type Step = z.infer<typeof Step>;

export const ProtocolReport = z.object({
  protocol: Protocol,
  host: z.string(),
  port: z.number(),
  security: Security,
  mechanism: SaslMechanism.optional(),
  ok: z.boolean(),
  ms: z.number(),
  steps: z.array(Step),
  code: z.string().optional(),
  /** Redacted transcript lines: `C: ...` / `S: ...`. */
  transcript: z.array(z.string()),
});
export type ProtocolReport = z.infer<typeof ProtocolReport>;

export const ProbeReport = z.object({
  address: z.string(),
  accountId: z.string().optional(),
  startedAt: z.number(),
  ms: z.number(),
  ok: z.boolean(),
  token: Step,
  protocols: z.array(ProtocolReport),
});
export type ProbeReport = z.infer<typeof ProbeReport>;

/** Progress event for the UI's live timeline. */
export const ProbeProgress = z.object({
  runId: z.string(),
  protocol: Protocol.or(z.literal('token')),
  step: StepName,
  status: StepStatus,
  ms: z.number().optional(),
  code: z.string().optional(),
  /** Position of the step in its protocol's `steps` (a step name can occur twice, e.g. capabilities after STARTTLS). */
  index: z.number().int().min(0).optional(),
});
export type ProbeProgress = z.infer<typeof ProbeProgress>;
