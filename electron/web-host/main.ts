// `npm run dev:web`: the development web host. Prints the URL to open (with the per-launch secret
// in the fragment) and, for every page the app would open in the system browser, a line
// `Open in your browser: <url>` (tests read these lines).
//
//   --port N          port on 127.0.0.1 (default: any free port)
//   --data-dir DIR    where account settings and encrypted secrets live (default: the one data
//                     directory of the app and the CLI, or $MAIL_OAUTH_DATA_DIR; see data-dir.ts)
//   --ca-file FILE    extra trusted CA (PEM) for identity providers, mail servers, autoconfig
//   --dns H:P[,H:P]   DNS servers for server discovery (default: the system's)
//   --static DIR      the built renderer (default: out/renderer)
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { startWebHost } from './server.ts';
import { createCore } from '../core/compose.ts';
import { nodeDataDir } from '../core/data-dir.ts';
import { createNodeSecretBox } from '../store/node-secret-box.ts';
import { appStoreWaiting, migrateLegacyStores, nodeLegacySources } from '../store/migrate.ts';
import type { BrowserOpener } from '../core/ports.ts';
import { AppFailure } from '../../shared/result.ts';
import { describe } from '../../shared/diagnostics.ts';
import { exitProcess } from '../core/exit-process.ts';

const root = join(import.meta.dirname, '..', '..');
const Flags = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(0),
  static: z.string().default(join(root, 'out', 'renderer')),
  'data-dir': z.string().default(nodeDataDir()),
  'ca-file': z.string().optional(),
  dns: z
    .string()
    .regex(/^[\d.:[\]a-f]+(,[\d.:[\]a-f]+)*$/i, 'a comma-separated list of host:port')
    .optional(),
});
const USAGE = 'Usage: npm run dev:web -- [--port N] [--data-dir DIR] [--ca-file FILE] [--dns HOST:PORT[,...]] [--static DIR]';

async function main(): Promise<void> {
  let flags: z.infer<typeof Flags>;
  try {
    const { values } = parseArgs({
      options: {
        port: { type: 'string' },
        static: { type: 'string' },
        'data-dir': { type: 'string' },
        'ca-file': { type: 'string' },
        dns: { type: 'string' },
      },
      strict: true,
    });
    flags = Flags.parse(values);
  } catch (error) {
    const msg = error instanceof z.ZodError ? error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n') : error instanceof Error ? error.message : '';
    console.error(`${USAGE}\n${msg}`);
    process.exit(2);
  }
  if (!existsSync(join(flags.static, 'index.html'))) {
    console.error(`No built renderer in ${flags.static}. Run \`npm run build\` first (npm run dev:web does).`);
    process.exit(2);
  }
  let ca: string | undefined;
  if (flags['ca-file']) {
    try {
      ca = readFileSync(flags['ca-file'], 'utf8');
    } catch {
      console.error(`Cannot read --ca-file ${flags['ca-file']}.`);
      process.exit(2);
    }
  }
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const browser: BrowserOpener = {
    async open(url) {
      console.log(`Open in your browser: ${url}`);
    },
  };
  // Without a keyring, a key file beside the data is used only if the user chooses so in the UI.
  let secretBox: Awaited<ReturnType<typeof createNodeSecretBox>>;
  try {
    secretBox = await createNodeSecretBox({ dataDir: flags['data-dir'] });
  } catch (error) {
    if (!(error instanceof AppFailure)) throw error;
    // The keyring is locked or the key is gone: say which and what to do; never start on a new key.
    const d = describe(error.appError.code);
    console.error(`${d.code}: ${d.title}${error.appError.detail ? ` (${error.appError.detail})` : ''}.\n${d.fix.map((f, i) => `  ${i + 1}. ${f}`).join('\n')}`);
    // Flushed first: exitProcess may replace the process (a keyring call that never answered).
    await new Promise<void>((r) => process.stderr.write('', () => r()));
    exitProcess(d.temporary === true ? 4 : 1);
  }
  const core = createCore({
    shell: 'web-host',
    version,
    dataDir: flags['data-dir'],
    secretBox,
    browser,
    ...(ca ? { ca } : {}),
    ...(flags.dns ? { dnsServers: flags.dns.split(',') } : {}),
  });
  for (const p of core.accounts.problems) console.error(`Settings: ${p.message} ${p.detail ?? ''}`);
  const migration = await migrateLegacyStores({ dataDir: flags['data-dir'], sources: nodeLegacySources(flags['data-dir']), accounts: core.accounts, secrets: core.secrets });
  for (const m of migration.moved) console.log(`Moved ${m.moved.length} account(s) from ${m.source}; the old folder can be deleted.`);
  for (const f of migration.failed) console.error(`${f.code}: ${f.message}: ${f.detail ?? ''} ${describe(f.code).fix[0] ?? ''}`);
  const appWaiting = appStoreWaiting(flags['data-dir']);
  if (appWaiting) console.log(appWaiting);
  if (!secretBox.available && !core.secrets.status.persistent) {
    console.log('No OS keyring found: tokens are kept in memory only and are lost when the host stops.');
  }
  const host = await startWebHost({ staticDir: flags.static, port: flags.port, handlers: (emit) => core.handlers(emit) });
  console.log(`Mail OAuth Assistant web host: ${host.openUrl}`);
  console.log('Open that URL in a browser on this machine. Ctrl-C stops the host.');
  const stop = (): void => {
    void host.close().then(() => exitProcess(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
