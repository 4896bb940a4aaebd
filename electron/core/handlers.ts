// The IPC handlers, built from the core services. The same object serves the Electron main
// process and the development web host, so the UI behaves the same in both.
import type { AppInfo } from '../../shared/ipc.ts';
import type { Handlers } from './ipc-dispatch.ts';
import type { BrowserOpener, SecretBox } from './ports.ts';
import { LINKS } from './links.ts';

export type CoreServices = {
  shell: AppInfo['shell'];
  version: string;
  platform: string;
  secretBox: SecretBox;
  browser: BrowserOpener;
};

export function createHandlers(services: CoreServices): Handlers {
  return {
    'app:info': async () => ({
      name: 'Mail OAuth Assistant',
      version: services.version,
      shell: services.shell,
      platform: services.platform,
      secretStorage: { available: services.secretBox.available, backend: services.secretBox.backend },
    }),
    'links:open': async ({ link }) => {
      await services.browser.open(LINKS[link]);
      return { opened: true };
    },
  };
}
