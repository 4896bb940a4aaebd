// The small pages the browser shows after the redirect to our loopback listener (ours and MSAL's
// successTemplate/errorTemplate). Static text only: never a code, state, token or provider detail
// beyond the catalog title, so a screenshot or browser history leaks nothing.
import { describe } from '../../shared/diagnostics.ts';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(title: string, text: string, ok: boolean): string {
  const colour = ok ? '#1a7f37' : '#b42318';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">
<h1 style="color:${colour};font-size:1.4rem">${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>
<p>You can close this tab and return to Mail OAuth Assistant.</p></body></html>`;
}

export const successPage = (): string => page('Signed in', 'Mail OAuth Assistant received the authorization.', true);

/** The failure page names the catalog title of the code only (no provider text). */
export const failurePage = (code = 'AUTH_FAILED'): string => page('Sign-in did not complete', describe(code).title, false);

export const wrongStatePage = (): string =>
  page('This answer is not for the current sign-in', 'It was ignored. Finish the sign-in in the latest browser tab.', false);

/** The loopback's answer after the app stopped waiting: the browser finished a sign-in the user
 * had cancelled in the app (or that timed out there). Nothing was used. */
export const cancelledPage = (why: 'cancelled' | 'timeout'): string =>
  page(
    why === 'timeout' ? 'This sign-in timed out in Mail OAuth Assistant' : 'This sign-in was cancelled in Mail OAuth Assistant',
    'The app had stopped waiting, so this answer was not used. To sign in, start again in the app.',
    false,
  );
