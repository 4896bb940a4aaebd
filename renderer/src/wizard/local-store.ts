// What the wizard keeps in this window's storage: helper values of the register step (never
// secrets) and a new draft that cannot be saved as an account yet (no client id so far).
import { PROTOCOLS } from '../../../shared/providers.ts';
import type { Draft, LocalExtras } from './draft.ts';
import { STEPS } from './steps.ts';

const EXTRAS = 'moa-draft-extras:';
const NEW_DRAFT = 'moa-draft-new';

function read(key: string): unknown {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: resuming falls back to what the account record holds.
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 2000) : '');

export function loadExtras(id: string): Partial<LocalExtras> | undefined {
  const v = read(EXTRAS + id);
  if (!isObject(v)) return undefined;
  return {
    checked: Array.isArray(v.checked) ? v.checked.filter((x): x is string => typeof x === 'string') : [],
    spObjectId: str(v.spObjectId),
    mailbox: str(v.mailbox),
    appName: str(v.appName) || 'Mail OAuth Assistant',
    protocols: Array.isArray(v.protocols) ? PROTOCOLS.filter((p) => (v.protocols as unknown[]).includes(p)) : [],
  };
}

export const saveExtras = (id: string, extras: LocalExtras): void => write(EXTRAS + id, extras);
export const dropExtras = (id: string): void => localStorage.removeItem(EXTRAS + id);

/** The unsaved new draft, checked field by field (it is our own data, but storage can be stale). */
export function loadNewDraft(): Draft | undefined {
  const v = read(NEW_DRAFT);
  if (!isObject(v) || typeof v.address !== 'string' || !isObject(v.servers)) return undefined;
  const d = v as unknown as Draft;
  if (!STEPS.includes(d.step)) return undefined;
  return d;
}

export function saveNewDraft(d: Draft): void {
  if (d.address.trim() === '' && d.providerId === '') return;
  write(NEW_DRAFT, d);
}

export const dropNewDraft = (): void => localStorage.removeItem(NEW_DRAFT);
