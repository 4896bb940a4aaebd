// The main-process side of the IPC contract, shared by Electron's ipcMain and the development web
// host: parse the channel and the input as unknown, run the handler, check the output, and always
// answer with Result data (never a thrown Error across the boundary).
import type { z } from 'zod';
import {
  contract,
  isChannel,
  type Channel,
  type ChannelOutput,
  type EventName,
  type EventPayload,
} from '../../shared/ipc.ts';
import { appError, type Result } from '../../shared/result.ts';
import { toAppError } from './errors.ts';

type HandlerInput<C extends Channel> = z.output<(typeof contract)[C]['input']>;

export type Handlers = {
  [C in Channel]: (input: HandlerInput<C>) => Promise<ChannelOutput<C>>;
};

export type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** Dispatch one call. `channel` and `input` come straight from the untrusted renderer. */
export async function dispatch(handlers: Handlers, channel: unknown, input: unknown): Promise<Result<unknown>> {
  if (!isChannel(channel)) {
    return { ok: false, error: appError('UNKNOWN_CHANNEL', `Unknown request “${String(channel).slice(0, 60)}”.`) };
  }
  // A channel of the contract that this process does not serve is a wiring bug: say so before
  // looking at the input, so that any call (even with bad input) shows it.
  const handler = handlers[channel] as ((input: unknown) => Promise<unknown>) | undefined;
  if (typeof handler !== 'function') {
    return { ok: false, error: appError('INTERNAL', `No handler serves ${channel}.`) };
  }
  const parsed = contract[channel].input.safeParse(input ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
      .join('; ');
    return { ok: false, error: appError('VALIDATION_FAILED', `Invalid input for ${channel}.`, detail) };
  }
  try {
    const value = await handler(parsed.data);
    const checked = contract[channel].output.safeParse(value);
    if (!checked.success) {
      // A handler bug: never send the renderer something the contract does not allow.
      return { ok: false, error: appError('INTERNAL', `The app produced an invalid answer for ${channel}.`) };
    }
    return { ok: true, value: checked.data };
  } catch (error) {
    return { ok: false, error: toAppError(error) };
  }
}
