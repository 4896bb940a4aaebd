// The layer rules of STYLE.md are lint errors: feed ESLint real source text at real paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  assert.ok(result, 'ESLint returned no result');
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2).map((m) => m.message);
}

const cases: Array<{ file: string; code: string; banned: boolean }> = [
  { file: 'renderer/src/bad.tsx', code: "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n", banned: true },
  { file: 'renderer/src/bad.tsx', code: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", banned: true },
  { file: 'renderer/src/bad.tsx', code: "import fs from 'fs';\nexport const x = fs;\n", banned: true },
  { file: 'renderer/src/bad.tsx', code: "import { x } from '../../electron/core/links.ts';\nexport const y = x;\n", banned: true },
  { file: 'electron/probe/bad.ts', code: "import { app } from 'electron';\nexport const x = app;\n", banned: true },
  { file: 'electron/auth/bad.ts', code: "import Store from 'electron-store';\nexport const x = Store;\n", banned: true },
  { file: 'shared/bad.ts', code: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", banned: true },
  { file: 'shared/bad.ts', code: "import { x } from '../electron/core/links.ts';\nexport const y = x;\n", banned: true },
  // Allowed: what each layer is for.
  { file: 'electron/app/ok.ts', code: "import { app } from 'electron';\nexport const x = app;\n", banned: false },
  { file: 'electron/probe/ok.ts', code: "import { connect } from 'node:tls';\nexport const x = connect;\n", banned: false },
  { file: 'renderer/src/ok.tsx', code: "import { contract } from '../../shared/ipc.ts';\nexport const x = contract;\n", banned: false },
];

for (const c of cases) {
  test(`${c.banned ? 'refuses' : 'allows'} in ${c.file}: ${c.code.split('\n')[0]}`, async () => {
    const errors = await importErrors(c.file, c.code);
    if (c.banned) assert.ok(errors.length > 0, 'expected a no-restricted-imports error');
    else assert.deepEqual(errors, []);
  });
}
