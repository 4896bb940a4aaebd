// @ts-check
// Lint: typescript-eslint on every file, plus the layer rules of STYLE.md as errors:
// the renderer imports no Node and no electron/ code; only electron/app/ imports 'electron'.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const electronOnly = ['electron', 'electron-store', 'electron/*'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: electronOnly.filter((p) => !p.includes('*')), patterns: [{ group: ['electron/*'], message: 'Only electron/app/ may import Electron.' }] }],
    },
  },
  {
    // CommonJS stand-ins for the CLI bundle (cli.vite.config.ts aliases), required by CommonJS packages.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The Electron shell: the only place that may import 'electron' and 'electron-store'.
    files: ['electron/app/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The renderer runs in a sandboxed page: no Node, no Electron, no main-process code.
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...electronOnly.filter((p) => !p.includes('*')), ...nodeBuiltins].map((name) => ({
            name,
            message: 'The renderer may not import Node or Electron: go through the IPC contract (shared/ipc.ts).',
          })),
          patterns: [
            { group: ['**/electron/**', 'electron/*'], message: 'The renderer may not import main-process code.' },
          ],
        },
      ],
    },
  },
  {
    // shared/ is imported by both processes: plain TypeScript and zod only.
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...electronOnly.filter((p) => !p.includes('*')), ...nodeBuiltins].map((name) => ({
            name,
            message: 'shared/ runs in both processes: no Node or Electron imports.',
          })),
          patterns: [{ group: ['**/electron/**', '**/renderer/**'], message: 'shared/ may not import either process.' }],
        },
      ],
    },
  },
);
