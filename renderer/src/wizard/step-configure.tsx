import { useEffect, useLayoutEffect, useState, type FormEvent } from 'react';
import type { DiscoveryResult } from '../../../shared/discovery.ts';
import { PROTOCOLS, type Protocol } from '../../../shared/providers.ts';
import { Spinner } from '../components/spinner.tsx';
import { StepNav } from '../components/step-nav.tsx';
import { PROTOCOL_LABEL, formatMs } from '../format.ts';
import { protocolsOf, serverErrors, type Draft, type ServerForm } from './draft.ts';
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

/** What the lookup found for the enabled protocols, said as it is (no "Found these" above nothing). */
function foundLine(r: DiscoveryResult, enabled: readonly Protocol[], domain: string): string {
  const found = enabled.filter((p) => r.candidates[p].length > 0);
  const missing = enabled.filter((p) => r.candidates[p].length === 0);
  if (found.length === 0) return `Nothing was found for ${domain}: enter the servers from your provider’s documentation.`;
  const names = (ps: readonly Protocol[]): string => ps.map((p) => PROTOCOL_LABEL[p]).join(' and ');
  return `Found ${names(found)}${missing.length > 0 ? `; nothing for ${names(missing)}: enter it below` : ''}. Nothing is trusted until the test in the next step has tried it.`;
}

/** Step 4: server settings from discovery (each with where it came from), editable, switchable. */
export function StepConfigure({ draft, update, next, back, discovery, discovering, discover }: Props) {
  const [submitted, setSubmitted] = useState(false);
  const errors = serverErrors(draft);
  const current = discovery && discovery.address === draft.address.trim().toLowerCase() ? discovery : null;

  useEffect(() => {
    if (!current && !discovering) discover(false);
  }, [current, discovering, discover]);

  // Before paint: the line saying what was found and the fields it fills show together. A passive
  // effect left one painted frame with "Found IMAP and SMTP." over empty fields, which a reader (or
  // a test reading the fields once that line shows) could catch (issue 16).
  useLayoutEffect(() => {
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
            foundLine(current, protocolsOf(draft), draft.address.split('@')[1] ?? '')
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
                  {/* A check only where the lookup found something: "no MX records" is not a success. */}
                  <span className={s.ok && s.count > 0 ? 'ok-text' : s.ok ? 'muted' : 'warn-text'} aria-label={s.ok && s.count > 0 ? 'found' : s.ok ? 'nothing found' : 'failed'}>
                    {s.ok && s.count > 0 ? '✓' : s.ok ? '○' : '✕'}
                  </span>{' '}
                  <strong>{s.name}</strong> {formatMs(s.ms)}
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
