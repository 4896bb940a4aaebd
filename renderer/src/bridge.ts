// The renderer's only way out: the preload's API in the desktop app, or the same contract over
// the development web host's loopback HTTP when running in a normal browser.
import {
  BRIDGE_KEY,
  CHANNELS,
  isEventName,
  outputEnvelope,
  type Channel,
  type EventName,
  type RendererApi,
} from '../../shared/ipc.ts';
import type { Result } from '../../shared/result.ts';
import { toAppError } from './errors.ts';

const SECRET_KEY = 'moa-web-host-secret';

function webHostSecret(): string {
  const match = /(?:^#|&)secret=([\w-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(SECRET_KEY, match[1]);
    // Keep the secret out of the address bar, history and screenshots.
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(SECRET_KEY) ?? '';
}

function createWebBridge(): RendererApi {
  const secret = webHostSecret();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let streaming = false;

  async function stream(): Promise<void> {
    for (;;) {
      try {
        const res = await fetch('/events', { headers: { Authorization: `Bearer ${secret}` } });
        if (!res.ok || !res.body) throw new Error(`events ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            const msg = JSON.parse(line) as { event: unknown; payload: unknown };
            if (isEventName(msg.event)) for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
          }
        }
      } catch {
        // The host went away or restarted: try again shortly.
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  const api: Record<string, unknown> = {};
  for (const channel of CHANNELS) {
    api[channel] = async (input: unknown): Promise<Result<unknown>> => {
      try {
        const res = await fetch(`/ipc/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
          body: JSON.stringify(input ?? {}),
        });
        return parseEnvelope(channel, await res.json());
      } catch (error) {
        return { ok: false, error: toAppError(error) };
      }
    };
  }
  api.on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!streaming) {
      streaming = true;
      void stream();
    }
    const set = listeners.get(event) ?? new Set();
    set.add(listener);
    listeners.set(event, set);
    return () => set.delete(listener);
  };
  return api as RendererApi;
}

function parseEnvelope(channel: Channel, raw: unknown): Result<unknown> {
  const parsed = outputEnvelope(channel).safeParse(raw);
  if (parsed.success) return parsed.data as Result<unknown>;
  return { ok: false, error: { code: 'INTERNAL', message: `The app sent an unexpected answer for ${channel}.` } };
}

let cached: RendererApi | undefined;

export function getApi(): RendererApi {
  if (cached) return cached;
  const fromPreload = (window as unknown as Record<string, RendererApi | undefined>)[BRIDGE_KEY];
  cached = fromPreload ?? createWebBridge();
  return cached;
}
