import { useEffect, useId, useState } from 'react';
import type { BridgePorts, BridgeStatus } from '../../../shared/bridge.ts';
import { BRIDGE_CLIENTS } from '../../../shared/client-settings/bridge.ts';
import type { ClientConfigView } from '../../../shared/ipc.ts';
import type { AppError } from '../../../shared/result.ts';
import { getApi } from '../bridge.ts';
import { CodeBlock } from '../components/code-block.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Spinner } from '../components/spinner.tsx';
import { download } from '../download.ts';

const PROTOCOLS = [
  { key: 'imap', label: 'IMAP' },
  { key: 'pop', label: 'POP3' },
  { key: 'smtp', label: 'SMTP' },
] as const;

type PortText = Record<keyof BridgePorts, string>;
const portText = (p: BridgePorts): PortText => ({ imap: p.imap?.toString() ?? '', pop: p.pop?.toString() ?? '', smtp: p.smtp?.toString() ?? '' });

/** A typed port: empty = that listener off; else 1-65535 (0 = any free port, for tests and scripts). */
function parsePorts(t: PortText): { ports: BridgePorts } | { error: string } {
  const ports: BridgePorts = { imap: null, pop: null, smtp: null };
  for (const { key, label } of PROTOCOLS) {
    const v = t[key].trim();
    if (v === '') continue;
    if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) return { error: `${label} port: a number from 1 to 65535, or empty to turn ${label} off` };
    ports[key] = Number(v);
  }
  if (ports.imap === null && ports.pop === null && ports.smtp === null) return { error: 'Give at least one port (IMAP, POP3 or SMTP).' };
  return { ports };
}

/** The dashboard's Bridge section (issue 12), its own lazy chunk: the local bridge for mail clients
 * that only know passwords. On/off, ports, TLS, start with the app, per-account bridge passwords
 * (shown once), the settings to type into the old client, the live session count and, with TLS,
 * the certificate to import. The main process owns all of it (`bridge:*`); this only shows it. */
