import { CopyButton } from './copy-button.tsx';

/** A value to paste somewhere else, shown in full with its copy button. */
export function CopyValue({ label, value }: { label: string; value: string }) {
  return (
    <div className="copy-value">
      <span className="copy-label">{label}</span>
      <code className="copy-text">{value}</code>
      <CopyButton value={value} label={label} />
    </div>
  );
}
