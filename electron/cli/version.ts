// The CLI's version: the bundle has it built in (electron/cli/vite.config.ts `define`); from a
// checkout it is read from package.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

declare const __MAIL_OAUTH_VERSION__: string | undefined;

export function cliVersion(): string {
  if (typeof __MAIL_OAUTH_VERSION__ === 'string') return __MAIL_OAUTH_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
