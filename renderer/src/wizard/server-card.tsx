import { useId } from 'react';
import type { Candidate } from '../../../shared/discovery.ts';
import type { Protocol, Security } from '../../../shared/providers.ts';
import { TextField } from '../components/text-field.tsx';
import { DEFAULT_PORTS, PROTOCOL_LABEL, PROTOCOL_PURPOSE, SECURITY_LABEL, SECURITY_SHORT } from '../format.ts';
import type { FieldErrors, ServerForm } from './draft.ts';

const SOURCE_LABEL: Readonly<Record<Candidate['source'], string>> = {
  catalog: 'the provider catalog',
  autoconfig: 'the domain’s autoconfig file',
  ispdb: 'the Thunderbird ISP database',
  srv: 'a DNS SRV record',
  guess: 'a guess from the domain name',
};

const sameServer = (c: Candidate, s: ServerForm): boolean => c.host === s.host.trim().toLowerCase() && String(c.port) === s.port && c.security === s.security;

/** One protocol's server: on/off, host, port, security, and where the values came from. */
export function ServerCard({
  protocol,
  server,
  candidates,
  warning,
  errors,
  showErrors,
  onChange,
}: {
  protocol: Protocol;
  server: ServerForm;
  candidates: readonly Candidate[];
  warning?: string | undefined;
  errors: FieldErrors;
  showErrors: boolean;
  onChange: (s: ServerForm) => void;
}) {
  const id = useId();
  const match = candidates.find((c) => sameServer(c, server));
  const others = candidates.filter((c) => !sameServer(c, server));
  const setSecurity = (security: Security): void => {
    const fromDefault = Number(server.port) === DEFAULT_PORTS[protocol][server.security] || server.port === '';
    onChange({ ...server, security, port: fromDefault ? String(DEFAULT_PORTS[protocol][security]) : server.port });
  };
  return (
    <fieldset className={`server-card card${server.enabled ? '' : ' off'}`} aria-labelledby={`${id}-title`}>
      <div className="server-head">
        <label className="switch">
          <input type="checkbox" checked={server.enabled} onChange={(e) => onChange({ ...server, enabled: e.target.checked })} />
          <span id={`${id}-title`}>
            <strong>{PROTOCOL_LABEL[protocol]}</strong> <span className="muted">· {PROTOCOL_PURPOSE[protocol]}</span>
          </span>
        </label>
        <span className="source small">
          {!server.enabled ? 'Switched off' : match ? `From ${SOURCE_LABEL[match.source]} · ${match.confidence} confidence · not yet tested` : server.host ? 'Entered by you · not yet tested' : 'Nothing found: enter it'}
        </span>
      </div>
      {server.enabled ? (
        <div className="server-fields">
          <TextField
            className="grow"
            label={`${PROTOCOL_LABEL[protocol]} server`}
            mono
            value={server.host}
            onChange={(host) => onChange({ ...server, host })}
            error={errors[`${protocol}.host`]}
            showError={showErrors}
          />
          <TextField
            className="port"
            label={`${PROTOCOL_LABEL[protocol]} port`}
            mono
            inputMode="numeric"
            value={server.port}
            onChange={(port) => onChange({ ...server, port: port.replace(/\D/g, '').slice(0, 5) })}
            error={errors[`${protocol}.port`]}
            showError={showErrors}
          />
          <div className="field security">
            <label htmlFor={`${id}-sec`}>{PROTOCOL_LABEL[protocol]} security</label>
            <select id={`${id}-sec`} className="input" value={server.security} onChange={(e) => setSecurity(e.target.value as Security)}>
              {(Object.keys(SECURITY_LABEL) as Security[]).map((s) => (
                <option key={s} value={s}>
                  {SECURITY_LABEL[s]}
                </option>
              ))}
            </select>
          </div>
        </div>
      ) : null}
      {server.enabled && (warning || server.security === 'none') ? (
        <p className="small warn-text">{warning ?? 'Plaintext sends the token unencrypted: only for a server on this machine.'}</p>
      ) : null}
      {server.enabled && others.length > 0 ? (
        <div className="alternatives small">
          <span className="muted">Also found:</span>
          {others.slice(0, 3).map((c) => (
            <button
              key={`${c.host}:${c.port}:${c.security}`}
              type="button"
              className="button small ghost"
              onClick={() => onChange({ ...server, host: c.host, port: String(c.port), security: c.security })}
              title={c.note ?? `From ${SOURCE_LABEL[c.source]}`}
            >
              Use {c.host}:{c.port} {SECURITY_SHORT[c.security]} ({c.source})
            </button>
          ))}
        </div>
      ) : null}
    </fieldset>
  );
}
