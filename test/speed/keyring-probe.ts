// One measurement for `npm run bench:keyring`, in a fresh process as a `token` call would be:
// loading the keyring library (and the lock code), connecting to the keyring with the first
// lookup, opening the data dir's master key (key record + lock + lookup), and one more lookup. Prints JSON (ms).
import { createRequire } from 'node:module';
const t0 = performance.now();
createRequire(import.meta.url)('@napi-rs/keyring'); // as keyring.ts loads it
const t1 = performance.now();
const { createNodeSecretBox, keyringAccount } = await import('../../electron/store/node-secret-box.ts');
const { osKeyringEntry } = await import('../../electron/store/keyring.ts');
// A `token` process has zod and node:crypto warm by the time it opens the key (the accounts file,
// AES-GCM); warm them here too so the figure is the keyring's, not their first use.
const { z } = await import('zod');
z.object({ a: z.string().regex(/^a$/) }).parse({ a: 'a' });
(await import('../../electron/store/node-secret-box.ts')).keyId(Buffer.alloc(32));
// The keyring calls run under the data dir's lock (keyring.ts guardedEntry); its code is timed on
// its own (here from the TypeScript sources, which type-stripping makes slower than the bundle's
// chunk), so that `open` is the lock taken and released plus the lookup.
const tl = performance.now();
await import('../../electron/store/lock.ts');
const lockLib = performance.now() - tl;
const dataDir = process.argv[2] ?? '';
const entry = osKeyringEntry(keyringAccount(dataDir));
const t2 = performance.now();
await entry.get(); // connects (D-Bus session, Secret Service session) and looks up
const t3 = performance.now();
const box = await createNodeSecretBox({ dataDir, keyring: entry });
const t4 = performance.now();
await entry.get();
const t5 = performance.now();
if (!box.available) throw new Error('no keyring key');
process.stdout.write(`${JSON.stringify({ lib: t1 - t0, lockLib, connect: t3 - t2, open: t4 - t3, lookup: t5 - t4 })}\n`);
