import { useEffect, useRef, useState, type FormEvent } from 'react';
import { describe } from '../../../shared/diagnostics.ts';
import type { ProbeReport, StepName } from '../../../shared/probe.ts';
import type { Protocol } from '../../../shared/providers.ts';
import type { AppError } from '../../../shared/result.ts';
import { getApi } from '../bridge.ts';
import { ErrorPanel } from '../components/error-panel.tsx';
import { CA_FIXABLE, TrustCa } from '../components/trust-ca.tsx';
import { applyProgress, plannedSteps, ProbeTimeline, type LiveSteps, type PlannedServer } from '../components/probe-timeline.tsx';
import { Spinner } from '../components/spinner.tsx';
import { StepNav } from '../components/step-nav.tsx';
import { PROTOCOL_LABEL, STEP_LABEL, formatMs } from '../format.ts';
import { ACTION_STEP, STEP_TITLES, protocolsOf } from './draft.ts';
import type { StepProps } from './step-props.ts';

type Props = StepProps & {
  ensureSaved: () => Promise<string | undefined>;
  report: ProbeReport | null;
  onReport: (r: ProbeReport | null) => void;
};

type Failure = { code: string; protocols: string[]; step?: StepName; serverText?: string };

/** The failures of a report, one per diagnosis code (the token first: it explains the rest). */
export function failuresOf(report: ProbeReport): Failure[] {
  const out = new Map<string, Failure>();
  const add = (code: string, who: string, step?: StepName, serverText?: string): void => {
    const f = out.get(code) ?? { code, protocols: [], ...(step ? { step } : {}), ...(serverText ? { serverText } : {}) };
    f.protocols.push(who);
    out.set(code, f);
  };
  if (report.token.status === 'failed' && report.token.code) add(report.token.code, 'Token', 'token', report.token.serverText);
  for (const p of report.protocols) {
    if (p.ok || !p.code) continue;
    const failed = p.steps.find((s) => s.status === 'failed');
    add(p.code, PROTOCOL_LABEL[p.protocol], failed?.step, failed?.serverText ?? failed?.detail);
  }
  return [...out.values()];
}

