import { useEffect, useState } from 'react';
import type { AppInfo } from '../../shared/ipc.ts';
import type { AppError } from '../../shared/result.ts';
import { getApi } from './bridge.ts';
import { ErrorPanel } from './components/error-panel.tsx';
import { StatusFooter } from './components/status-footer.tsx';

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    void getApi()['app:info']({}).then((r) => {
      if (r.ok) setInfo(r.value);
      else setError(r.error);
    });
  }, []);

  return (
    <div className="shell">
      <header className="topbar">
        <h1 className="brand">Mail OAuth Assistant</h1>
      </header>
      <main className="content" aria-live="polite">
        {error ? <ErrorPanel error={error} /> : null}
        <section className="empty-state" aria-labelledby="welcome-title">
          <h2 id="welcome-title">Get a mail account working with OAuth 2.0</h2>
          <p>
            Microsoft and Google no longer accept passwords for IMAP, POP and SMTP. This assistant registers the app with
            your provider, signs you in, keeps the tokens safe and proves the connection works.
          </p>
        </section>
      </main>
      <StatusFooter info={info} />
    </div>
  );
}
