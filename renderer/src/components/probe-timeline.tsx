import type { ProbeProgress, ProbeReport, Step, StepName } from '../../../shared/probe.ts';
import type { Protocol, Security } from '../../../shared/providers.ts';
import { PROTOCOL_LABEL, SECURITY_SHORT, formatMs, stepLabel } from '../format.ts';
import { StatusIcon } from './status-icon.tsx';

export type PlannedServer = { protocol: Protocol; host: string; port: number; security: Security };

/** The steps the engine runs for a server (electron/probe/), so the rows exist before the first
 * event arrives and nothing jumps while the test runs. */
export function plannedSteps(s: PlannedServer, sendTestMessage: boolean): StepName[] {
  const tls: StepName[] = s.security === 'tls' ? ['tls'] : [];
  const upgrade: StepName[] = s.security === 'starttls' ? ['starttls', 'tls', 'capabilities'] : [];
  const send: StepName[] = s.protocol === 'smtp' && sendTestMessage ? ['send'] : [];
  return ['resolve', 'connect', ...tls, 'greeting', 'capabilities', ...upgrade, 'authenticate', 'command', ...send, 'logout'];
}

export type LiveSteps = Partial<Record<Protocol | 'token', Step[]>>;

/** Apply one progress event to the live rows (by its index when given, else the first row of that name still open). */
export function applyProgress(live: LiveSteps, planned: Readonly<Partial<Record<Protocol, StepName[]>>>, e: ProbeProgress): LiveSteps {
  const key = e.protocol;
  const base: Step[] = live[key] ?? (key === 'token' ? [{ step: 'token', status: 'pending' }] : (planned[key] ?? []).map((step) => ({ step, status: 'pending' as const })));
  const rows = [...base];
  let i = e.index ?? -1;
  if (i < 0 || i >= rows.length || rows[i]?.step !== e.step) {
    i = rows.findIndex((r) => r.step === e.step && (r.status === 'pending' || r.status === 'running'));
  }
  const row: Step = { step: e.step, status: e.status, ...(e.ms !== undefined ? { ms: e.ms } : {}), ...(e.code ? { code: e.code } : {}) };
  if (i < 0) rows.push(row);
  else rows[i] = row;
  return { ...live, [key]: rows };
}

function Row({ step, protocol }: { step: Step; protocol?: Protocol }) {
  return (
    <li className={`timeline-row ${step.status}`}>
      <StatusIcon status={step.status} />
      <span className="timeline-label">{stepLabel(step.step, protocol)}</span>
      <span className="timeline-ms">{step.status === 'failed' ? 'failed' : formatMs(step.ms)}</span>
    </li>
  );
}

/** The live step timeline: one column per protocol, fixed-height rows. */
export function ProbeTimeline({ servers, live, report, sendTestMessage }: { servers: readonly PlannedServer[]; live: LiveSteps; report: ProbeReport | null; sendTestMessage: boolean }) {
  const tokenSteps: Step[] = report ? [report.token] : (live.token ?? [{ step: 'token', status: 'pending' }]);
  return (
    <div className="timeline" aria-label="Connection test steps">
      <ul className="timeline-token">{tokenSteps.map((s, i) => <Row key={i} step={s} />)}</ul>
      <div className="timeline-cols" style={{ gridTemplateColumns: `repeat(${Math.max(servers.length, 1)}, minmax(0, 1fr))` }}>
        {servers.map((s) => {
          const fromReport = report?.protocols.find((p) => p.protocol === s.protocol);
          const steps = fromReport?.steps ?? live[s.protocol] ?? plannedSteps(s, sendTestMessage).map((step) => ({ step, status: 'pending' as const }));
          const ok = fromReport?.ok;
          return (
            <section key={s.protocol} className="timeline-col card" aria-label={`${PROTOCOL_LABEL[s.protocol]} steps`}>
              <h3 className="timeline-head">
                <span>{PROTOCOL_LABEL[s.protocol]}</span>
                <span className="muted small mono">
                  {s.host}:{s.port} {SECURITY_SHORT[s.security]}
                </span>
                <span className={`chip ${ok === undefined ? 'muted' : ok ? 'ok' : 'bad'}`}>{ok === undefined ? '…' : ok ? 'works' : 'failed'}</span>
              </h3>
              <ol className="timeline-steps">
                {steps.map((st, i) => (
                  <Row key={i} step={st} protocol={s.protocol} />
                ))}
              </ol>
            </section>
          );
        })}
      </div>
    </div>
  );
}