/** Step 5: the one-click connection test with a live timeline, the diagnosis and the way to the fix. */
export function StepTest({ draft, next, back, goTo, ensureSaved, report, onReport }: Props) {
  const [running, setRunning] = useState(false);
  const [live, setLive] = useState<LiveSteps>({});
  const [error, setError] = useState<AppError | null>(null);
  const [sendTest, setSendTest] = useState(false);
  const runId = useRef<string | null>(null);
  const failuresRef = useRef<HTMLDivElement>(null);

  const servers: PlannedServer[] = protocolsOf(draft).map((p: Protocol) => ({
    protocol: p,
    host: draft.servers[p].host,
    port: Number(draft.servers[p].port),
    security: draft.servers[p].security,
  }));
  const planned = Object.fromEntries(servers.map((s) => [s.protocol, plannedSteps(s, sendTest)]));
  const plannedRef = useRef(planned);
  plannedRef.current = planned;

  useEffect(() => {
    const off = getApi().on('probe:progress', (e) => {
      if (e.runId !== runId.current) return;
      setLive((l) => applyProgress(l, plannedRef.current, e));
    });
    return () => {
      off();
      if (runId.current) void getApi()['probe:cancel']({ runId: runId.current });
    };
  }, []);

  const run = async (): Promise<void> => {
    setError(null);
    onReport(null);
    setLive({});
    setRunning(true);
    const id = await ensureSaved();
    if (!id) {
      setRunning(false);
      setError({ code: 'VALIDATION_FAILED', message: 'The account is not complete yet: check the earlier steps.' });
      return;
    }
    const rid = `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    runId.current = rid;
    const r = await getApi()['probe:run']({ id, runId: rid, sendTestMessage: sendTest });
    if (runId.current !== rid) return;
    runId.current = null;
    setRunning(false);
    if (r.ok) onReport(r.value);
    else if (r.error.code !== 'CANCELLED') setError(r.error);
  };

  const cancel = (): void => {
    if (runId.current) void getApi()['probe:cancel']({ runId: runId.current });
  };

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (report?.ok) next();
  };

  const failures = report && !report.ok ? failuresOf(report) : [];

  // A failure's diagnosis is below the timeline: bring it into view once the report is in.
  useEffect(() => {
    if (report && !report.ok) failuresRef.current?.scrollIntoView({ block: 'nearest' });
  }, [report]);
  return (
    <form className="step" onSubmit={submit} noValidate aria-labelledby="step-title">
      <div className="step-body">
        <div className="test-head">
          <h2 id="step-title">Test the connection</h2>
          <div className="row">
            <label className="check inline small">
              <input type="checkbox" checked={sendTest} onChange={(e) => setSendTest(e.target.checked)} disabled={running || !draft.servers.smtp.enabled} />
              <span>Also send a test message to myself</span>
            </label>
            {running ? (
              <button type="button" className="button" onClick={cancel}>
                Cancel
              </button>
            ) : (
              <button type="button" className={`button ${report?.ok ? '' : 'primary'}`} onClick={() => void run()}>
                {report || error ? 'Run the test again' : 'Run the connection test'}
              </button>
            )}
          </div>
        </div>
        <p className="result-line" role="status" aria-live="polite">
          {running ? (
            <>
              <Spinner /> Testing {servers.map((s) => PROTOCOL_LABEL[s.protocol]).join(', ')} in parallel…
            </>
          ) : report?.ok ? (
            <span className="ok-text">
              ✓ Everything works: {report.protocols.map((p) => PROTOCOL_LABEL[p.protocol]).join(', ')} signed in with OAuth in {formatMs(report.ms)}.
            </span>
          ) : report ? (
            <span className="bad-text">✕ The test found a problem. The fix is below.</span>
          ) : (
            'Signs in to every enabled server with the token, one command each, and logs out. Nothing is changed in your mailbox.'
          )}
        </p>
        <ProbeTimeline servers={servers} live={live} report={report} sendTestMessage={sendTest} />
        {error ? <ErrorPanel error={error} onAction={() => void run()} /> : null}
        <div ref={failuresRef}>
        {failures.map((f) => {
          const d = describe(f.code);
          const target = ACTION_STEP[d.action];
          return (
            <ErrorPanel
              key={f.code}
              error={{
                code: f.code,
                message: `${f.protocols.join(', ')}: failed at “${f.step ? STEP_LABEL[f.step] : 'the test'}”.`,
                ...(f.serverText ? { detail: `Server said: ${f.serverText}` } : {}),
              }}
              onAction={() => (target ? goTo(target) : void run())}
              actionLabel={target ? `Go to ${STEP_TITLES[target]} to fix it` : 'Run the test again'}
            >
              {target ? (
                <button type="button" className="button ghost" onClick={() => void run()}>
                  Run the test again
                </button>
              ) : null}
              {CA_FIXABLE.has(f.code) ? <TrustCa getAccountId={ensureSaved} onTrusted={() => void run()} /> : null}
            </ErrorPanel>
          );
        })}
        </div>
        {report ? (
          <details className="transcripts">
            <summary>Show the conversation with the servers (secrets removed)</summary>
            {report.protocols.map((p) => (
              <div key={p.protocol}>
                <h4>
                  {PROTOCOL_LABEL[p.protocol]} {p.host}:{p.port}
                  {p.mechanism ? ` · ${p.mechanism}` : ''}
                </h4>
                <pre className="transcript" tabIndex={0}>
                  {p.transcript.join('\n') || '(no lines)'}
                </pre>
              </div>
            ))}
          </details>
        ) : null}
      </div>
      <StepNav
        onBack={back}
        nextLabel="Save and finish"
        nextDisabled={!report?.ok || running}
        status={report && !report.ok && !running ? <span className="small muted">The failure stays on the dashboard until a test passes.</span> : null}
      >
        {/* A failing protocol must not trap the account in the wizard (the provider may switch SMTP
            on tomorrow): save it as it is; the dashboard shows the failure and its fix. */}
        {report && !report.ok && !running ? (
          <button type="button" className="button" onClick={next}>
            Save anyway
          </button>
        ) : null}
      </StepNav>
    </form>
  );
}
