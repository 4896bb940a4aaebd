import { useEffect, useState, type FormEvent } from 'react';
import type { DiscoveryResult } from '../../../shared/discovery.ts';
import { PROTOCOLS } from '../../../shared/providers.ts';
import { Spinner } from '../components/spinner.tsx';
import { StepNav } from '../components/step-nav.tsx';
import { formatMs } from '../format.ts';
import { serverErrors, type Draft, type ServerForm } from './draft.ts';
import { ServerCard } from './server-card.tsx';
import type { StepProps } from './step-props.ts';

type Props = StepProps & {
  discovery: DiscoveryResult | null;
  discovering: boolean;
  discover: (force: boolean) => void;
};

/** Fill empty servers from the discovery's suggestions (never overwrite what the user typed). */
export function applySuggestions(d: Draft, r: DiscoveryResult): Draft {
  const servers = { ...d.servers };
  for (const p of PROTOCOLS) {
    const s = r.suggested[p];
    if (s && servers[p].host.trim() === '') servers[p] = { enabled: servers[p].enabled, host: s.host, port: String(s.port), security: s.security };
  }
  return { ...d, servers };
}

/** Step 4: server settings from discovery (each with where it came from), editable, switchable. */
export function StepConfigure({ draft, update, next, back, discovery, discovering, discover }: Props) {
  const [submitted, setSubmitted] = useState(false);
  const errors = serverErrors(draft);
  const current = discovery && discovery.address === draft.address.trim().toLowerCase() ? discovery : null;

  useEffect(() => {
    if (!current && !discovering) discover(false);
  }, [current, discovering, discover]);

  useEffect(() => {
    if (current) update((d) => applySuggestions(d, current));
  }, [current, update]);

  const setServer = (p: (typeof PROTOCOLS)[number], s: ServerForm): void => update((d) => ({ ...d, servers: { ...d.servers, [p]: s } }));
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length === 0) next();
  };

  return (
    <form className="step" onSubmit={submit} noValidate aria-labelledby="step-title">
      <div className="step-body">
        <h2 id="step-title">Server settings</h2>
        <p className="lead discovery-line" role="status">
          {discovering ? (
            <>
              <Spinner /> Looking for the servers of {draft.address.split('@')[1]} (catalog, DNS, autoconfig)…
            </>
          ) : current ? (
            'Found these. Nothing is trusted until the test in the next step has tried it.'
          ) : (
            'Enter the servers, or look them up again.'
          )}
        </p>
        <div className="servers">
          {PROTOCOLS.map((p) => (
            <ServerCard
              key={p}
              protocol={p}
              server={draft.servers[p]}
              candidates={current?.candidates[p] ?? []}
              warning={current?.warnings[p]}
              errors={errors}
              showErrors={submitted}
              onChange={(s) => setServer(p, s)}
            />
          ))}
        </div>
        {submitted && errors.protocols ? (
          <p className="field-error" role="alert">
            {errors.protocols}
          </p>
        ) : null}
        <details className="sources">
          <summary>How the servers were looked up</summary>
          {current ? (
            <ul className="source-list small">
              {current.sources.map((s) => (
                <li key={s.name}>
                  <span className={s.ok ? 'ok-text' : 'muted'}>{s.ok ? '✓' : '–'}</span> <strong>{s.name}</strong> {formatMs(s.ms)}
                  {s.count > 0 ? ` · ${s.count} found` : ''}
                  {s.error ? ` · ${s.error}` : s.detail ? ` · ${s.detail}` : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p className="small muted">No lookup yet.</p>
          )}
          <button type="button" className="button small" onClick={() => discover(true)} disabled={discovering}>
            Look up again
          </button>
        </details>
      </div>
      <StepNav onBack={back} nextLabel="Next: test the connection" />
    </form>
  );
}
