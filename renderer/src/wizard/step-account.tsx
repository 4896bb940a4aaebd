import { useState, type FormEvent } from 'react';
import { PROTOCOLS, PROVIDERS, providerByDomain, providerById } from '../../../shared/providers.ts';
import type { DiscoveryResult } from '../../../shared/discovery.ts';
import { TextField } from '../components/text-field.tsx';
import { StepNav } from '../components/step-nav.tsx';
import { Spinner } from '../components/spinner.tsx';
import { PROTOCOL_LABEL, PROTOCOL_PURPOSE } from '../format.ts';
import { accountErrors, withProvider } from './draft.ts';
import { PROVIDER_BLURB } from './provider-texts.ts';
import type { StepProps } from './step-props.ts';

type Props = StepProps & {
  discovery: DiscoveryResult | null;
  discovering: boolean;
  onCancel: () => void;
};

/** Step 1: the address, who provides the mailbox (guessed by domain, then MX) and what it is used for. */
export function StepAccount({ draft, update, next, discovery, discovering, onCancel }: Props) {
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState(false);
  const errors = accountErrors(draft);
  const provider = providerById(draft.providerId);

  const setAddress = (address: string): void =>
    update((d) => {
      const guess = providerByDomain(address);
      const next = { ...d, address };
      return guess && !d.providerPicked && guess.id !== d.providerId ? withProvider(next, guess, false) : next;
    });

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length === 0) next();
  };

  const detected = discovery && discovery.address === draft.address.trim().toLowerCase() ? discovery.provider : null;
  const detectedEntry = detected ? providerById(detected.id) : providerByDomain(draft.address);

  return (
    <form className="step" onSubmit={submit} noValidate aria-labelledby="step-title">
      <div className="step-body">
        <h2 id="step-title">Which mailbox do you want to set up?</h2>
        <p className="lead">Enter its address. The assistant recognizes the provider and guides you through the rest.</p>
        <TextField
          label="Email address"
          type="email"
          autoComplete="email"
          placeholder="name@example.com"
          autoFocus
          value={draft.address}
          onChange={setAddress}
          onBlur={() => setTouched(true)}
          error={errors.address}
          showError={submitted || (touched && draft.address !== '')}
        />
        <p className="detect-line" role="status">
          {discovering ? (
            <>
              <Spinner /> Looking up the mail servers of {draft.address.split('@')[1]}…
            </>
          ) : detectedEntry ? (
            <>
              Recognized: <strong>{detectedEntry.label}</strong>
              {detected?.source === 'mx' ? ` (mail server ${detected.mxHost ?? ''})` : ' (by its domain)'}
              {draft.providerPicked && draft.providerId !== detectedEntry.id ? '. You chose another provider below.' : '.'}
            </>
          ) : discovery && discovery.address === draft.address.trim().toLowerCase() ? (
            'The provider was not recognized from the domain or its mail servers: choose it below.'
          ) : (
            ''
          )}
        </p>

        <fieldset className="fieldset">
          <legend>Who provides this mailbox?</legend>
          <div className="radio-cards">
            {PROVIDERS.map((p) => (
              <label key={p.id} className={`radio-card${draft.providerId === p.id ? ' selected' : ''}`}>
                <input
                  type="radio"
                  name="provider"
                  value={p.id}
                  checked={draft.providerId === p.id}
                  onChange={() => update((d) => withProvider(d, p, true))}
                />
                <span>
                  <span className="radio-title">{p.label}</span>
                  <span className="radio-text">{PROVIDER_BLURB[p.id] ?? ''}</span>
                </span>
              </label>
            ))}
          </div>
          <p className="field-error" role={submitted && errors.provider ? 'alert' : undefined}>
            {submitted ? (errors.provider ?? '') : ''}
          </p>
        </fieldset>

        <div className="two-col">
          <fieldset className="fieldset">
            <legend>What will you use it for?</legend>
            {PROTOCOLS.map((p) => (
              <label key={p} className="check">
                <input
                  type="checkbox"
                  checked={draft.servers[p].enabled}
                  onChange={(e) => update((d) => ({ ...d, servers: { ...d.servers, [p]: { ...d.servers[p], enabled: e.target.checked } } }))}
                />
                <span>
                  <strong>{PROTOCOL_LABEL[p]}</strong>: {PROTOCOL_PURPOSE[p]}
                </span>
              </label>
            ))}
            <p className="field-error" role={submitted && errors.protocols ? 'alert' : undefined}>
              {submitted ? (errors.protocols ?? '') : ''}
            </p>
          </fieldset>

          {provider?.adapter === 'msal' && provider.defaultTenant !== 'consumers' ? (
            <fieldset className="fieldset">
              <legend>Who signs in?</legend>
              <label className="check">
                <input type="radio" name="flow" checked={draft.flow === 'delegated'} onChange={() => update((d) => ({ ...d, flow: 'delegated' }))} />
                <span>
                  <strong>A person</strong>: you sign in in the browser (delegated)
                </span>
              </label>
              <label className="check">
                <input type="radio" name="flow" checked={draft.flow === 'app-only'} onChange={() => update((d) => ({ ...d, flow: 'app-only' }))} />
                <span>
                  <strong>An app, no user</strong>: a scanner or script with its own secret (app-only, admin)
                </span>
              </label>
            </fieldset>
          ) : null}
        </div>
        {draft.flow === 'delegated' ? (
          <fieldset className="fieldset">
            <legend>Shared mailbox</legend>
            <label className="check">
              <input type="checkbox" checked={draft.shared} onChange={(e) => update((d) => ({ ...d, shared: e.target.checked }))} />
              <span>
                <strong>This is a shared mailbox</strong> (info@, support@, a scanner’s): someone with access to it signs in
              </span>
            </label>
            {draft.shared ? (
              <TextField
                label="Who signs in"
                type="email"
                autoComplete="off"
                placeholder="your.name@example.com"
                value={draft.signInAs}
                onChange={(v) => update((d) => ({ ...d, signInAs: v }))}
                error={errors.signInAs}
                showError={submitted || draft.signInAs !== ''}
                hint="The delegate’s own address. Mail servers are given the shared address; the sign-in is the delegate’s."
              />
            ) : null}
          </fieldset>
        ) : null}
      </div>
      <StepNav onBack={onCancel} nextLabel="Next: register the app" />
    </form>
  );
}
