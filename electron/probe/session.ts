// One protocol's run inside a connection test: the step timeline (status, duration, server text,
// code), progress events, the redacted transcript, the per-step watchdog and cancellation.
//
// Steps are a state machine with one running step: begin() closes the running one as ok and
// starts the next, fail() fails the running one. The protocol runners call begin() exactly when
// the thing the step names starts on the wire (or, inside imapflow/nodemailer, when the library
// reports it through its logger), so every duration is measured, never estimated.
import type { Protocol, SaslMechanism, Security } from '../../shared/providers.ts';
import type { ProbeProgress, ProtocolReport, Step, StepName } from '../../shared/probe.ts';
import { redactText } from '../../shared/redact.ts';
import type { DiagnosisCode } from '../../shared/diagnostics.ts';

export type AbortCause = { kind: 'cancel' } | { kind: 'step-timeout'; step: StepName } | { kind: 'deadline' };

export type SessionContext = {
  runId: string;
  onProgress?: ((p: ProbeProgress) => void) | undefined;
  now: () => number;
  stepTimeoutMs: number;
  /** Secrets known so far (token, SASL payloads): shared by all sessions of one run. */
  secrets: string[];
};

const MAX_TRANSCRIPT_LINES = 400;
const MAX_LINE = 1000;

export class ProbeSession {
  readonly protocol: Protocol;
  readonly steps: Step[] = [];
  readonly transcript: string[] = [];
  mechanism: SaslMechanism | undefined;
  code: DiagnosisCode | undefined;
  /** Why the session was aborted, if it was (decides the code of the step that was running). */
  abortCause: AbortCause | undefined;
  private readonly ctx: SessionContext;
  private readonly controller = new AbortController();
  private current: { index: number; started: number } | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly closers = new Set<() => void>();
  private readonly startedAt: number;
  private finishedMs: number | undefined;

  readonly host: string;
  readonly port: number;
  readonly security: Security;

  constructor(protocol: Protocol, host: string, port: number, security: Security, ctx: SessionContext) {
    this.protocol = protocol;
    this.host = host;
    this.port = port;
    this.security = security;
    this.ctx = ctx;
    this.startedAt = ctx.now();
  }

  /** Aborted on cancel, step timeout or the overall deadline: every await in a runner races it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get runningStep(): StepName | undefined {
    return this.current ? this.steps[this.current.index]?.step : undefined;
  }

  /** Register how to tear down what is open (sockets, clients). Returns an unregister function. */
  onAbort(close: () => void): () => void {
    if (this.signal.aborted) {
      close();
      return () => undefined;
    }
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  abort(cause: AbortCause): void {
    if (this.signal.aborted) return;
    this.abortCause = cause;
    this.clearWatchdog();
    this.controller.abort(new Error(`probe ${cause.kind}`));
    for (const close of this.closers) {
      try {
        close();
      } catch {
        // closing is best effort; the socket may already be gone
      }
    }
    this.closers.clear();
  }

  begin(step: StepName, detail?: string): void {
    if (this.signal.aborted || this.code !== undefined) return;
    if (this.current) this.finish();
    const entry: Step = { step, status: 'running' };
    if (detail !== undefined) entry.detail = detail;
    this.steps.push(entry);
    this.current = { index: this.steps.length - 1, started: this.ctx.now() };
    this.emit(this.current.index);
    this.armWatchdog(step);
  }

  /** Close the running step as ok. */
  finish(extra: { serverText?: string; detail?: string } = {}): void {
    if (!this.current) return;
    const entry = this.steps[this.current.index];
    if (!entry) return;
    entry.status = 'ok';
    entry.ms = this.ctx.now() - this.current.started;
    if (extra.serverText !== undefined) entry.serverText = this.redact(extra.serverText);
    if (extra.detail !== undefined) entry.detail = this.redact(extra.detail);
    const index = this.current.index;
    this.current = undefined;
    this.clearWatchdog();
    this.emit(index);
  }

  /** Set the server text of the running step (e.g. the greeting) without closing it. */
  note(serverText: string): void {
    const entry = this.current ? this.steps[this.current.index] : undefined;
    if (entry) entry.serverText = this.redact(serverText);
  }

  skip(step: StepName, detail: string): void {
    this.steps.push({ step, status: 'skipped', detail });
    this.emit(this.steps.length - 1);
  }

  /** Fail the running step (or `step` when none runs). The first failure wins. */
  fail(code: DiagnosisCode, extra: { step?: StepName; serverText?: string; detail?: string } = {}): void {
    if (this.code !== undefined) return;
    this.code = code;
    this.clearWatchdog();
    let index: number;
    let started: number;
    if (this.current) {
      index = this.current.index;
      started = this.current.started;
    } else {
      this.steps.push({ step: extra.step ?? 'connect', status: 'running' });
      index = this.steps.length - 1;
      started = this.ctx.now();
    }
    const entry = this.steps[index];
    if (!entry) return;
    entry.status = 'failed';
    entry.ms = this.ctx.now() - started;
    entry.code = code;
    if (extra.serverText !== undefined) entry.serverText = this.redact(extra.serverText);
    if (extra.detail !== undefined) entry.detail = this.redact(extra.detail);
    this.current = undefined;
    this.emit(index);
  }

  /** A transcript line. Redacted here, at the one place lines are written (DESIGN.md "Errors"). */
  line(direction: 'C' | 'S' | '*', text: string): void {
    if (this.transcript.length >= MAX_TRANSCRIPT_LINES) return;
    for (const part of text.replace(/\r?\n$/, '').split(/\r?\n/)) {
      const clipped = part.length > MAX_LINE ? `${part.slice(0, MAX_LINE)}…` : part;
      this.transcript.push(`${direction}: ${this.redact(clipped)}`);
    }
  }

  redact(text: string): string {
    return redactText(text, this.ctx.secrets);
  }

  addSecrets(values: readonly string[]): void {
    for (const v of values) if (v.length >= 4 && !this.ctx.secrets.includes(v)) this.ctx.secrets.push(v);
  }

  report(mechanism?: SaslMechanism): ProtocolReport {
    this.clearWatchdog();
    this.finishedMs ??= this.ctx.now() - this.startedAt;
    const ok = this.code === undefined && this.steps.every((s) => s.status === 'ok' || s.status === 'skipped');
    const r: ProtocolReport = {
      protocol: this.protocol,
      host: this.host,
      port: this.port,
      security: this.security,
      ok,
      ms: this.finishedMs,
      steps: this.steps,
      transcript: this.transcript,
    };
    const mech = mechanism ?? this.mechanism;
    if (mech) r.mechanism = mech;
    if (this.code !== undefined) r.code = this.code;
    return r;
  }

  private emit(index: number): void {
    const s = this.steps[index];
    if (!s || !this.ctx.onProgress) return;
    const p: ProbeProgress = { runId: this.ctx.runId, protocol: this.protocol, step: s.step, status: s.status, index };
    if (s.ms !== undefined) p.ms = s.ms;
    if (s.code !== undefined) p.code = s.code;
    try {
      this.ctx.onProgress(p);
    } catch {
      // a failing listener must not break the test
    }
  }

  private armWatchdog(step: StepName): void {
    this.clearWatchdog();
    // Not unref'd: a step waiting on a silent server must keep the process alive until it fails.
    this.watchdog = setTimeout(() => this.abort({ kind: 'step-timeout', step }), this.ctx.stepTimeoutMs);
  }

  private clearWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }
}
