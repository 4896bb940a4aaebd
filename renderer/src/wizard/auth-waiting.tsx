import { useEffect, useState } from 'react';
import type { AuthProgress } from '../../../shared/auth-outcome.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { Spinner } from '../components/spinner.tsx';

const PHASE: Readonly<Record<AuthProgress['kind'], string>> = {
  discovering: 'Contacting the provider…',
  'browser-opened': 'Waiting for you to sign in in your browser…',
  'device-code': 'Waiting for you to enter the code…',
  'exchanging-code': 'Signed in: collecting the tokens…',
  done: 'Done.',
};

/** "0:42", "12:05": elapsed or remaining time of the wait, to the second. */
export function mmss(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

type Props = {
  progress: AuthProgress | null;
  address: string;
  flow: 'browser' | 'device' | 'client-credentials';
  /** When this attempt started and when the browser page was opened (renderer clock). */
  startedAt: number;
  openedAt: number | null;
  onCancel: () => void;
  onReopen: () => void;
  onOpenDevicePage?: () => void;
};

/** The waiting state of an authorization: browser (with "open again", the page's address to copy,
 * the time waited and when it gives up) or device code (shown large). */
export function AuthWaiting({ progress, address, flow, startedAt, openedAt, onCancel, onReopen, onOpenDevicePage }: Props) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const device = progress?.kind === 'device-code' ? progress : null;
  const opened = progress?.kind === 'browser-opened' ? progress : null;
  // Only once the app has really handed the page to the browser does the text say it opened.
  const pageOpened = flow === 'browser' && openedAt !== null;
  const givesUpAt = opened?.timeoutMs !== undefined && openedAt !== null ? startedAt + opened.timeoutMs : null;
  return (
    <div className="auth-waiting card" aria-busy="true">
      <p className="waiting-line" role="status">
        <Spinner large />{' '}
        <span>
          {progress
            ? PHASE[progress.kind]
            : flow === 'client-credentials'
              ? 'Asking for an app token…'
              : flow === 'browser'
                ? 'Preparing the sign-in page…'
                : 'Asking the provider for a code…'}
        </span>
        <span className="muted small waiting-time" data-testid="auth-elapsed">
          {mmss(now - startedAt)} waited
          {givesUpAt !== null ? ` · gives up in ${mmss(givesUpAt - now)}` : ''}
        </span>
      </p>
      {pageOpened ? (
        <>
          <p className="small">
            The sign-in page was handed to your default browser. Sign in as <strong>{address}</strong> and allow access; then come back here.
            No page? Use “Open again”, or copy its address into a browser on this computer.
          </p>
          {opened?.url ? (
            <div className="copy-value auth-url">
              <span className="copy-label">Sign-in page</span>
              <code className="copy-text">{opened.url}</code>
              <CopyButton value={opened.url} label="sign-in page address" />
            </div>
          ) : null}
        </>
      ) : null}
      {device ? (
        <div className="device-code">
          <p className="small">On any device, open this address and enter the code:</p>
          <p className="device-uri">
            <code>{device.verificationUri}</code> <CopyButton value={device.verificationUri} label="sign-in address" />{' '}
            {onOpenDevicePage ? (
              <button type="button" className="button small" onClick={onOpenDevicePage}>
                Open it here
              </button>
            ) : null}
          </p>
          <p className="code-big" aria-label={`Code: ${device.userCode.split('').join(' ')}`}>
            {device.userCode}
          </p>
          <p className="small muted">
            <CopyButton value={device.userCode} label="code" /> The code expires {device.expiresAt > now ? `in ${mmss(device.expiresAt - now)}` : 'now'}.
          </p>
        </div>
      ) : null}
      <div className="row">
        {pageOpened ? (
          <button type="button" className="button" onClick={onReopen}>
            Open again
          </button>
        ) : null}
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
