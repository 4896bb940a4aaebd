// The bridge's settings and status as the UI and the CLI see them (issue 12). The bridge itself
// is electron/bridge/; its control (persisting these settings, starting and stopping it,
// counting sessions) is electron/core/bridge-control.ts. No secret here: a bridge password is
// shown once by `bridge:new-password` and never part of a status.
import { z } from 'zod';
import { AppErrorSchema } from './result.ts';

/** A listener's port: 1-65535, 0 = any free port (tests), null = that listener is off. */
export const BridgePort = z.number().int().min(0).max(65535).nullable();
export const BridgePorts = z.object({ imap: BridgePort, pop: BridgePort, smtp: BridgePort }).strict();
export type BridgePorts = z.infer<typeof BridgePorts>;

export const BridgeSettings = z
  .object({
    /** The user turned the bridge on (it runs now, and again at start when startWithApp). */
    enabled: z.boolean(),
    ports: BridgePorts,
    /** STARTTLS towards the client with the bridge's local certificate. */
    tls: z.boolean(),
    /** Start the bridge when the app (or the web host) starts, if it is enabled. */
    startWithApp: z.boolean(),
  })
  .strict();
export type BridgeSettings = z.infer<typeof BridgeSettings>;

/** Ports that need no privileges and are rarely taken (the suggestion). */
export const DEFAULT_BRIDGE_PORTS: BridgePorts = { imap: 1143, pop: 1110, smtp: 1025 };
export const DEFAULT_BRIDGE_SETTINGS: BridgeSettings = { enabled: false, ports: DEFAULT_BRIDGE_PORTS, tls: false, startWithApp: true };

/** Saved settings, whatever their shape: anything unreadable falls back to the defaults field by
 * field (a damaged preferences file must not stop the app, and must not turn the bridge on). */
export function bridgeSettingsFrom(saved: unknown): BridgeSettings {
  const parsed = BridgeSettings.safeParse(saved);
  if (parsed.success) return parsed.data;
  const o = (typeof saved === 'object' && saved !== null ? saved : {}) as Record<string, unknown>;
  const ports = BridgePorts.safeParse(o.ports);
  return {
    enabled: o.enabled === true,
    ports: ports.success ? ports.data : DEFAULT_BRIDGE_PORTS,
    tls: o.tls === true,
    startWithApp: o.startWithApp !== false,
  };
}

export const BridgeStatus = z.object({
  settings: BridgeSettings,
  /** off: not running; starting; on: listening; failed: could not start (see error). */
  state: z.enum(['off', 'starting', 'on', 'failed']),
  /** The ports actually bound while on (0 in the settings becomes the real port); null: off. */
  ports: z.object({ imap: z.number().nullable(), pop: z.number().nullable(), smtp: z.number().nullable() }),
  /** Client sessions open right now. */
  sessions: z.number().int().min(0),
  /** The bridge's local certificate (PEM, public) while on with TLS, for the user to import. */
  certificatePem: z.string().optional(),
  /** Why it is not running (BRIDGE_PORT_IN_USE...), with the catalog's fix on the UI side. */
  error: AppErrorSchema.optional(),
  /** Which accounts have a bridge password (the password itself is never shown again). */
  accounts: z.array(z.object({ id: z.string(), address: z.string(), hasPassword: z.boolean() })),
});
export type BridgeStatus = z.infer<typeof BridgeStatus>;

/** What `bridge:configure` takes: any subset of the settings (the rest stays). */
export const BridgeConfigureInput = z
  .object({
    enabled: z.boolean().optional(),
    ports: BridgePorts.partial().strict().optional(),
    tls: z.boolean().optional(),
    startWithApp: z.boolean().optional(),
  })
  .strict();
export type BridgeConfigureInput = z.infer<typeof BridgeConfigureInput>;
