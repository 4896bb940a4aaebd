// Where the bridge settings live: one key of the preferences store (electron-store in the app,
// conf in the data directory otherwise; both write <data dir>/preferences.json), so the app, the
// web host and `mail-oauth client-config --bridge` see the same ports.
import { join } from 'node:path';
import { bridgeSettingsFrom, type BridgeSettings } from '../../shared/bridge.ts';
import type { Preferences } from './services.ts';

export const BRIDGE_PREFERENCE_KEY = 'bridge';

export const loadBridgeSettings = (prefs: Preferences): BridgeSettings => bridgeSettingsFrom(prefs.get(BRIDGE_PREFERENCE_KEY));

export function saveBridgeSettings(prefs: Preferences, settings: BridgeSettings): void {
  prefs.set(BRIDGE_PREFERENCE_KEY, settings);
}

/** Where the bridge keeps its TLS certificate (public; electron/bridge/cert.ts writes it at the
 * first start with TLS): the file a mail client's "trust this certificate" setting names. */
export const bridgeCertificateFile = (dataDir: string): string => join(dataDir, 'bridge', 'certificate.pem');
