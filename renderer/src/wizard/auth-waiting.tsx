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

/** The waiting state of an authorization: browser (with "open again") or device code (shown large). */
export function AuthWaiting({ progress, address, flow, onCancel, onReopen, onOpenDevicePage }: { progress: AuthProgress | null; address: string; flow: 'browser' | 'device' | 'client-credentials'; onCancel: () => void; onReopen: () => void; onOpenDevicePage?: () => void }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const device = progress?.kind === 'device-code' ? progress : null;
  return (
    <div className="auth-waiting card" aria-busy="true">
      <p className="waiting-line" role="status">
        <Spinner large /> <span>{progress ? PHASE[progress.kind] : flow === 'client-credentials' ? 'Asking for an app token…' : 'Starting…'}</span>
      </p>
      {flow === 'browser' ? (
        <p className="small">
          The sign-in page opened in your default browser. Sign in as <strong>{address}</strong> and allow access; then come back here. No page?
          Use “Open again”.
        </p>
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
            <CopyButton value={device.userCode} label="code" /> The code expires {device.expiresAt > now ? `in ${Math.ceil((device.expiresAt - now) / 60000)} min` : 'now'}.
          </p>
        </div>
      ) : null}
      <div className="row">
        {flow === 'browser' ? (
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
