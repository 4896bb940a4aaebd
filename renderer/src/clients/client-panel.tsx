import { useEffect, useId, useState } from 'react';
import type { Account } from '../../../shared/account.ts';
import { BRIDGE_CLIENTS, CLIENTS } from '../../../shared/client-settings/index.ts';
import type { ClientConfigView } from '../../../shared/ipc.ts';
import type { AppError } from '../../../shared/result.ts';
import { getApi } from '../bridge.ts';
import { CodeBlock } from '../components/code-block.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Spinner } from '../components/spinner.tsx';

const GROUPS = [
  { kind: 'config', label: 'Uses the token command' },
  { kind: 'guidance', label: 'Signs in by itself' },
  { kind: 'unsupported', label: 'No OAuth' },
] as const;

/** The bridge variants' option values: `bridge:<client id>` (the bridge section's block, here too). */
const BRIDGE_PREFIX = 'bridge:';

/** "Use in a mail client": pick a client, get the block to paste (with Copy; the block is also a
 * selectable box, for the web host's browser where the clipboard may be refused), where it goes,
 * and which mechanism it uses. The main process builds the block (`clients:config`). */
export function ClientPanel({ accounts, initialAccountId }: { accounts: readonly Pick<Account, 'id' | 'address'>[]; initialAccountId?: string }) {
  const id = useId();
  const [accountId, setAccountId] = useState(initialAccountId ?? accounts[0]?.id ?? '');
  const [client, setClient] = useState(CLIENTS[0]?.id ?? 'neomutt');
  const [config, setConfig] = useState<ClientConfigView | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  // The account list can change under the panel (removed on the dashboard).
  const current = accounts.some((a) => a.id === accountId) ? accountId : (accounts[0]?.id ?? '');

  useEffect(() => {
    if (!current) return;
    let live = true;
    setConfig(null);
    const bridge = client.startsWith(BRIDGE_PREFIX);
    const input = bridge ? { id: current, client: client.slice(BRIDGE_PREFIX.length), bridge: true } : { id: current, client };
    void getApi()['clients:config'](input).then((r) => {
      if (!live) return;
      if (r.ok) {
        setConfig(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [current, client]);

  if (!current) return null;
  return (
    <section className="client-panel card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Use in a mail client</h2>
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
            {GROUPS.map((g) => (
              <optgroup key={g.kind} label={g.label}>
                {CLIENTS.filter((c) => c.kind === g.kind).map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.label}
                  </option>
                ))}
              </optgroup>
            ))}
            <optgroup label="Through the local bridge (password)">
              {BRIDGE_CLIENTS.map((c) => (
                <option key={c.id} value={`${BRIDGE_PREFIX}${c.id}`}>
                  {c.label} (bridge)
                </option>
              ))}
            </optgroup>
          </select>
        </div>
      </div>
      {error ? <ErrorPanel error={error} /> : null}
      {!config && !error ? (
        <p role="status">
          <Spinner /> Preparing the settings…
        </p>
      ) : null}
      {config ? (
        <>
          <p className="small">
            <strong>Where this goes:</strong> <span className="mono">{config.where}</span>
          </p>
          <p className="small muted client-mechanism">{config.mechanismNote}</p>
          <CodeBlock code={config.text} label={`${config.label} settings`} />
          {config.kind === 'config' ? (
            <p className="small muted">
              The client runs <span className="mono">mail-oauth token</span> for a fresh token at each login: install the command line tool
              (see the README); it uses the same accounts as this app.
            </p>
          ) : null}
          {config.kind === 'bridge' ? (
            <p className="small muted">
              The client logs in to the app's bridge with a bridge password: turn the bridge on and make the password in the Bridge section, then
              paste it where the block says.
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
