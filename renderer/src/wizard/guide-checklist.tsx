import type { LinkId } from '../../../shared/ipc.ts';
import { CopyValue } from '../components/copy-value.tsx';
import type { Guide } from './register-guide.ts';

/** The portal steps as a checklist: where to click, what to paste, ticked off as the user goes, and
 * ticked by the assistant itself for what it has verified (`verified`: those are not unticked). */
export function GuideChecklist({
  guide,
  checked,
  verified,
  onToggle,
  onOpenLink,
}: {
  guide: Guide;
  checked: readonly string[];
  verified: readonly string[];
  onToggle: (id: string, on: boolean) => void;
  onOpenLink: (id: LinkId) => void;
}) {
  const done = guide.steps.filter((s) => checked.includes(s.id) || verified.includes(s.id)).length;
  return (
    <div className="guide">
      <p className="muted small">
        {guide.intro} <span className="guide-progress">{done} of {guide.steps.length} done</span>
      </p>
      <ol className="checklist">
        {guide.steps.map((s, i) => {
          const proven = verified.includes(s.id);
          const on = proven || checked.includes(s.id);
          return (
            <li key={s.id} className={on ? 'checked' : ''}>
              <label className="check-title">
                <input type="checkbox" checked={on} disabled={proven} onChange={(e) => onToggle(s.id, e.target.checked)} />
                <span>
                  <span className="check-num">{i + 1}.</span> {s.title}
                  {proven ? <span className="chip ok verified-chip">verified</span> : null}
                </span>
              </label>
              <div className="check-body">
                {s.path ? (
                  <p className="path" aria-label={`Where: ${s.path.join(', then ')}`}>
                    {s.path.map((p, j) => (
                      <span key={p}>
                        {j > 0 ? <span className="path-sep" aria-hidden="true">›</span> : null}
                        <span className="path-part">{p}</span>
                      </span>
                    ))}
                  </p>
                ) : null}
                {s.text ? <p className="small">{s.text}</p> : null}
                {s.copy?.map((c) => (
                  <CopyValue key={c.value} label={c.label} value={c.value} />
                ))}
                {s.link ? (
                  <button type="button" className="button small link-button" onClick={() => onOpenLink(s.link?.id as LinkId)}>
                    {s.link.label} ↗
                  </button>
                ) : null}
              </div>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
