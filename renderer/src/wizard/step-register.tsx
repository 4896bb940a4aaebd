import { useEffect, useRef, useState, type FormEvent } from 'react';
import { MICROSOFT_CLOUDS, notesFor } from '../../../shared/providers.ts';
import type { LinkId } from '../../../shared/ipc.ts';
import {
  audienceForTenant,
  azureCliAppOnlyScript,
  azureCliDelegatedScript,
  exchangeAppOnlyScript,
  exchangeSharedMailboxScript,
  graphPowerShellDelegatedScript,
  isGuid,
} from '../../../shared/registration-scripts.ts';
import { getApi } from '../bridge.ts';
import { StepNav } from '../components/step-nav.tsx';
import { Tabs } from '../components/tabs.tsx';
import { TextField } from '../components/text-field.tsx';
import { asksConsentStatus, isUserScoped, issuerToCheck, keptScopesNote, protocolsOf, providerOf, registerErrors, scopesOf, sharedSigner, splitScopes, type Draft } from './draft.ts';
import { GuideChecklist } from './guide-checklist.tsx';
import { IssuerCheck } from './issuer-check.tsx';
import { ScopeSuggestions } from './scope-suggestions.tsx';
import { guideFor, verifiedSteps, type VerifiedFact } from './register-guide.ts';
import { ScriptPanel } from './script-panel.tsx';
import { ScriptOutputPaste } from './script-output.tsx';
import { SecretField } from './secret-field.tsx';
import { storageHint } from './storage-hint.ts';
import type { StepProps } from './step-props.ts';

type Props = StepProps & {
  secretStored: boolean;
  onSecretStored: () => void;
  ensureSaved: () => Promise<string | undefined>;
  /** A sign-in with this registration has worked (the authorize step's result). */
  signedIn: boolean;
};

const SPECIAL_TENANTS = ['common', 'organizations', 'consumers'];

/** Step 2: register the app with the provider (portal checklist or one-paste script) and copy the
 * ids back; formats are checked as typed and the tenant / issuer is looked up online. */
