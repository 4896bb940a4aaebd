// The one data directory of the desktop app, the development web host and the CLI: accounts
// (accounts.json), preferences, encrypted secrets (secrets/) and the record of the master key
// (master-key.json). An account added in any of them is usable from the others at once.
//
//   Linux:   $XDG_CONFIG_HOME/mail-oauth-assistant (default ~/.config/mail-oauth-assistant)
//   macOS:   ~/Library/Application Support/mail-oauth-assistant
//   Windows: %APPDATA%\mail-oauth-assistant
//   anywhere: $MAIL_OAUTH_DATA_DIR when set (tests, several separate set-ups)
//
// The desktop app keeps Chromium's own files (caches, local storage) in Electron's userData
// directory, which is not this one.
import { homedir } from 'node:os';
import { join } from 'node:path';

const DIR_NAME = 'mail-oauth-assistant';

type Where = { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; home?: string };

/** The per-user configuration root of the platform (what Electron calls `appData`). */
export function appDataRoot({ env = process.env, platform = process.platform, home = homedir() }: Where = {}): string {
  if (platform === 'win32') return env.APPDATA || join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || join(home, '.config');
}

/** The data directory every shell uses unless told otherwise. */
export function defaultDataDir(where: Where = {}): string {
  return join(appDataRoot(where), DIR_NAME);
}

export const nodeDataDir = (env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string =>
  env.MAIL_OAUTH_DATA_DIR || defaultDataDir({ env, platform });

/** Where versions before the shared store kept things (read once by the migration). */
export function legacyDirs(where: Where = {}): { cli: string; app: string } {
  const home = where.home ?? homedir();
  return {
    // The CLI and web host used this path on every platform.
    cli: join(home, '.config', DIR_NAME, 'cli'),
    // Electron's default userData: appData/<productName>.
    app: join(appDataRoot(where), 'Mail OAuth Assistant'),
  };
}
