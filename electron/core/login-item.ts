// "Start at login" for the desktop app (issue 13): the user's choice is a preference (so the
// tray checkbox and the dashboard agree, and the choice survives a reinstall of the login item),
// applied to the system on change and at every start. macOS and Windows have Electron's
// app.setLoginItemSettings; Linux has no such API (Electron ignores the call there), so the app
// writes the XDG autostart entry itself (freedesktop "Desktop Application Autostart").
// Plain Node: electron/app/ passes Electron's call in as `system`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Preferences } from './services.ts';

export const LOGIN_ITEM_PREF = 'openAtLogin';
/** Started by the login item: stay in the tray, do not open the window. */
export const HIDDEN_ARG = '--hidden';
export const AUTOSTART_FILE = 'mail-oauth-assistant.desktop';

export type LoginItemState = { supported: boolean; openAtLogin: boolean };

/** What the IPC handler and the tray use. Absent in the web host and the CLI: no app to start. */
export interface LoginItemPort {
  get(): LoginItemState;
  set(openAtLogin: boolean): LoginItemState;
}

export type LoginItemOptions = {
  platform: NodeJS.Platform;
  preferences: Preferences;
  /** Electron's app.setLoginItemSettings (macOS, Windows). */
  system: (settings: { openAtLogin: boolean; args: string[] }) => void;
  /** The command that starts the app: the AppImage path when run from one, else the executable. */
  command: string;
  /** $XDG_CONFIG_HOME or ~/.config (Linux). */
  xdgConfigHome: string;
  onChange?: (state: LoginItemState) => void;
};

/** The XDG autostart entry. Exec quoting per the Desktop Entry spec: the path in double quotes,
 * with `"`, `` ` ``, `$` and `\` escaped. */
export function autostartEntry(command: string): string {
  const quoted = `"${command.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Mail OAuth Assistant',
    'Comment=Keeps mail accounts working over OAuth 2.0',
    `Exec=${quoted} ${HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export const autostartPath = (xdgConfigHome: string): string => join(xdgConfigHome, 'autostart', AUTOSTART_FILE);

export function createLoginItem(o: LoginItemOptions): LoginItemPort & { apply(): void } {
  const state = (): LoginItemState => ({ supported: true, openAtLogin: o.preferences.get(LOGIN_ITEM_PREF) === true });
  const applyTo = (openAtLogin: boolean): void => {
    if (o.platform === 'linux') {
      const path = autostartPath(o.xdgConfigHome);
      if (openAtLogin) {
        mkdirSync(join(o.xdgConfigHome, 'autostart'), { recursive: true });
        writeFileSync(path, autostartEntry(o.command), { mode: 0o644 });
      } else rmSync(path, { force: true });
    } else o.system({ openAtLogin, args: [HIDDEN_ARG] });
  };
  return {
    get: state,
    set(openAtLogin) {
      applyTo(openAtLogin);
      o.preferences.set(LOGIN_ITEM_PREF, openAtLogin);
      const s = state();
      o.onChange?.(s);
      return s;
    },
    /** At start: the system follows the stored choice (a moved AppImage gets its new path). A user
     * who never chose leaves the system alone. */
    apply() {
      if (o.preferences.get(LOGIN_ITEM_PREF) !== undefined) applyTo(state().openAtLogin);
    },
  };
}
