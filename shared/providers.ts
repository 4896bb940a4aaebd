// The provider catalog (provider-catalog.ts, zod-free) with the zod schemas of its enums, for the
// boundaries that validate a protocol, a security mode or a SASL mechanism.
import { z } from 'zod';
import { PROTOCOL_NAMES, SASL_MECHANISM_NAMES, SECURITY_NAMES } from './provider-catalog.ts';

export * from './provider-catalog.ts';

export const Protocol = z.enum(PROTOCOL_NAMES);
export type Protocol = z.infer<typeof Protocol>;

export const Security = z.enum(SECURITY_NAMES);
export type Security = z.infer<typeof Security>;

export const SaslMechanism = z.enum(SASL_MECHANISM_NAMES);
export type SaslMechanism = z.infer<typeof SaslMechanism>;