export function BridgeSection() {
  const id = useId();
  const [status, setStatus] = useState<BridgeStatus | null>(null);
  const [loadError, setLoadError] = useState<AppError | null>(null);
  const [ports, setPorts] = useState<PortText | null>(null);
  const [portError, setPortError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** What the user just switched, shown until the main process answers (starting takes a moment). */
  const [pending, setPending] = useState<Partial<Record<'enabled' | 'tls' | 'startWithApp', boolean>>>({});
  const [callError, setCallError] = useState<AppError | null>(null);
  /** The new password, shown once: only here, and cleared when the user dismisses it. */
  const [shown, setShown] = useState<{ accountId: string; address: string; password: string } | null>(null);
  const [accountId, setAccountId] = useState('');
  const [client, setClient] = useState('generic');
  const [config, setConfig] = useState<ClientConfigView | null>(null);

  useEffect(() => {
    let live = true;
    const load = (): void =>
      void getApi()['bridge:status']({}).then((r) => {
        if (!live) return;
        if (r.ok) setStatus(r.value);
        else setLoadError(r.error);
      });
    load();
    const off = getApi().on('bridge:changed', (s) => setStatus(s));
    // An account added, signed in or removed changes the list of bridge passwords.
    const offAccounts = getApi().on('accounts:changed', load);
    return () => {
      live = false;
      off();
      offAccounts();
    };
  }, []);

  // The port fields follow the saved settings until the user types in them.
  useEffect(() => {
    if (status && ports === null) setPorts(portText(status.settings.ports));
  }, [status, ports]);

  const accounts = status?.accounts ?? [];
  const current = accounts.some((a) => a.id === accountId) ? accountId : (accounts[0]?.id ?? '');
  // The settings block follows what the bridge really listens on (bound ports while on).
  const listenKey = status ? JSON.stringify([status.ports, status.settings.ports, status.settings.tls]) : '';
  useEffect(() => {
    if (!current || !listenKey) return;
    let live = true;
    void getApi()['clients:config']({ id: current, client, bridge: true }).then((r) => {
      if (live && r.ok) setConfig(r.value);
    });
    return () => {
      live = false;
    };
  }, [current, client, listenKey]);

  if (loadError) return <ErrorPanel error={loadError} />;
  if (!status || !ports) {
    return (
      <section className="bridge-section card" aria-label="Bridge">
        <p role="status">
          <Spinner /> Loading the bridge…
        </p>
      </section>
    );
  }

  const configure = async (input: Parameters<ReturnType<typeof getApi>['bridge:configure']>[0]): Promise<void> => {
    setBusy(true);
    setCallError(null);
    setPending({ ...(input.enabled !== undefined ? { enabled: input.enabled } : {}), ...(input.tls !== undefined ? { tls: input.tls } : {}), ...(input.startWithApp !== undefined ? { startWithApp: input.startWithApp } : {}) });
    const r = await getApi()['bridge:configure'](input);
    setBusy(false);
    setPending({});
    if (r.ok) setStatus(r.value);
    else setCallError(r.error);
  };

  const applyPorts = async (): Promise<void> => {
    const parsed = parsePorts(ports);
    if ('error' in parsed) return setPortError(parsed.error);
    setPortError(null);
    await configure({ ports: parsed.ports });
    setPorts(null);
  };

  const newPassword = async (a: { id: string; address: string }): Promise<void> => {
    setCallError(null);
    const r = await getApi()['bridge:new-password']({ id: a.id });
    if (r.ok) setShown({ accountId: a.id, address: a.address, password: r.value.password });
    else setCallError(r.error);
  };

  const s = status.settings;
  const on = status.state === 'on';
  const bound = PROTOCOLS.filter((p) => status.ports[p.key] !== null).map((p) => `${p.label} ${status.ports[p.key]}`);
  const portsChanged = JSON.stringify(ports) !== JSON.stringify(portText(s.ports));

  return (
    <section className="bridge-section card" aria-labelledby={`${id}-title`}>
      <div className="bridge-head">
        <h2 id={`${id}-title`}>Bridge</h2>
        <label className="switch">
          <input type="checkbox" checked={pending.enabled ?? (s.enabled && status.state !== 'failed')} disabled={busy} onChange={(e) => void configure({ enabled: e.target.checked })} />
          Bridge on
        </label>
      </div>
      <p className="small muted">
        For mail programs that only know passwords (Windows Live Mail, older Outlook, scanners, old apps): they log in to this computer
        (127.0.0.1) with the mail address and a bridge password, and the bridge signs in to the real server with OAuth.
      </p>
      <p role="status" className="bridge-state">
        {busy || status.state === 'starting' ? (
          <>
            <Spinner /> Starting…
          </>
        ) : on ? (
          <>
            <strong className="ok-text">On</strong> at 127.0.0.1 · {bound.join(' · ')}
            {s.tls ? ' · STARTTLS' : ''} ·{' '}
            <span className="bridge-sessions">
              {status.sessions} {status.sessions === 1 ? 'session' : 'sessions'} open
            </span>
          </>
        ) : status.state === 'failed' ? (
          <strong className="bad-text">Not running</strong>
        ) : (
          <strong>Off</strong>
        )}
      </p>
      {status.error ? <ErrorPanel error={status.error} /> : null}
      {callError ? <ErrorPanel error={callError} /> : null}

      <div className="bridge-ports">
        {PROTOCOLS.map((p) => (
          <div className="field" key={p.key}>
            <label htmlFor={`${id}-${p.key}`}>{p.label} port</label>
            <input
              id={`${id}-${p.key}`}
              className="input mono"
              inputMode="numeric"
              value={ports[p.key]}
              placeholder="off"
              aria-describedby={`${id}-ports-hint`}
              onChange={(e) => setPorts({ ...ports, [p.key]: e.target.value })}
            />
          </div>
        ))}
        <button type="button" className="button small" disabled={busy || !portsChanged} onClick={() => void applyPorts()}>
          Apply ports
        </button>
      </div>
      <p id={`${id}-ports-hint`} className="hint">
        Empty: that protocol is off. Ports from 1024 up need no administrator rights.
      </p>
      {portError ? (
        <p className="bad-text small" role="alert">
          {portError}
        </p>
      ) : null}
      <div className="row">
        <label className="switch">
          <input type="checkbox" checked={pending.tls ?? s.tls} disabled={busy} onChange={(e) => void configure({ tls: e.target.checked })} />
          Offer TLS (STARTTLS) to mail clients that insist on it
        </label>
        <label className="switch">
          <input type="checkbox" checked={pending.startWithApp ?? s.startWithApp} disabled={busy} onChange={(e) => void configure({ startWithApp: e.target.checked })} />
          Start with the app
        </label>
      </div>

      <h3>Bridge passwords</h3>
      <ul className="bridge-accounts" aria-label="Bridge passwords">
        {accounts.map((a) => (
          <li key={a.id}>
            <span className="mono">{a.address}</span>{' '}
            <span className="small muted">{a.hasPassword ? '· has a bridge password' : '· no bridge password yet'}</span>
            <button type="button" className="button small" onClick={() => void newPassword(a)} aria-label={`New bridge password for ${a.address}`}>
              New bridge password
            </button>
          </li>
        ))}
      </ul>
      {shown ? (
        <div className="bridge-password card" role="group" aria-label={`Bridge password for ${shown.address}`}>
          <p>
            <strong>Bridge password for {shown.address}</strong> — shown only now. Copy it into the mail client's password field; the app keeps only a
            salted hash and cannot show it again (make a new one if it is lost). Any earlier bridge password for this account no longer works.
          </p>
          {/* A bridge password is a local credential the user must type into the old client: it is
              shown and copied on purpose, and dropped from the page's state on Done. */}
          <CodeBlock code={shown.password} label="Bridge password" />
          <button type="button" className="button small primary" onClick={() => setShown(null)}>
            Done, hide it
          </button>
        </div>
      ) : null}

      <h3>Settings for the mail client</h3>
      <div className="field-row client-pickers">
        {accounts.length > 1 ? (
          <div className="field">
            <label htmlFor={`${id}-account`}>Account</label>
            <select id={`${id}-account`} className="input" value={current} onChange={(e) => setAccountId(e.target.value)}>
              {accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.address}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={`${id}-client`}>Mail client</label>
          <select id={`${id}-client`} className="input" value={client} onChange={(e) => setClient(e.target.value)}>
            {BRIDGE_CLIENTS.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {config ? (
        <>
          <p className="small">
            <strong>Where this goes:</strong> <span className="mono">{config.where}</span>
          </p>
          <p className="small muted">{config.mechanismNote}</p>
          <CodeBlock code={config.text} label="Bridge settings" />
        </>
      ) : null}

      {s.tls && status.certificatePem ? (
        <>
          <h3>Certificate</h3>
          <p className="small muted">
            The bridge's own certificate for TLS on this computer. Import it into the mail client (or the system's trusted certificates) so it
            accepts the connection to 127.0.0.1.
          </p>
          <CodeBlock code={status.certificatePem} label="Bridge certificate" />
          <button type="button" className="button small" onClick={() => download('mail-oauth-bridge.pem', status.certificatePem ?? '', 'application/x-pem-file')}>
            Save certificate
          </button>
        </>
      ) : null}
    </section>
  );
}
