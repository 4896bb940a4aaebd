import type { StepStatus } from '../../../shared/probe.ts';
import { Spinner } from './spinner.tsx';

const TEXT: Readonly<Record<StepStatus, string>> = { pending: 'waiting', running: 'running', ok: 'passed', failed: 'failed', skipped: 'skipped' };

/** One fixed-width icon per status, so rows never shift while a test runs. */
export function StatusIcon({ status }: { status: StepStatus }) {
  return (
    <span className={`status-icon ${status}`} title={TEXT[status]}>
      {status === 'running' ? <Spinner /> : status === 'ok' ? '✓' : status === 'failed' ? '✕' : status === 'skipped' ? '–' : '○'}
      <span className="sr-only">{TEXT[status]}</span>
    </span>
  );
}
