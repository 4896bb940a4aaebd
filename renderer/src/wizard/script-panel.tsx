import { CodeBlock } from '../components/code-block.tsx';
import type { Result } from '../../../shared/result.ts';

/** A generated script, or why it was not generated (invalid ids are refused, not quoted). */
export function ScriptPanel({ result, label, intro }: { result: Result<string>; label: string; intro: string }) {
  return (
    <div className="script-panel">
      <p className="small">{intro}</p>
      {result.ok ? (
        <CodeBlock code={result.value} label={label} />
      ) : (
        <div className="callout warn small" role="status">
          <strong>Fill in the fields first</strong>
          <span>{result.error.detail ?? result.error.message}</span>
        </div>
      )}
    </div>
  );
}
