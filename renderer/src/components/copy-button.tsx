import { useEffect, useRef, useState } from 'react';

/** Copies a non-secret value (redirect URI, scope, script) to the clipboard. Secrets never pass
 * through here: copying a token is done by the main process (`tokens:copy`). */
export function CopyButton({ value, label, className = '' }: { value: string; label: string; className?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      setState('failed');
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState('idle'), 2000);
  };

  return (
    <button type="button" className={`button small copy ${className}`} onClick={() => void copy()} aria-label={`Copy ${label}`}>
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Select & Ctrl+C' : 'Copy'}</span>
    </button>
  );
}
