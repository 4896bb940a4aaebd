import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { AppInfo } from '../../shared/ipc.ts';
import type { AppError } from '../../shared/result.ts';
import { getApi } from './bridge.ts';
import { ErrorPanel } from './components/error-panel.tsx';
import { StatusFooter } from './components/status-footer.tsx';
import { Dashboard } from './dashboard/dashboard.tsx';
import { Spinner } from './components/spinner.tsx';
import type { WizardEntry } from './wizard/wizard.tsx';

// The wizard (steps, registration scripts, provider guides) is its own chunk: the window's first
// paint needs the dashboard only (initial JS budget, `npm run bench:bundle`). The chunk is fetched
// right after that first paint, so "Add account" normally finds it ready.
const loadWizard = () => import('./wizard/wizard.tsx');
const Wizard = lazy(() => loadWizard().then((m) => ({ default: m.Wizard })));

type View = { kind: 'dashboard' } | { kind: 'wizard'; entry: WizardEntry; key: number };

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [view, setView] = useState<View>({ kind: 'dashboard' });

  useEffect(() => {
    void loadWizard().catch(() => undefined); // a failure shows when the wizard is opened
    void getApi()['app:info']({}).then((r) => {
      if (r.ok) setInfo(r.value);
      else setError(r.error);
    });
  }, []);

  // The desktop app's notification or tray entry for an account was clicked: show it.
  const [shown, setShown] = useState<{ accountId: string }>();
  useEffect(
    () =>
      getApi().on('app:show-account', ({ accountId }) => {
        setView({ kind: 'dashboard' });
        setShown({ accountId });
      }),
    [],
  );

  // Each opening is a new wizard (its key), even two in the same millisecond.
  const opened = useRef(0);
  const open = (entry: WizardEntry): void => setView({ kind: 'wizard', entry, key: ++opened.current });
  // A wizard leaves once its last save answered: by then the user may have opened another one
  // ("Add account" in the top bar), which stays. Only the wizard still shown goes back to the list.
  const exitWizard = (key: number): void => setView((v) => (v.kind === 'wizard' && v.key === key ? { kind: 'dashboard' } : v));
  // Editing or re-authorizing a saved account belongs to "Accounts"; only a new one is "Add account".
  const adding = view.kind === 'wizard' && (!view.entry.accountId || view.entry.draft === true);

  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Mail OAuth Assistant</span>
        <nav className="topnav" aria-label="Main">
          <button type="button" className={`nav-link${adding ? '' : ' active'}`} aria-current={adding ? undefined : 'page'} onClick={() => setView({ kind: 'dashboard' })}>
            Accounts
          </button>
          <button type="button" className={`nav-link${adding ? ' active' : ''}`} aria-current={adding ? 'page' : undefined} onClick={() => open({})}>
            Add account
          </button>
        </nav>
      </header>
      <main className="content">
        {error ? <ErrorPanel error={error} /> : null}
        {error?.code === 'FORBIDDEN_SENDER' ? null : view.kind === 'dashboard' ? (
          <Dashboard onOpen={open} shown={shown} />
        ) : (
          <Suspense
            fallback={
              <p role="status">
                <Spinner /> Loading the setup wizard…
              </p>
            }
          >
            <Wizard key={view.key} entry={view.entry} onExit={() => exitWizard(view.key)} />
          </Suspense>
        )}
      </main>
      <StatusFooter info={info} onInfo={setInfo} />
    </div>
  );
}
