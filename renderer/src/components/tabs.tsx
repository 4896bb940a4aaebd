import { useRef, type KeyboardEvent } from 'react';

export type Tab = { id: string; label: string };

/** An ARIA tab list: arrow keys move between tabs; the panel is rendered by the caller with
 * `id={`${idPrefix}-panel`}` and `aria-labelledby={`${idPrefix}-${active}`}`. */
export function Tabs({ tabs, active, onChange, label, idPrefix }: { tabs: readonly Tab[]; active: string; onChange: (id: string) => void; label: string; idPrefix: string }) {
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const onKey = (e: KeyboardEvent, i: number): void => {
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (delta === 0) return;
    e.preventDefault();
    const j = (i + delta + tabs.length) % tabs.length;
    const t = tabs[j];
    if (t) {
      onChange(t.id);
      refs.current[j]?.focus();
    }
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t, i) => (
        <button
          key={t.id}
          ref={(el) => {
            refs.current[i] = el;
          }}
          id={`${idPrefix}-${t.id}`}
          type="button"
          role="tab"
          aria-selected={t.id === active}
          aria-controls={`${idPrefix}-panel`}
          tabIndex={t.id === active ? 0 : -1}
          className={`tab${t.id === active ? ' active' : ''}`}
          onClick={() => onChange(t.id)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
