import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'id'> & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string | undefined;
  /** Show the error only once the user has had a chance to type (blur or submit). */
  showError?: boolean;
  mono?: boolean;
  trailing?: ReactNode;
};

/** A labelled input with its hint and error tied to it for screen readers. */
export function TextField({ label, value, onChange, hint, error, showError = true, mono, trailing, className, ...rest }: Props) {
  const id = useId();
  const visibleError = showError ? error : undefined;
  const describedBy = [hint ? `${id}-hint` : '', visibleError ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="field-row">
        <input
          id={id}
          className={`input${mono ? ' mono' : ''}`}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={visibleError ? true : undefined}
          aria-describedby={describedBy}
          spellCheck={false}
          {...rest}
        />
        {trailing}
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      <p id={`${id}-error`} className="field-error" role={visibleError ? 'alert' : undefined}>
        {visibleError ?? ''}
      </p>
    </div>
  );
}
