// Module resolution hook for test/integration/electron-main.test.ts: `electron` resolves to the
// recording fake beside this file (see its header for why). Everything else resolves as usual,
// so the built main bundle runs with the real electron-store, conf, zod, openid-client...
const FAKE = new URL('./electron.ts', import.meta.url).href;

type Next = (specifier: string, context: unknown) => Promise<unknown>;

export async function resolve(specifier: string, context: unknown, next: Next): Promise<unknown> {
  if (specifier === 'electron') return { url: FAKE, shortCircuit: true };
  return next(specifier, context);
}
