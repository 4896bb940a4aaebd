// The BrowserOpener port on shell.openExternal, restricted to https URLs the main process built.
import { shell } from 'electron';
import type { BrowserOpener } from '../core/ports.ts';
import { isSafeExternalUrl } from './policy.ts';

export const shellOpener: BrowserOpener = {
  async open(url) {
    if (!isSafeExternalUrl(url)) throw new Error('Refused to open a non-https URL');
    await shell.openExternal(url, { activate: true });
  },
};