export function StepRegister({ draft, update, next, back, secretStored, onSecretStored, ensureSaved, signedIn }: Props) {
  const provider = providerOf(draft);
  const [submitted, setSubmitted] = useState(false);
  const [tab, setTab] = useState('portal');
  const [storage, setStorage] = useState<{ available: boolean; persisted: boolean } | null>(null);
  /** The issuer / tenant the online check found (the checklist ticks the ids step for it). */
  const [foundIssuer, setFoundIssuer] = useState<string | null>(null);
  const [issuerScopes, setIssuerScopes] = useState<readonly string[]>([]);
  const storePending = useRef<(() => Promise<'stored' | 'empty' | 'failed'>) | null>(null);
  const [storing, setStoring] = useState(false);

  useEffect(() => {
    void getApi()['app:info']({}).then((r) => {
      if (r.ok) setStorage(r.value.secretStorage);
    });
  }, []);
  if (!provider) return null;

  const msal = provider.adapter === 'msal';
  const appOnly = msal && draft.flow === 'app-only';
  const protocols = protocolsOf(draft);
  const errors = registerErrors(draft, { secretStored });
  const guide = guideFor({ provider, draft, protocols });
  const notes = notesFor(provider, protocols);
  const set = (patch: Partial<Draft>): void => update((d) => ({ ...d, ...patch }));
  const openLink = (link: LinkId): void => void getApi()['links:open']({ link });
  const canSave = draft.clientId.trim() !== '' && !errors.clientId && !errors.tenant && !errors.issuer;
  const tenant = draft.tenant.trim();
  // A secret typed but not stored yet is stored by Next (pressing Store first is not required).
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setSubmitted(true);
    let stored = secretStored;
    if (storePending.current && !errors.clientId && !errors.tenant && !errors.issuer) {
      setStoring(true);
      const r = await storePending.current();
      setStoring(false);
      if (r === 'failed') return;
      if (r === 'stored') stored = true;
    }
    if (Object.keys(registerErrors(draft, { secretStored: stored })).length === 0) next();
  };

  const facts = new Set<VerifiedFact>();
  if (foundIssuer !== null && foundIssuer === issuerToCheck(draft)) facts.add('issuer');
  if (draft.clientId.trim() !== '' && !errors.clientId && !errors.tenant && !errors.issuer && !errors.mailScopes) facts.add('ids');
  if (secretStored) facts.add('secret');
  if (signedIn) facts.add('signed-in');
  const verified = verifiedSteps(guide, facts);

  const tabs = msal
    ? appOnly
      ? [
          { id: 'portal', label: 'Step by step in the portal' },
          { id: 'az', label: 'Azure CLI script' },
        ]
      : [
          { id: 'portal', label: 'Step by step in the portal' },
          { id: 'az', label: 'Azure CLI script' },
          { id: 'ps', label: 'Graph PowerShell script' },
        ]
    : [];
  const scriptInput = { displayName: draft.appName.trim(), audience: audienceForTenant(draft.tenant), protocols };

  return (
    <form className="step" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="step-title">
      <div className="step-body">
        <h2 id="step-title">Register the assistant with {provider.label}</h2>
        <div className="register-grid">
          <section aria-label="How to register">
            {tabs.length > 0 ? <Tabs tabs={tabs} active={tab} onChange={setTab} label="How to register" idPrefix="register-tab" /> : null}
            <div id="register-tab-panel" role={tabs.length > 0 ? 'tabpanel' : undefined} aria-labelledby={tabs.length > 0 ? `register-tab-${tab}` : undefined}>
              {tab === 'portal' || tabs.length === 0 ? (
                <GuideChecklist
                  guide={guide}
                  checked={draft.checked}
                  verified={verified}
                  onToggle={(id, on) => update((d) => ({ ...d, checked: on ? [...new Set([...d.checked, id])] : d.checked.filter((x) => x !== id) }))}
                  onOpenLink={openLink}
                />
              ) : null}
              {tab === 'az' && !appOnly ? (
                <ScriptPanel
                  result={azureCliDelegatedScript(scriptInput)}
                  label="Azure CLI script"
                  intro="Paste into Azure Cloud Shell (Bash). It creates the registration with only the permissions you chose, then prints the client and tenant IDs to paste on the right."
                />
              ) : null}
              {tab === 'az' && appOnly ? (
                <ScriptPanel
                  result={azureCliAppOnlyScript({ displayName: draft.appName.trim(), protocols })}
                  label="Azure CLI script"
                  intro="As an admin, paste into Azure Cloud Shell (Bash). It registers the app, adds and consents the Exchange permissions, creates a secret and prints every value to paste on the right."
                />
              ) : null}
              {tab === 'ps' ? (
                <ScriptPanel
                  result={graphPowerShellDelegatedScript(scriptInput)}
                  label="Microsoft Graph PowerShell script"
                  intro="Paste into PowerShell with the Microsoft.Graph module. It prints the client and tenant IDs to paste on the right."
                />
              ) : null}
              {tab !== 'portal' ? (
                <TextField label="App name in the script" value={draft.appName} onChange={(v) => set({ appName: v })} hint="Letters, digits, spaces and . _ ( ) -" />
              ) : null}
            </div>
            {notes.length > 0 ? (
              <div className="callout info small notes">
                <strong>Good to know</strong>
                <ul>
                  {notes.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                </ul>
              </div>
            ) : null}
          </section>

          <section className="paste-card card" aria-labelledby="paste-title">
            <h3 id="paste-title">Paste back here</h3>
            {msal && tab !== 'portal' ? <ScriptOutputPaste draft={draft} set={set} canSave={canSave} ensureSaved={ensureSaved} onSecretStored={onSecretStored} /> : null}
            {msal && MICROSOFT_CLOUDS.length > 1 ? (
              <div className="field">
                <label htmlFor="cloud">Microsoft cloud</label>
                <select id="cloud" className="input" value={draft.cloudId} onChange={(e) => set({ cloudId: e.target.value })}>
                  {MICROSOFT_CLOUDS.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.label}
                    </option>
                  ))}
                </select>
              </div>
            ) : null}
            {msal ? (
              <TextField
                label="Directory (tenant) ID"
                mono
                value={draft.tenant}
                onChange={(v) => set({ tenant: v })}
                error={errors.tenant}
                showError={submitted || draft.tenant !== ''}
                hint={appOnly ? 'A GUID from the app’s Overview page.' : 'From the app’s Overview page, or organizations / consumers / common.'}
              />
            ) : null}
            {!msal ? (
              <TextField
                label="Issuer (discovery URL)"
                mono
                type="url"
                placeholder="https://login.example.com"
                value={draft.issuer}
                readOnly={provider.issuer !== undefined}
                onChange={(v) => set({ issuer: v })}
                error={errors.issuer}
                showError={submitted || draft.issuer !== ''}
              />
            ) : null}
            <IssuerCheck
              issuer={issuerToCheck(draft)}
              onResult={setFoundIssuer}
              onScopes={setIssuerScopes}
              what={msal ? 'tenant' : 'issuer'}
              wantedScopes={isUserScoped(provider) ? splitScopes(draft.mailScopes) : []}
              accountId={draft.id}
              ensureSaved={ensureSaved}
              skipReason={
                msal && SPECIAL_TENANTS.includes(tenant.toLowerCase())
                  ? `“${tenant}” is not a single tenant, so there is nothing to look up: the sign-in decides.`
                  : msal && errors.tenant
                    ? 'Enter a tenant ID or verified domain to look it up.'
                    : undefined
              }
            />
            <TextField
              label={msal ? 'Application (client) ID' : 'Client ID'}
              mono
              value={draft.clientId}
              onChange={(v) => set({ clientId: v })}
              error={errors.clientId}
              showError={submitted || draft.clientId !== ''}
              placeholder={msal ? '00000000-0000-0000-0000-000000000000' : ''}
            />
            {isUserScoped(provider) ? (
              <TextField
                label="Mail scopes"
                mono
                value={draft.mailScopes}
                onChange={(v) => set({ mailScopes: v })}
                error={errors.mailScopes}
                showError={submitted}
                hint={`Space separated, as the provider documents them for IMAP/SMTP (e.g. “imap smtp” or a URL). Added: ${provider.baseScopes.join(' ')}.`}
              />
            ) : null}
            {isUserScoped(provider) ? (
              <ScopeSuggestions
                listed={issuerScopes}
                chosen={splitScopes(draft.mailScopes)}
                identity={provider.baseScopes}
                onAdd={(scope) => set({ mailScopes: [...splitScopes(draft.mailScopes), scope].join(' ') })}
              />
            ) : (
              <p className="small muted scopes-line">
                Requests: <code>{scopesOf(draft).join(' ')}</code>
                {keptScopesNote(draft)}
              </p>
            )}
            {provider.clientSecretRequired || appOnly || provider.id === 'generic' ? (
              <SecretField
                label="Client secret"
                required={provider.clientSecretRequired || appOnly}
                hint={`${appOnly ? 'The secret’s Value. ' : ''}${storageHint(storage)}`}
                storePending={storePending}
                storage={storage}
                stored={secretStored}
                canSave={canSave}
                ensureSaved={ensureSaved}
                onStored={onSecretStored}
                error={submitted ? errors.secret : undefined}
              />
            ) : null}
            {provider.clientSecretRequired || appOnly || provider.id === 'generic' ? (
              <TextField
                label="Client secret expires on (optional)"
                type="date"
                value={draft.secretExpires}
                onChange={(v) => set({ secretExpires: v })}
                error={errors.secretExpires}
                hint={
                  msal
                    ? 'Certificates & secrets > Expires. You are warned 30 days before it stops working (AADSTS7000222).'
                    : 'If the provider gave the secret an end date: you are warned 30 days before.'
                }
              />
            ) : null}
            {asksConsentStatus(provider) ? (
              <div className="field">
                <label htmlFor="consent-status">Publishing status of the OAuth consent screen</label>
                <select
                  id="consent-status"
                  className="input"
                  value={draft.consentStatus}
                  aria-describedby="consent-status-hint"
                  onChange={(e) => set({ consentStatus: e.target.value as Draft['consentStatus'] })}
                >
                  <option value="">Not sure</option>
                  <option value="testing">Testing</option>
                  <option value="production">In production</option>
                </select>
                <p id="consent-status-hint" className="hint">
                  Google Auth Platform &gt; Audience. While it says Testing, every sign-in ends after {provider.refreshTokenLimits?.testingDays} days: you are
                  warned 2 days before. Publishing the app (In production) lifts that limit.
                </p>
              </div>
            ) : null}
            {appOnly ? (
              <>
                <TextField
                  label="Enterprise application object ID"
                  mono
                  value={draft.spObjectId}
                  onChange={(v) => set({ spObjectId: v })}
                  error={draft.spObjectId !== '' && !isGuid(draft.spObjectId) ? 'A GUID from Enterprise applications > your app > Overview.' : undefined}
                  hint="For the Exchange PowerShell below."
                />
                <TextField label="Mailbox the app may use" type="email" value={draft.mailbox || draft.address} onChange={(v) => set({ mailbox: v })} />
              </>
            ) : null}
          </section>
        </div>
        {appOnly ? (
          <section className="exchange-ps" aria-label="Exchange Online PowerShell">
            <h3>Give the app its mailbox (Exchange Online PowerShell)</h3>
            <ScriptPanel
              result={exchangeAppOnlyScript({
                appId: draft.clientId,
                servicePrincipalObjectId: draft.spObjectId,
                mailbox: draft.mailbox || draft.address,
                displayName: draft.appName.trim(),
                protocols,
              })}
              label="Exchange Online PowerShell"
              intro="Run as an Exchange administrator. It registers the service principal, grants it the mailbox and switches on what the chosen protocols need."
            />
          </section>
        ) : null}
        {!appOnly && sharedSigner(draft) !== undefined && provider.adapter === 'msal' ? (
          <section className="exchange-ps" aria-label="Shared mailbox access (Exchange Online PowerShell)">
            <h3>Give {sharedSigner(draft)} access to the shared mailbox (Exchange Online PowerShell)</h3>
            <ScriptPanel
              result={exchangeSharedMailboxScript({ mailbox: draft.address, delegate: draft.signInAs, protocols })}
              label="Exchange Online PowerShell for the shared mailbox"
              intro="Run as an Exchange administrator. Full Access lets the delegate’s sign-in open the shared mailbox; Send As lets them send from its address."
            />
          </section>
        ) : null}
      </div>
      <StepNav onBack={back} nextLabel={storing ? 'Storing the secret…' : 'Next: sign in'} nextDisabled={storing} status={submitted && Object.keys(errors).length > 0 ? <span className="warn-text">Some fields need attention.</span> : null} />
    </form>
  );
}
