// The CLI bundle's eager module wrappers (tools/eager-module-wrappers.ts): built by Vite itself, as
// `npm run build` does, a module that requires CommonJS files gets every wrapper as a function
// expression (compiled with the chunk, so the compile cache keeps it) except one whose body reads
// `arguments`, and the bundle computes exactly what the same bundle without the step computes:
// exports, a module's top-level `this`, nested functions' own `arguments` and `this`, cycles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eagerModuleWrappers, eagerModuleWrappersPlugin } from '../../tools/eager-module-wrappers.ts';
import { bundleForNode } from './vite-node-bundle.ts';

const FILES: Record<string, string> = {
  'plain.cjs': `'use strict';\nexports.answer = 42;\nexports.sum = function () { return Array.prototype.reduce.call(arguments, (a, b) => a + b, 0); };\n`,
  'this.cjs': `this.viaThis = 'top-level this is module.exports';\nmodule.exports.self = function () { return this === module.exports; };\n`,
  'cycle-a.cjs': `exports.a = 1;\nconst b = require('./cycle-b.cjs');\nexports.fromB = b.b;\n`,
  'cycle-b.cjs': `const a = require('./cycle-a.cjs');\nexports.b = 2;\nexports.sawA = a.a;\n`,
  'args.cjs': `module.exports = { count: typeof arguments === 'undefined' ? -1 : arguments.length };\n`,
  'entry.mjs': `import plain from './plain.cjs';
import withThis from './this.cjs';
import cycle from './cycle-a.cjs';
import args from './args.cjs';
export const seen = {
  answer: plain.answer,
  sum: plain.sum(1, 2, 3),
  viaThis: withThis.viaThis,
  self: withThis.self(),
  cycle: [cycle.a, cycle.fromB],
  args: typeof args.count,
};
`,
};

async function bundle(withStep: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'moa-eager-wrappers-'));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
  return bundleForNode(join(dir, 'entry.mjs'), join(dir, 'out'), withStep ? [eagerModuleWrappersPlugin()] : []);
}

function run(file: string): unknown {
  const r = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(file)}).seen))`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const wrappers = (code: string): { arrows: number; functions: number } => ({
  arrows: (code.match(/__commonJS(?:Min)?\(\(\([^()]*\) => \{/g) ?? []).length,
  functions: (code.match(/__commonJS(?:Min)?\(\(function\([^()]*\) \{/g) ?? []).length,
});

test('built with the step: the wrappers are function expressions, but the one that reads arguments; same results as without', async () => {
  const [withStep, without] = await Promise.all([bundle(true), bundle(false)]);
  const plain = wrappers(readFileSync(without, 'utf8'));
  assert.equal(plain.functions, 0, 'the bundler writes arrows (what the step changes)');
  assert.equal(plain.arrows, 5, 'one wrapper per CommonJS file');
  const code = readFileSync(withStep, 'utf8');
  assert.deepEqual(wrappers(code), { arrows: 1, functions: 4 }, code);
  assert.match(code, /__commonJS(?:Min)?\(\(\([^()]*\) => \{\s*module\.exports = \{ count: typeof arguments/, 'the wrapper reading `arguments` stays an arrow');
  const expected = run(without);
  assert.deepEqual(run(withStep), expected);
  assert.deepEqual(expected, { answer: 42, sum: 6, viaThis: 'top-level this is module.exports', self: true, cycle: [1, 2], args: 'number' });
});

test('only the bundler helpers\' single arrow argument (helper called by name or as the runtime\'s property) with a block body and plain parameters is changed', () => {
  // A tiny stand-in parser is enough here: the function walks whatever ESTree it is given.
  const code = 'x';
  const id = (name: string, start = 0, end = 0) => ({ type: 'Identifier', name, start, end });
  const block = (start: number, body: unknown[] = []) => ({ type: 'BlockStatement', start, end: start + 1, body });
  const call = (callee: string, arg: unknown) => ({ type: 'CallExpression', start: 0, end: 1, callee: id(callee), arguments: [arg] });
  const arrow = (o: { async?: boolean; params?: unknown[]; body?: unknown } = {}) => ({ type: 'ArrowFunctionExpression', start: 0, end: 1, async: o.async ?? false, params: o.params ?? [], body: o.body ?? block(0) });
  const program = (expr: unknown) => ({ type: 'Program', start: 0, end: 1, body: [{ type: 'ExpressionStatement', start: 0, end: 1, expression: expr }] });
  const unchanged = (expr: unknown) => assert.equal(eagerModuleWrappers(code, () => program(expr) as never), undefined);
  unchanged(call('somethingElse', arrow()));
  unchanged(call('__commonJSMin', arrow({ async: true })));
  unchanged(call('__commonJSMin', arrow({ body: { type: 'Identifier', name: 'value', start: 0, end: 1 } })));
  unchanged(call('__commonJSMin', arrow({ params: [{ type: 'AssignmentPattern', start: 0, end: 1 }] })));
  unchanged(call('__esmMin', arrow({ body: block(0, [{ type: 'ThisExpression', start: 0, end: 1 }]) })));
  unchanged(call('__esmMin', arrow({ body: block(0, [{ type: 'MetaProperty', start: 0, end: 1 }]) })));
  // `this` inside a nested function is that function's own: the wrapper is still changed.
  const nested = { type: 'FunctionExpression', start: 0, end: 1, params: [], body: block(0, [{ type: 'ThisExpression', start: 0, end: 1 }]) };
  // In a CommonJS chunk the helper is a property of the runtime's module object.
  const member = { type: 'MemberExpression', start: 0, end: 1, computed: false, object: id('require_rolldown_runtime'), property: id('__commonJSMin') };
  const cjsSource = 'x.__commonJSMin((() => {}))';
  const cjsArrow = { ...arrow({ body: block(cjsSource.indexOf('{')) }), start: cjsSource.indexOf('(()') + 1 };
  const cjsCall = { type: 'CallExpression', start: 0, end: 1, callee: member, arguments: [cjsArrow] };
  assert.equal(eagerModuleWrappers(cjsSource, () => program(cjsCall) as never), 'x.__commonJSMin((function() {}))');
  unchanged({ ...cjsCall, callee: { ...member, computed: true } });
  const source = '__esmMin((() => {}))';
  const wrapped = { ...arrow({ body: block(source.indexOf('{'), [nested]) }), start: source.indexOf('(()') + 1 };
  assert.equal(eagerModuleWrappers(source, () => program(call('__esmMin', wrapped)) as never), '__esmMin((function() {}))');
});
