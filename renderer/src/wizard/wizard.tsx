import { useCallback, useEffect, useRef, useState } from 'react';
import { Email, type Account, type Identity } from '../../../shared/account.ts';
import type { AuthOutcome } from '../../../shared/auth-outcome.ts';
import type { DiscoveryResult } from '../../../shared/discovery.ts';
import type { ProbeReport } from '../../../shared/probe.ts';
import { providerById } from '../../../shared/providers.ts';
import type { AppError } from '../../../shared/result.ts';
import { getApi } from '../bridge.ts';
import { ErrorPanel } from '../components/error-panel.tsx';
import { Stepper } from '../components/stepper.tsx';
import { Spinner } from '../components/spinner.tsx';
import { STEPS, fromAccount, newDraft, withProvider, type Draft, type WizardStep } from './draft.ts';
import { dropNewDraft, loadExtras, loadNewDraft } from './local-store.ts';
import { StepAccount } from './step-account.tsx';
import { StepAuthorize } from './step-authorize.tsx';
import { StepConfigure } from './step-configure.tsx';
import { StepDone } from './step-done.tsx';
import { StepRegister } from './step-register.tsx';
import { StepTest } from './step-test.tsx';
import { useDraftSaver } from './use-draft-saver.ts';

const CHANGED_ELSEWHERE = 'ACCOUNT_CHANGED_ELSEWHERE';

/** `draft`: the account is a setup not finished yet (continuing it is still "adding" it). */
export type WizardEntry = { accountId?: string; startAt?: WizardStep; resumeNew?: boolean; draft?: boolean };

/** The guided setup: one component per step; the draft is saved as it goes, so leaving and coming
 * back resumes, a failure loses nothing, and Back works everywhere. */
