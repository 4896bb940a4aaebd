// The one IPC contract between the renderer and the main process (DESIGN.md "Boundaries").
// Every channel is `domain:verb` with a zod schema for its input and its output; progress travels
// on typed event channels. The preload builds the renderer's API from this object, the main
// process registers its handlers from it, and the development web host carries the same calls.
import { z } from 'zod';
import { resultSchema, type Result } from './result.ts';
import { ProbeProgress } from './probe.ts';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** `electron` in the desktop app, `web-host` in the development web host. */
  shell: z.enum(['electron', 'web-host']),
  platform: z.string(),
  secretStorage: z.object({ available: z.boolean(), backend: z.string() }),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** External pages the UI may ask the main process to open. The renderer names a page; the main
 * process builds the https URL itself (openExternal only for URLs we built). */
export const LinkId = z.enum([
  'entra-app-registrations',
  'google-credentials',
  'google-consent-screen',
  'exchange-admin-mailboxes',
  'outlook-com-imap-settings',
  'project-help',
]);
export type LinkId = z.infer<typeof LinkId>;

const Empty = z.object({}).strict();

export const contract = {
  'app:info': { input: Empty, output: AppInfo },
  'links:open': { input: z.object({ link: LinkId }).strict(), output: z.object({ opened: z.boolean() }) },
} as const;

export const events = {
  'probe:progress': ProbeProgress,
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<Contract[C]['output']>;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const CHANNELS = Object.keys(contract) as Channel[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export const isChannel = (name: unknown): name is Channel =>
  typeof name === 'string' && Object.hasOwn(contract, name);
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && Object.hasOwn(events, name);

/** What the renderer sees: one specific async function per channel (no generic `invoke` that
 * could name anything), and typed subscriptions that return their unsubscribe. */
export type RendererApi = {
  readonly [C in Channel]: (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>;
} & {
  readonly on: <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) => () => void;
};

/** Output envelope schema per channel, for the renderer to check what it receives. */
export const outputEnvelope = <C extends Channel>(channel: C) => resultSchema(contract[channel].output);

/** The name of the object the preload exposes on `window`. */
export const BRIDGE_KEY = 'mailOAuth';
