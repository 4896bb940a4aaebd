// `npm run bench:keyring`: what the OS keyring costs a `token` call, against a real Secret
// Service (GNOME Keyring on a private bus, test/store/secret-service.ts). Each figure is the
// median over fresh processes; the old way (`secret-tool lookup`, one spawn per call) is measured
// in the same run for comparison. Figures are printed, never asserted (the machine's load moves them).
//
//   node test/speed/keyring.ts [--runs 15]
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSecretService } from '../store/secret-service.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Math.max(3, Number(values.runs));

function child(file: string, args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<{ code: number; stdout: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const c = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
    c.stdin.end(stdin);
    let stdout = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    c.on('exit', (code) => resolve({ code: code ?? 1, stdout, ms: performance.now() - t0 }));
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;

const ss = await startSecretService();
try {
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-bench-keyring-'));
  const probe = join(import.meta.dirname, 'keyring-probe.ts');
  const first = await child(process.execPath, [probe, dataDir], ss.env); // makes the key
  if (first.code !== 0) throw new Error('the probe failed');
  const figures: Array<{ lib: number; lockLib: number; connect: number; open: number; lookup: number }> = [];
  for (let i = 0; i < runs; i++) {
    const r = await child(process.execPath, [probe, dataDir], ss.env);
    figures.push(JSON.parse(r.stdout) as { lib: number; lockLib: number; connect: number; open: number; lookup: number });
  }
  // The previous backend: one `secret-tool` process per lookup.
  await child('secret-tool', ['store', '--label=bench', 'application', 'moa-bench', 'kind', 'k'], ss.env, 'x');
  const spawns: number[] = [];
  for (let i = 0; i < runs; i++) spawns.push((await child('secret-tool', ['lookup', 'application', 'moa-bench', 'kind', 'k'], ss.env)).ms);

  console.log(`keyring cost of a token call (median of ${runs} fresh processes, Secret Service, load average ${loadavg()[0]?.toFixed(1)} on this machine)`);
  console.log(`  load @napi-rs/keyring (native module)          ${fmt(median(figures.map((f) => f.lib)))}`);
  console.log(`  load the lock code (TypeScript sources)        ${fmt(median(figures.map((f) => f.lockLib)))}`);
  console.log(`  connect to the keyring + first lookup          ${fmt(median(figures.map((f) => f.connect)))}`);
  console.log(`  open the master key (record + lock + lookup)   ${fmt(median(figures.map((f) => f.open)))}   (target <= 5 ms)`);
  console.log(`  one more lookup                                ${fmt(median(figures.map((f) => f.lookup)))}`);
  console.log(`  previous way: one secret-tool lookup (spawn)   ${fmt(median(spawns))}`);
} finally {
  await ss.stop();
}
