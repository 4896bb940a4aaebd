// "Paste the script's output": the registration scripts print every value the wizard needs
// (client and tenant IDs, the enterprise application's object ID, the client secret and its end
// date). Pasting that output here fills the fields at once. The paste never lands in the text
// box or the draft: it is read in the paste event, and a secret in it goes straight to the secret
// store (as the secret field's Store does), once the draft has been saved with the new client ID.
import { useEffect, useId, useRef, useState } from 'react';
import { parseScriptOutput, type ScriptOutput } from '../../../shared/registration-scripts.ts';
import { getApi } from '../bridge.ts';
import type { Draft } from './draft.ts';

type Props = {
  draft: Draft;
  set: (patch: Partial<Draft>) => void;
  canSave: boolean;
  ensureSaved: () => Promise<string | undefined>;
  onSecretStored: () => void;
};

const NAMES: Record<keyof ScriptOutput, string> = {
  clientId: 'client ID',
  tenantId: 'tenant ID',
  servicePrincipalObjectId: 'enterprise application object ID',
  secretExpires: 'secret end date',
  secret: 'client secret',
};

export function ScriptOutputPaste({ draft, set, canSave, ensureSaved, onSecretStored }: Props) {
  const id = useId();
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  /** A pasted secret waits here (never in state) until the draft with its client ID is saved. */
  const pendingSecret = useRef<string | null>(null);

  useEffect(() => {
    const secret = pendingSecret.current;
    if (secret === null || !canSave) return;
    pendingSecret.current = null;
    void (async () => {
      const accountId = await ensureSaved();
      const r = accountId ? await getApi()['accounts:set-client-secret']({ id: accountId, secret }) : null;
      if (r?.ok) {
        onSecretStored();
        setStatus((s) => ({ ok: true, text: `${s?.text ?? ''} The client secret is stored.` }));
      } else {
        setStatus({ ok: false, text: `The client secret was not stored${r && !r.ok ? `: ${r.error.message}` : ''}. Paste it into Client secret and press Store.` });
      }
    })();
  }, [canSave, draft.clientId, draft.tenant, ensureSaved, onSecretStored]);

  return (
    <div className="field">
      <label htmlFor={id}>Paste the script’s output (optional)</label>
      <textarea
        id={id}
        className="input mono"
        rows={2}
        value=""
        readOnly
        aria-describedby={`${id}-hint`}
        placeholder="Client ID: …"
        onPaste={(e) => {
          e.preventDefault();
          const out = parseScriptOutput(e.clipboardData.getData('text'));
          const found = (Object.keys(NAMES) as Array<keyof ScriptOutput>).filter((k) => out[k] !== undefined);
          if (found.length === 0) {
            setStatus({ ok: false, text: 'No “Client ID: …” lines found in what was pasted. Copy the lines the script printed at its end.' });
            return;
          }
          set({
            ...(out.clientId ? { clientId: out.clientId } : {}),
            ...(out.tenantId ? { tenant: out.tenantId } : {}),
            ...(out.servicePrincipalObjectId ? { spObjectId: out.servicePrincipalObjectId } : {}),
            ...(out.secretExpires ? { secretExpires: out.secretExpires } : {}),
          });
          if (out.secret !== undefined) pendingSecret.current = out.secret;
          setStatus({ ok: true, text: `Filled in: ${found.map((k) => NAMES[k]).join(', ')}.` });
        }}
      />
      <p id={`${id}-hint`} className="hint">
        Paste here what the script printed: the fields below are filled in, and a client secret in it goes straight to the secret store.
      </p>
      <p className={status?.ok === false ? 'field-error' : 'small'} role="status">
        {status?.text ?? ''}
      </p>
    </div>
  );
}
