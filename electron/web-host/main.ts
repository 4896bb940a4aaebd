// `npm run dev:web`: the development web host. Prints the URL to open (with the per-launch secret
// in the fragment) and, for every page the app would open in the system browser, a line
// `Open in your browser: <url>` (tests read these lines).
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { startWebHost } from './server.ts';
import { createHandlers } from '../core/handlers.ts';
import { noEncryptionBox } from '../core/memory-secret-box.ts';
import type { BrowserOpener } from '../core/ports.ts';

const root = join(import.meta.dirname, '..', '..');
const Flags = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(0),
  static: z.string().default(join(root, 'out', 'renderer')),
});

function main(): Promise<void> | void {
  let flags: z.infer<typeof Flags>;
  try {
    const { values } = parseArgs({ options: { port: { type: 'string' }, static: { type: 'string' } }, strict: true });
    flags = Flags.parse(values);
  } catch (error) {
    console.error(`Usage: npm run dev:web -- [--port N] [--static DIR]\n${error instanceof Error ? error.message : ''}`);
    process.exit(2);
  }
  if (!existsSync(join(flags.static, 'index.html'))) {
    console.error(`No built renderer in ${flags.static}. Run \`npm run build\` first (npm run dev:web does).`);
    process.exit(2);
  }
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const browser: BrowserOpener = {
    async open(url) {
      console.log(`Open in your browser: ${url}`);
    },
  };
  return startWebHost({
    staticDir: flags.static,
    port: flags.port,
    handlers: () =>
      createHandlers({ shell: 'web-host', version, platform: process.platform, secretBox: noEncryptionBox, browser }),
  }).then((host) => {
    console.log(`Mail OAuth Assistant web host: ${host.openUrl}`);
    console.log('Open that URL in a browser on this machine. Ctrl-C stops the host.');
    const stop = (): void => {
      void host.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

await main();
