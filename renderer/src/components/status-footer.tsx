import type { AppInfo } from '../../../shared/ipc.ts';

/** Where the app runs and whether secrets are encrypted by the OS: always visible. */
export function StatusFooter({ info }: { info: AppInfo | null }) {
  if (!info) return <footer className="statusbar">Connecting…</footer>;
  return (
    <footer className="statusbar" data-testid="status-footer">
      <span>
        v{info.version} · {info.shell === 'web-host' ? 'web host' : 'desktop'} · {info.platform}
      </span>
      <span className={info.secretStorage.available ? 'ok' : 'warn'}>
        {info.secretStorage.available
          ? `Secrets encrypted by the OS (${info.secretStorage.backend})`
          : 'No OS encryption: tokens kept in memory only'}
      </span>
    </footer>
  );
}
