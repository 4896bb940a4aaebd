import { useState } from 'react';
import type { AppInfo } from '../../../shared/ipc.ts';
import type { AppError } from '../../../shared/result.ts';
import { getApi } from '../bridge.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { LoginItem } from './login-item.tsx';

/** Where the app runs and how secrets are kept: always visible. Without OS encryption the user can
 * explicitly choose to keep secrets on disk anyway (after a warning); the default is memory only. */
export function StatusFooter({ info, onInfo }: { info: AppInfo | null; onInfo?: (info: AppInfo) => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  if (!info) return <footer className="statusbar">Connecting…</footer>;
  const s = info.secretStorage;
  const keep = async (): Promise<void> => {
    setBusy(true);
    const r = await getApi()['app:keep-secrets-without-os-encryption']({ confirm: true });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setAsking(false);
    setError(null);
    onInfo?.(r.value);
  };
  return (
    <footer className="statusbar" data-testid="status-footer">
      <span>
        v{info.version} · {info.shell === 'web-host' ? 'web host' : 'desktop'} · {info.platform}
      </span>
      {s.available ? (
        <span className="ok">Secrets encrypted by the OS ({s.backend})</span>
      ) : s.persisted ? (
        <span className="warn">Tokens stored on disk without OS encryption (your choice)</span>
      ) : (
        <span className="warn">
          No OS encryption: tokens kept in memory only{' '}
          {onInfo ? (
            <button type="button" className="button ghost small" onClick={() => setAsking(true)}>
              Keep them on disk…
            </button>
          ) : null}
        </span>
      )}
      {info.shell === 'electron' ? <LoginItem /> : null}
      <ConfirmDialog
        open={asking}
        title="Keep tokens on disk without OS encryption?"
        confirmLabel="Keep them on disk"
        danger
        busy={busy}
        onConfirm={() => void keep()}
        onCancel={() => setAsking(false)}
      >
        <p>
          This system offers no keyring, so the app cannot have the operating system protect your tokens. If you
          continue, refresh tokens and client secrets are written to your profile folder encrypted with a key stored beside them:
          anyone who can read your files can use your mailbox.
        </p>
        <p>Without this, you sign in again each time the app starts. Installing and unlocking a keyring (GNOME Keyring, KWallet) is the safer fix.</p>
        {error ? <p className="bad-text">{error.message}</p> : null}
      </ConfirmDialog>
    </footer>
  );
}
