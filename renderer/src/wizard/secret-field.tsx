import { useEffect, useId, useRef, useState, type MutableRefObject } from 'react';
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
  /** Set by the field: stores what is typed but not yet stored ('empty' when nothing is typed), so
   * the step's Next can store it instead of refusing to go on. */
  storePending?: MutableRefObject<(() => Promise<'stored' | 'empty' | 'failed'>) | null>;
  /** The app's secret storage (app:info): what "stored" means when this field did not store it. */
  storage?: { available: boolean; persisted: boolean } | null;
};


/** The client secret goes straight to the main process's secret store; the field is cleared at once
 * and only "stored" is remembered here (secrets never live in the renderer's state). */
export function SecretField({ label, hint, required, stored, ensureSaved, canSave, onStored, error, storePending, storage }: Props) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [replace, setReplace] = useState(false);
  const [failure, setFailure] = useState<AppError | null>(null);
  /** What the last store here answered; before that, the app's storage state says it. */
  const [persisted, setPersisted] = useState<boolean | null>(null);

  const store = async (input: HTMLInputElement): Promise<'stored' | 'empty' | 'failed'> => {
    const secret = input.value;
    if (secret.trim() === '') return 'empty';
    setBusy(true);
    setFailure(null);
    const accountId = await ensureSaved();
    if (!accountId) {
      setBusy(false);
      setFailure({ code: 'VALIDATION_FAILED', message: 'Enter the client ID first, then store the secret.' });
      return 'failed';
    }
    const r = await getApi()['accounts:set-client-secret']({ id: accountId, secret: secret.trim() });
    input.value = '';
    setBusy(false);
    if (r.ok) {
      setReplace(false);
      setPersisted(r.value.persisted);
      onStored(r.value.persisted);
      return 'stored';
    }
    setFailure(r.error);
    return 'failed';
  };

  // The latest `store` for the step's Next (it closes over the current props).
  const storeRef = useRef(store);
  storeRef.current = store;
  const showingInput = !(stored && !replace);
  useEffect(() => {
    if (!storePending) return;
    storePending.current = showingInput ? () => (inputRef.current ? storeRef.current(inputRef.current) : Promise.resolve('empty')) : null;
    return () => {
      storePending.current = null;
    };
  }, [storePending, showingInput]);

  if (stored && !replace) {
    return (
      <div className="field">
        <span className="label-like">{label}</span>
        <p className="stored-line">
          <span className="chip ok">✓ Stored</span>
          <span className="small muted">
            {(persisted ?? storage?.persisted ?? true) === false
              ? 'in memory only (no OS keyring)'
              : storage && !storage.available
                ? 'on disk without OS encryption (your choice)'
                : 'encrypted, never shown again'}
          </span>
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
          ref={inputRef}
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