export function Wizard({ entry, onExit }: { entry: WizardEntry; onExit: () => void }) {
  const [draft, setDraft] = useState<Draft | null>(entry.accountId ? null : ((entry.resumeNew ? loadNewDraft() : undefined) ?? newDraft()));
  const [loadError, setLoadError] = useState<AppError | null>(null);
  const [reached, setReached] = useState(0);
  const [secretStored, setSecretStored] = useState(false);
  const [identity, setIdentity] = useState<Identity | undefined>(undefined);
  const [outcome, setOutcome] = useState<AuthOutcome | null>(null);
  const [report, setReport] = useState<ProbeReport | null>(null);
  const [discovery, setDiscovery] = useState<DiscoveryResult | null>(null);
  const [discovering, setDiscovering] = useState(false);
  const discoveringFor = useRef<string | null>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const firstStep = useRef(true);
  /** What the user came to do, fixed at entry: finishing a new setup does not turn it into "Edit". */
  const [mode, setMode] = useState<'new' | 'edit' | 'reauthorize'>('new');

  const onId = useCallback((id: string) => setDraft((d) => (d && !d.id ? { ...d, id } : d)), []);
  const saver = useDraftSaver(draft ?? newDraft(), onId, draft !== null);
  const markLoaded = saver.loaded;

  /** The saved account `id` as the draft to edit, at `step` (else where it was left): the version
   * the saver edits from. Undefined, with the error shown, when it cannot be read or is gone. */
  const loadSaved = useCallback(
    async (id: string, step: WizardStep | undefined): Promise<{ account: Account; draft: Draft } | undefined> => {
      const list = await getApi()['accounts:list']({});
      if (!list.ok) return void setLoadError(list.error);
      const a = list.value.accounts.find((x) => x.id === id);
      if (!a) return void setLoadError({ code: 'NOT_FOUND', message: 'That account no longer exists.' });
      const d = fromAccount(a, loadExtras(a.id));
      if (step) d.step = step;
      markLoaded(d, a);
      setDraft(d);
      setIdentity(a.identity);
      return { account: a, draft: d };
    },
    [markLoaded],
  );

  // Load an existing account (resume a draft, or edit a ready one at a given step).
  useEffect(() => {
    if (!entry.accountId) {
      if (!entry.resumeNew) dropNewDraft();
      setReached(STEPS.indexOf(draft?.step ?? 'account'));
      return;
    }
    const id = entry.accountId;
    void (async () => {
      const loaded = await loadSaved(id, entry.startAt);
      if (!loaded) return;
      const { account: a, draft: d } = loaded;
      if (a.status === 'ready') setMode(entry.startAt === 'authorize' ? 'reauthorize' : 'edit');
      setReached(a.status === 'ready' ? STEPS.length - 1 : Math.max(STEPS.indexOf(d.step), STEPS.indexOf(a.wizardStep ?? 'account')));
      const ts = await getApi()['accounts:token-state']({ id });
      if (ts.ok) setSecretStored(ts.value.hasClientSecret);
    })();
    // Entry is fixed for the wizard's lifetime (the app remounts it with a key).

  }, []);

  const update = useCallback((fn: (d: Draft) => Draft) => setDraft((d) => (d ? fn(d) : d)), []);

  const goTo = useCallback((step: WizardStep) => {
    setDraft((d) => (d ? { ...d, step } : d));
    setReached((r) => Math.max(r, STEPS.indexOf(step)));
  }, []);

  // Move focus to the new step's heading, so keyboard and screen reader users land on it.
  useEffect(() => {
    if (!draft) return;
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    const h = bodyRef.current?.querySelector<HTMLElement>('h2');
    if (h) {
      h.tabIndex = -1;
      h.focus();
    }
  }, [draft?.step]);

  // A report describes the settings it ran with: once they change, it is stale.
  const serversKey = draft ? JSON.stringify([draft.servers, draft.clientId, draft.issuer, draft.tenant]) : '';
  useEffect(() => setReport(null), [serversKey]);

  const address = draft?.address.trim().toLowerCase() ?? '';
  const addressValid = Email.safeParse(address).success;

  const discover = useCallback(
    (force: boolean) => {
      if (!addressValid) return;
      if (!force && (discoveringFor.current === address || discovery?.address === address)) return;
      discoveringFor.current = address;
      setDiscovering(true);
      // The account's trusted CA (if saved) also covers the autoconfig lookup.
      void getApi()['discover:servers']({ address, ...(draft?.id ? { id: draft.id } : {}) }).then((r) => {
        if (discoveringFor.current !== address) return;
        discoveringFor.current = null;
        setDiscovering(false);
        if (!r.ok) return;
        setDiscovery(r.value);
        const detected = r.value.provider ? providerById(r.value.provider.id) : undefined;
        if (detected) {
          setDraft((d) =>
            d && !d.providerPicked && d.providerId !== detected.id && d.address.trim().toLowerCase() === address ? withProvider(d, detected, false) : d,
          );
        }
      });
    },
    [address, addressValid, discovery?.address, draft?.id],
  );

  // Step 1 looks the domain up as soon as the address is complete (MX tells the provider).
  useEffect(() => {
    if (draft?.step !== 'account' || !addressValid) return;
    const t = setTimeout(() => discover(false), 700);
    return () => clearTimeout(t);
  }, [draft?.step, addressValid, discover]);

  if (loadError) {
    return (
      <div className="wizard">
        <ErrorPanel error={loadError} />
        <button type="button" className="button" onClick={onExit}>
          Back to accounts
        </button>
      </div>
    );
  }
  if (!draft) {
    return (
      <div className="wizard loading" role="status">
        <Spinner /> Loading the account…
      </div>
    );
  }

  const index = STEPS.indexOf(draft.step);
  const back = (): void => {
    const prev = STEPS[index - 1];
    if (prev) goTo(prev);
    else onExit();
  };
  const next = (): void => {
    const n = STEPS[index + 1];
    if (n) goTo(n);
  };
  const common = { draft, update, next, back, goTo };
  const ensureSaved = saver.saveNow;

  // "Save and finish": the Done page ("… is ready") shows once the store has the finished
  // account, not 400 ms later when the debounced save would run (closing the app at once kept a
  // setup "not finished" behind a page that said it was ready). A failed save stays here, with
  // the header's "Not saved" line.
  const finish = (): void => {
    if (!draft) return;
    const done: Draft = { ...draft, status: 'ready', step: 'done' };
    void saver.save(done).then((r) => {
      if (!r.ok) return;
      update((d) => ({ ...d, status: 'ready', step: 'done' }));
      setReached(STEPS.length - 1);
    });
  };

  // Leaving saves what is pending; a save refused because the account changed elsewhere keeps the
  // user here, with the choice below the title (leaving would drop their edits unasked).
  const exit = (): void => {
    void saver.save().then((r) => {
      if (r.error?.code !== CHANGED_ELSEWHERE) onExit();
    });
  };

  // "Load the saved version": the draft becomes the record as it is now (at the same step).
  const reload = async (): Promise<void> => {
    if (draft.id) await loadSaved(draft.id, draft.step);
  };
  const conflict = saver.error?.code === CHANGED_ELSEWHERE ? saver.error : undefined;

  return (
    <div className={conflict ? 'wizard with-notice' : 'wizard'}>
      <div className="wizard-head">
        <h1 className="wizard-title">
          {mode === 'reauthorize'
            ? `Re-authorize ${draft.address}`
            : mode === 'edit'
              ? `Edit ${draft.address}`
              : addressValid
                ? `Set up ${address}`
                : 'Add a mail account'}
        </h1>
        <span className="save-state small" role="status">
          {saver.error ? (
            <span className="bad-text" title={saver.error.detail}>
              Not saved: {saver.error.message}
            </span>
          ) : saver.saving ? (
            'Saving…'
          ) : draft.id ? (
            'Saved as you go'
          ) : (
            ''
          )}
        </span>
        <button type="button" className="button small" onClick={exit}>
          {draft.status === 'ready' ? 'Close' : 'Finish later'}
        </button>
      </div>
      {conflict ? (
        <div className="callout warn small wizard-notice" role="alert">
          <p>
            <strong>{conflict.message}.</strong> It was changed by another program (the command line, another window) after this window loaded it. Your
            edits here are not saved.
          </p>
          <div className="error-actions">
            <button type="button" className="button small" onClick={() => void reload()}>
              Load the saved version
            </button>
            <button type="button" className="button small" onClick={() => void saver.overwrite()}>
              Keep my version
            </button>
          </div>
        </div>
      ) : null}
      <Stepper current={draft.step} reached={reached} onGo={goTo} />
      <div className="wizard-body" ref={bodyRef}>
        {draft.step === 'account' ? <StepAccount {...common} discovery={discovery} discovering={discovering} onCancel={exit} /> : null}
        {draft.step === 'register' ? (
          <StepRegister {...common} signedIn={identity !== undefined || outcome !== null} secretStored={secretStored} onSecretStored={() => setSecretStored(true)} ensureSaved={ensureSaved} />
        ) : null}
        {draft.step === 'authorize' ? (
          <StepAuthorize
            {...common}
            ensureSaved={ensureSaved}
            outcome={outcome}
            onOutcome={(o) => {
              setOutcome(o);
              setIdentity({ grantedScopes: o.grantedScopes, hasRefreshToken: o.hasRefreshToken, authorizedAt: o.authorizedAt, ...(o.signedInAs ? { username: o.signedInAs } : {}) });
            }}
            identity={identity}
          />
        ) : null}
        {draft.step === 'configure' ? <StepConfigure {...common} discovery={discovery} discovering={discovering} discover={discover} /> : null}
        {draft.step === 'test' ? <StepTest {...common} next={finish} ensureSaved={ensureSaved} report={report} onReport={setReport} /> : null}
        {draft.step === 'done' ? <StepDone draft={draft} report={report} outcome={outcome} onFinish={exit} onTestAgain={() => goTo('test')} /> : null}
      </div>
    </div>
  );
}
