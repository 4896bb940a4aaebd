// Saves the wizard's draft as it goes (debounced) with `accounts:save`, so leaving and coming back
// resumes where the user was. Saves run one after another, so the first save's id is used by
// every later one (no duplicate accounts).
//
// A saved account is edited from the version it was loaded (or last saved) as: each save names
// that version (`baseUpdatedAt`), and the store refuses it when the record changed since (the CLI's
// `edit`, another window), instead of putting this copy back over that change. The refusal stays
// in `error` until the user picks: load the saved version, or keep theirs (`overwrite`). Opening
// an account saves nothing until something in it changes.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppError } from '../../../shared/result.ts';
import { getApi } from '../bridge.ts';
import { extrasOf, toAccountInput, type Draft } from './draft.ts';
import type { Account } from '../../../shared/account.ts';
import { dropNewDraft, saveExtras, saveNewDraft } from './local-store.ts';

export type SaveState = { saving: boolean; savedAt?: number; error?: AppError };
/** `ok`: the store has the draft; `error`: why a save was refused (a draft not complete enough to
 * save is not an error). */
export type SaveResult = { id: string | undefined; ok: boolean; error?: AppError };

export function useDraftSaver(draft: Draft, onId: (id: string) => void, enabled: boolean) {
  const latest = useRef(draft);
  const idRef = useRef(draft.id);
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const lastJson = useRef<string>('');
  /** The saved version this draft is edited from (undefined: a new account, or "keep mine"). */
  const base = useRef<number | undefined>(undefined);
  const pending = useRef(false);
  const onIdRef = useRef(onId);
  const [state, setState] = useState<SaveState>({ saving: false });

  useEffect(() => {
    onIdRef.current = onId;
  }, [onId]);

  /** Saves now (the draft given, else the latest); resolves with whether the store has it. */
  const save = useCallback((given?: Draft): Promise<SaveResult> => {
    if (given) latest.current = given;
    pending.current = false;
    const run = async (): Promise<SaveResult> => {
      const d: Draft = { ...latest.current, ...(idRef.current ? { id: idRef.current } : {}) };
      if (d.id) saveExtras(d.id, extrasOf(d));
      const input = toAccountInput(d);
      if (!input) {
        // Only a draft that got past the first step is worth resuming: an address typed and then
        // Back is not an account in the making.
        if (!d.id && d.step !== 'account') saveNewDraft(d);
        return { id: idRef.current, ok: false };
      }
      const json = JSON.stringify(input);
      if (json === lastJson.current) return { id: idRef.current, ok: true };
      setState((s) => ({ ...s, saving: true }));
      const r = await getApi()['accounts:save']({ account: { ...input, ...(base.current !== undefined ? { baseUpdatedAt: base.current } : {}) } });
      if (r.ok) {
        lastJson.current = JSON.stringify({ ...input, id: r.value.id });
        base.current = r.value.updatedAt;
        if (!idRef.current) {
          idRef.current = r.value.id;
          saveExtras(r.value.id, extrasOf(d));
          dropNewDraft();
          onIdRef.current(r.value.id);
        }
        setState({ saving: false, savedAt: Date.now() });
        return { id: idRef.current, ok: true };
      }
      setState({ saving: false, error: r.error });
      return { id: idRef.current, ok: false, error: r.error };
    };
    const p = chain.current.then(run, run);
    chain.current = p.catch(() => undefined);
    return p;
  }, []);
  const saveNow = useCallback(async (): Promise<string | undefined> => (await save()).id, [save]);

  /** The draft was just made from the saved `account`: that is the version edits start from, and
   * it is not saved back until it changes. */
  const loaded = useCallback((d: Draft, account: Account) => {
    base.current = account.updatedAt;
    idRef.current = account.id;
    const input = toAccountInput(d);
    lastJson.current = input ? JSON.stringify(input) : '';
    setState({ saving: false });
  }, []);

  /** After a refusal: save this draft over the other change ("keep mine"). */
  const overwrite = useCallback((): Promise<SaveResult> => {
    base.current = undefined;
    lastJson.current = '';
    return save();
  }, [save]);

  useEffect(() => {
    latest.current = draft;
    if (draft.id) idRef.current = draft.id;
    if (!enabled) return;
    pending.current = true;
    const t = setTimeout(() => void saveNow(), 400);
    return () => clearTimeout(t);
  }, [draft, saveNow, enabled]);

  // Leaving the wizard: whatever is still pending is saved, not dropped.
  useEffect(
    () => () => {
      if (pending.current) void saveNow();
    },
    [saveNow],
  );

  return { ...state, saveNow, save, loaded, overwrite };
}
