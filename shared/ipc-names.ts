// Only the names of the IPC contract (shared/ipc.ts): its channels, its events and the window key.
// The sandboxed preload needs nothing else, and importing the contract itself would bundle zod and
// every schema into it (196 KB for a list of names). shared/ipc.ts checks at compile time that these
// lists name exactly its channels and events, and test/unit/ipc-names.test.ts checks the values.
export const CHANNEL_NAMES = [
  'app:info',
  'links:open',
  'app:keep-secrets-without-os-encryption',
  'app:login-item',
  'accounts:list',
  'accounts:save',
  'accounts:remove',
  'accounts:set-client-secret',
  'accounts:token-state',
  'ca:inspect',
  'accounts:trust-ca',
  'discover:servers',
  'auth:check-issuer',
  'auth:start',
  'auth:cancel',
  'auth:open-device-page',
  'probe:run',
  'probe:cancel',
  'tokens:copy',
  'report:build',
  'activity:list',
  'health:list',
  'health:history',
  'health:schedule',
  'health:set-schedule',
  'clients:config',
  'bridge:status',
  'bridge:configure',
  'bridge:new-password',
] as const;

export const EVENT_NAME_LIST = ['probe:progress', 'auth:progress', 'activity:added', 'accounts:changed', 'health:changed', 'app:show-account', 'bridge:changed'] as const;

export type ChannelName = (typeof CHANNEL_NAMES)[number];
export type EventNameOnly = (typeof EVENT_NAME_LIST)[number];

export const isEventNameOnly = (name: unknown): name is EventNameOnly => typeof name === 'string' && (EVENT_NAME_LIST as readonly string[]).includes(name);

/** The name of the object the preload exposes on `window`. */
export const BRIDGE_KEY = 'mailOAuth';
