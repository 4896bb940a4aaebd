// Saves the wizard's draft as it goes (debounced) with `accounts:save`, so leaving and coming back
// resumes where the user was. Saves run one after another, so the first save's id is used by
// every later one (no duplicate accounts).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppError } from '../../../shared/result.ts';
import { getApi } from '../bridge.ts';
import { extrasOf, toAccountInput, type Draft } from './draft.ts';
import { dropNewDraft, saveExtras, saveNewDraft } from './local-store.ts';

export type SaveState = { saving: boolean; savedAt?: number; error?: AppError };

export function useDraftSaver(draft: Draft, onId: (id: string) => void, enabled: boolean) {
  const latest = useRef(draft);
  const idRef = useRef(draft.id);
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const lastJson = useRef<string>('');
  const pending = useRef(false);
  const onIdRef = useRef(onId);
  const [state, setState] = useState<SaveState>({ saving: false });

  useEffect(() => {
    onIdRef.current = onId;
  }, [onId]);

  /** Saves now (the draft given, else the latest); resolves with whether the store has it. */
  const save = useCallback((given?: Draft): Promise<{ id: string | undefined; ok: boolean }> => {
    if (given) latest.current = given;
    pending.current = false;
    const run = async (): Promise<{ id: string | undefined; ok: boolean }> => {
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
      const r = await getApi()['accounts:save']({ account: input });
      if (r.ok) {
        lastJson.current = JSON.stringify({ ...input, id: r.value.id });
        if (!idRef.current) {
          idRef.current = r.value.id;
          saveExtras(r.value.id, extrasOf(d));
          dropNewDraft();
          onIdRef.current(r.value.id);
        }
        setState({ saving: false, savedAt: Date.now() });
      } else {
        setState({ saving: false, error: r.error });
      }
      return { id: idRef.current, ok: r.ok };
    };
    const p = chain.current.then(run, run);
    chain.current = p.catch(() => undefined);
    return p;
  }, []);
  const saveNow = useCallback(async (): Promise<string | undefined> => (await save()).id, [save]);

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

  return { ...state, saveNow, save };
}
