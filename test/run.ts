// The test entry point (`npm test`): starts the real test bench once (Dovecot, the OpenID provider,
// the SMTP sink, the failure listeners), runs every test file with node's test runner in child
// processes that find the bench through MOA_BENCH_INFO, then stops the bench, whatever happened.
//
//   node test/run.ts            all suites
//   node test/run.ts unit       only test/unit (no bench)
//   node test/run.ts <file...>  the named test files (bench started)
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);

function findTests(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const onlyUnit = args.length === 1 && args[0] === 'unit';
const files = onlyUnit
  ? findTests(join(root, 'test', 'unit'))
  : args.length > 0
    ? args.map((a) => join(process.cwd(), a))
    : findTests(join(root, 'test'));
const needsBench = !onlyUnit;

type BenchHandle = { info: unknown; stop(): Promise<void> };
let bench: BenchHandle | undefined;
const env: NodeJS.ProcessEnv = { ...process.env };
// Never the developer's own keyring: with it, every test data dir would leave a key entry there,
// and a locked session keyring would fail tests by chance. Tests of the keyring start their own
// Secret Service on a private bus (test/store/secret-service.ts) and pass its address explicitly.
delete env.DBUS_SESSION_BUS_ADDRESS;

async function main(): Promise<number> {
  if (files.length === 0) {
    console.error('No test files found.');
    return 2;
  }
  if (needsBench) {
    const { startBench } = (await import('./bench/bench.ts')) as {
      startBench: () => Promise<BenchHandle>;
    };
    const t0 = Date.now();
    bench = await startBench();
    const infoFile = join(mkdtempSync(join(tmpdir(), 'moa-run-')), 'bench.json');
    writeFileSync(infoFile, JSON.stringify(bench.info, null, 2));
    env.MOA_BENCH_INFO = infoFile;
    console.log(`test bench up in ${Date.now() - t0} ms (${infoFile})`);
  }
  const nodeArgs = [
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${process.env.MOA_TEST_CONCURRENCY ?? '2'}`,
    // A hang guard per test, not a speed limit (speed is `npm run bench*`): a file that runs eight
    // CLI processes in a row took over 120 s on a loaded 2-core machine, failing by chance.
    `--test-timeout=${process.env.MOA_TEST_TIMEOUT_MS ?? '300000'}`,
    ...files.map((f) => relative(root, f)),
  ];
  return await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: root, env, stdio: 'inherit' });
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
    };
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let code: number;
try {
  code = await main();
} catch (error) {
  console.error('test run failed to start:', error);
  code = 1;
} finally {
  if (bench) await bench.stop().catch((e: unknown) => console.error('bench stop failed:', e));
}
process.exit(code);
