// A build step of the CLI bundle (cli.vite.config.ts); tested by test/unit/builtins-by-require.test.ts.
//
// Importing a Node built-in from ESM (`import { existsSync } from 'node:fs'`) makes Node build the
// module's ESM facade the first time: it reads every export once, and some exports are lazy
// getters that load a whole subsystem when read. `node:fs` loads its stream classes (ReadStream,
// ~8-15 ms), `node:tls` builds the array of every bundled root certificate, `node:crypto` sets up
// WebCrypto, `node:http(s)` loads undici (WebSocket, ~25 ms). A `mail-oauth token` process needs
// none of those, yet paid for them on every call a mail client makes (issue 10).
//
// So each output chunk's static imports of built-ins become require() calls at the chunk's top:
// `import { a, b as c } from "node:fs"` -> `const { a, b: c } = __moaRequire("node:fs")`, and a
// namespace or default import gets the module itself, whose getters then run only when read.
// The chunk's own code all comes after its imports, so every binding is set before it is used, as
// with the imports. node:module stays an import (it provides createRequire).
import { builtinModules } from 'node:module';
import type { Plugin } from 'vite';

const builtins = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** `id` when it names a built-in this step rewrites (`node:fs`, `fs/promises`), else undefined. */
export function builtinName(id: string): string | undefined {
  const name = id.startsWith('node:') ? id.slice(5) : id;
  return builtins.has(name) && name !== 'module' ? name : undefined;
}

/** The parts of an ESTree import declaration this step reads. */
type Node = { type: string; start: number; end: number };
type Specifier = Node & { local: { name: string }; imported?: { type: string; name?: string; value?: unknown } };
type ImportDeclaration = Node & { source: { value: unknown }; specifiers: Specifier[]; importKind?: string; phase?: string | null };

const REQUIRE = '__moaRequire';
const HEADER = `import { createRequire as __moaCreateRequire } from "node:module";\nconst ${REQUIRE} = __moaCreateRequire(import.meta.url);\n`;

/** The statement that replaces one import of a built-in. */
function requireStatement(d: ImportDeclaration, name: string): string {
  const call = `${REQUIRE}(${JSON.stringify(`node:${name}`)})`;
  if (d.specifiers.length === 0) return `${call};`;
  const whole: string[] = [];
  const named: string[] = [];
  for (const s of d.specifiers) {
    const imported = s.imported?.type === 'Identifier' ? s.imported.name : typeof s.imported?.value === 'string' ? s.imported.value : undefined;
    if (s.type !== 'ImportSpecifier' || imported === 'default') whole.push(s.local.name);
    else if (imported === undefined) throw new Error(`builtins-by-require: an import of ${name} it cannot read`);
    else named.push(imported === s.local.name ? imported : `${JSON.stringify(imported)}: ${s.local.name}`);
  }
  return [...whole.map((local) => `const ${local} = ${call};`), ...(named.length ? [`const { ${named.join(', ')} } = ${call};`] : [])].join(' ');
}

/**
 * `code` (an ESM chunk) with its static imports of built-ins made require() calls, or undefined
 * when it has none. `parse` gives the chunk's ESTree program (the bundler's parser).
 */
export function requireBuiltins(code: string, parse: (code: string) => { body: Node[] }): string | undefined {
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (const node of parse(code).body) {
    if (node.type !== 'ImportDeclaration') continue;
    const d = node as ImportDeclaration;
    const name = typeof d.source.value === 'string' ? builtinName(d.source.value) : undefined;
    if (name === undefined || d.importKind === 'type' || (d.phase ?? null) !== null) continue;
    edits.push({ start: d.start, end: d.end, text: requireStatement(d, name) });
  }
  if (edits.length === 0) return undefined;
  let out = code;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + out.slice(e.end);
  // The require() calls go first, before any of the chunk's code (the imports were hoisted there),
  // after a #! line if there is one.
  const shebang = /^#!.*\n/.exec(out)?.[0] ?? '';
  return shebang + HEADER + edits.sort((a, b) => a.start - b.start).map((e) => `${e.text}\n`).join('') + out.slice(shebang.length);
}

export function builtinsByRequire(): Plugin {
  return {
    name: 'builtins-by-require',
    renderChunk(code) {
      const out = requireBuiltins(code, (c) => this.parse(c) as unknown as { body: Node[] });
      return out === undefined ? null : { code: out, map: null };
    },
  };
}
