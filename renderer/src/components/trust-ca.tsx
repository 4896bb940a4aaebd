import { useId, useState, type ChangeEvent } from 'react';
import { describe } from '../../../shared/diagnostics.ts';
import type { CaCertificateInfo } from '../../../shared/ipc.ts';
import type { AppError } from '../../../shared/result.ts';
import { getApi } from '../bridge.ts';
import { formatTime } from '../format.ts';

/** Diagnoses after which trusting an extra CA is the fix (mail server or identity provider). */
export const CA_FIXABLE: ReadonlySet<string> = new Set(['TLS_UNTRUSTED_CERT', 'IDP_TLS_UNTRUSTED_CERT']);

type State =
  | { step: 'closed' }
  | { step: 'pick' }
  | { step: 'confirm'; pem: string; fileName: string; certificates: CaCertificateInfo[] }
  | { step: 'saving' }
  | { step: 'done'; certificates: CaCertificateInfo[] };

/**
 * "Trust a certificate authority": pick a PEM file, see what it is (subject, SHA-256 fingerprint,
 * validity), confirm. The main process checks the file again and saves it with the account; it is
 * then used for the account's identity provider, autoconfig and mail servers. The file is read
 * here as text only (no Node in the renderer); a private key or a binary file is refused there.
 */
export function TrustCa({ getAccountId, onTrusted }: { getAccountId: () => Promise<string | undefined>; onTrusted?: () => void }) {
  const [state, setState] = useState<State>({ step: 'closed' });
  const [error, setError] = useState<AppError | null>(null);
  const inputId = useId();

  const pick = async (e: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setError(null);
    if (file.size > 65536) {
      setError({ code: 'CA_NOT_PEM', message: `${file.name} is ${Math.round(file.size / 1024)} KiB: a CA certificate is a few KiB.` });
      return;
    }
    const pem = await file.text();
    const r = await getApi()['ca:inspect']({ pem: pem.length > 0 ? pem : ' ' });
    if (r.ok) setState({ step: 'confirm', pem, fileName: file.name, certificates: r.value.certificates });
    else setError(r.error);
  };

  const confirm = async (pem: string): Promise<void> => {
    setState({ step: 'saving' });
    // The wizard saves its draft first (the CA belongs to an account).
    const id = await getAccountId();
    if (!id) {
      setError({ code: 'VALIDATION_FAILED', message: 'The account is not complete yet: enter the address and the client ID first.' });
      setState({ step: 'pick' });
      return;
    }
    const r = await getApi()['accounts:trust-ca']({ id, pem });
    if (r.ok) {
      setState({ step: 'done', certificates: r.value.certificates });
      onTrusted?.();
    } else {
      setError(r.error);
      setState({ step: 'pick' });
    }
  };

  if (state.step === 'closed') {
    return (
      <button type="button" className="button" onClick={() => setState({ step: 'pick' })}>
        Trust a certificate authority…
      </button>
    );
  }
  return (
    <section className="trust-ca callout info" aria-label="Trust a certificate authority">
      <strong>Trust a certificate authority</strong>
      {state.step === 'pick' || state.step === 'saving' ? (
        <>
          <span className="small">
            Pick the CA certificate your IT team or the server’s administrator gave you (a .pem or .crt file starting with
            -----BEGIN CERTIFICATE-----). You will see what it is before anything is saved.
          </span>
          <label htmlFor={inputId} className="small">
            CA certificate file{' '}
            <input id={inputId} type="file" accept=".pem,.crt,.cer,.txt,application/x-pem-file,application/x-x509-ca-cert" onChange={(e) => void pick(e)} disabled={state.step === 'saving'} />
          </label>
        </>
      ) : null}
      {state.step === 'confirm' ? (
        <>
          <span className="small">
            {state.fileName} holds {state.certificates.length === 1 ? 'this certificate' : `${state.certificates.length} certificates`}. Compare the
            fingerprint with the one your IT team publishes before you trust it: a trusted CA can vouch for any server.
          </span>
          <dl className="ca-list">
            {state.certificates.map((c) => (
              <div key={c.sha256} className="ca-cert">
                <dt>Subject</dt>
                <dd>{c.subject}</dd>
                {c.issuer !== c.subject ? (
                  <>
                    <dt>Issued by</dt>
                    <dd>{c.issuer}</dd>
                  </>
                ) : null}
                <dt>SHA-256</dt>
                <dd className="mono fingerprint">{c.sha256}</dd>
                <dt>Valid</dt>
                <dd>
                  {formatTime(c.validFrom)} – {formatTime(c.validTo)}
                  {c.isCa ? '' : ' · not marked as a certificate authority (a server’s own certificate)'}
                </dd>
              </div>
            ))}
          </dl>
          <div className="row">
            <button type="button" className="button primary" onClick={() => void confirm(state.pem)}>
              Trust this certificate authority
            </button>
            <button type="button" className="button ghost" onClick={() => setState({ step: 'pick' })}>
              Pick another file
            </button>
          </div>
        </>
      ) : null}
      {state.step === 'done' ? (
        <span className="ok-text small">
          ✓ Trusted for this account: {state.certificates.map((c) => c.subject).join('; ')}. Its sign-in, server lookup and mail servers use it from now on.
        </span>
      ) : null}
      {error ? (
        <div className="callout warn small" role="alert">
          <strong>{describe(error.code).title}</strong>
          {error.message !== describe(error.code).title ? <span>{error.message}</span> : null}
          {error.detail ? <span>{error.detail}</span> : null}
          {error.code === 'CA_NOT_PEM' ? <span>{describe('CA_NOT_PEM').fix.join(' ')}</span> : null}
        </div>
      ) : null}
      {state.step !== 'done' ? (
        <button type="button" className="button ghost small" onClick={() => setState({ step: 'closed' })}>
          Close
        </button>
      ) : null}
    </section>
  );
}
