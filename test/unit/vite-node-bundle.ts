// Builds a small module the way cli.vite.config.ts builds the CLI (Vite, SSR for Node, CommonJS output,
// built-ins external, nothing minified), with or without one of its build steps: the tests of
// those steps (tools/*.ts) run the bundler's own parser and output, not a stand-in.
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build, type Plugin } from 'vite';

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Bundle `entry` into `<outDir>/entry.cjs` with `plugins`; returns that file. */
export async function bundleForNode(entry: string, outDir: string, plugins: Plugin[]): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    plugins,
    build: {
      outDir,
      ssr: true,
      minify: false,
      target: 'node20',
      rollupOptions: { input: { entry }, external: (id) => builtins.has(id), output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
    ssr: { noExternal: true, target: 'node' },
  });
  return join(outDir, 'entry.cjs');
}
