// A build step of the CLI bundle (cli.vite.config.ts); tested by test/unit/fetch-lite.test.ts.
//
// openid-client and oauth4webapi name the global Headers and Response: they build request headers
// with `new Headers(...)` and check every answer with `instanceof Response` (or its toStringTag).
// In Node the first read of either global loads undici, ~25-55 ms of a `mail-oauth token` that
// refreshes, although our HTTP client (electron/auth/http.ts) is node:https and answers with
// electron/auth/fetch-lite.ts's classes. So in the CLI bundle those two packages get a module-level
// import of our classes under the global names, which shadows the globals in their modules only;
// nothing global is replaced, and the desktop app and the web host keep Node's classes.
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

const LITE = resolve(import.meta.dirname, '..', 'electron', 'auth', 'fetch-lite.ts');
/** The packages whose modules get the import: the path part after node_modules/. */
const PACKAGES = ['openid-client', 'oauth4webapi'];

/** Whether `id` (a resolved module path) belongs to one of the packages. */
export function takesLiteFetch(id: string): boolean {
  const path = id.replaceAll('\\', '/').split('?')[0] ?? '';
  return PACKAGES.some((p) => path.includes(`/node_modules/${p}/`)) && /\.(m?js)$/.test(path);
}

/** The module's code with the import in front; a module that declares either name itself is an
 * error (the import would clash, or worse, be shadowed), so a new version of a package that does
 * stops the build instead of quietly loading undici again. */
export function withLiteFetch(code: string, id: string): string {
  if (/^\s*(?:export\s+)?(?:class|function\*?|const|let|var)\s+(?:Headers|Response)\b/m.test(code) || /\bimport\s*\{[^}]*\b(?:Headers|Response)\b[^}]*\}\s*from/.test(code)) {
    throw new Error(`fetch-lite-imports: ${id} declares Headers or Response itself`);
  }
  return `import { LiteHeaders as Headers, LiteResponse as Response } from ${JSON.stringify(LITE)};\n${code}`;
}

export function fetchLiteImports(): Plugin {
  return {
    name: 'mail-oauth:fetch-lite-imports',
    enforce: 'pre',
    transform(code, id) {
      if (!takesLiteFetch(id)) return null;
      return { code: withLiteFetch(code, id), map: null };
    },
  };
}
