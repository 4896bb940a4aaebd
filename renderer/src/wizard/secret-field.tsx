import { useId, useState } from 'react';
import type { AppError } from '../../../shared/result.ts';
import { getApi } from '../bridge.ts';

type Props = {
  label: string;
  hint: string;
  required: boolean;
  stored: boolean;
  /** Saves the draft and returns its account id (undefined: not saveable yet). */
  ensureSaved: () => Promise<string | undefined>;
  canSave: boolean;
  onStored: (persisted: boolean) => void;
  error?: string | undefined;
};

/** The client secret goes straight to the main process's secret store; the field is cleared at once
 * and only "stored" is remembered here (secrets never live in the renderer's state). */
export function SecretField({ label, hint, required, stored, ensureSaved, canSave, onStored, error }: Props) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [replace, setReplace] = useState(false);
  const [failure, setFailure] = useState<AppError | null>(null);
  const [persisted, setPersisted] = useState(true);

  const store = async (input: HTMLInputElement): Promise<void> => {
    const secret = input.value;
    if (secret.trim() === '') return;
    setBusy(true);
    setFailure(null);
    const accountId = await ensureSaved();
    if (!accountId) {
      setBusy(false);
      setFailure({ code: 'VALIDATION_FAILED', message: 'Enter the client ID first, then store the secret.' });
      return;
    }
    const r = await getApi()['accounts:set-client-secret']({ id: accountId, secret: secret.trim() });
    input.value = '';
    setBusy(false);
    if (r.ok) {
      setReplace(false);
      setPersisted(r.value.persisted);
      onStored(r.value.persisted);
    } else setFailure(r.error);
  };

  if (stored && !replace) {
    return (
      <div className="field">
        <span className="label-like">{label}</span>
        <p className="stored-line">
          <span className="chip ok">✓ Stored</span>
          <span className="small muted">{persisted ? 'encrypted, never shown again' : 'in memory only (no OS keyring)'}</span>
          <button type="button" className="button small" onClick={() => setReplace(true)}>
            Replace
          </button>
        </p>
      </div>
    );
  }
  const message = failure?.message ?? error;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? '' : ' (optional)'}
      </label>
      <div className="field-row">
        <input
          id={id}
          className="input mono"
          type="password"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-hint`}
          aria-invalid={message ? true : undefined}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void store(e.currentTarget);
            }
          }}
        />
        <button
          type="button"
          className="button"
          disabled={busy || !canSave}
          onClick={(e) => {
            const input = e.currentTarget.parentElement?.querySelector('input');
            if (input) void store(input);
          }}
        >
          {busy ? 'Storing…' : 'Store'}
        </button>
      </div>
      <p id={`${id}-hint`} className="hint">
        {canSave ? hint : 'Enter the client ID first; then paste the secret and press Store.'}
      </p>
      <p className="field-error" role={message ? 'alert' : undefined}>
        {message ?? ''}
      </p>
    </div>
  );
}
