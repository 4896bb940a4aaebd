// A build step of the CLI bundle (cli.vite.config.ts); tested by test/unit/eager-module-wrappers.test.ts.
//
// The bundler wraps each CommonJS dependency (imapflow and its libraries, MSAL, proper-lockfile)
// in an arrow function, `var require_x = __commonJSMin(((exports, module) => { ...module... }))`
// (`require_rolldown_runtime.__commonJSMin(...)` in a CommonJS chunk),
// run when the module is first required. V8 compiles an arrow function lazily, on its first call,
// and Node's compile cache (bin/mail-oauth.cjs enables it) keeps only the code compiled with the
// chunk, before it runs: so every start compiled every wrapped module again. A function
// *expression* in parentheses is compiled with the chunk (V8's heuristic for functions called at
// once) and so comes from the cache on the next start: measured on the built chunks, the IMAP
// client's chunk loads in ~32 ms instead of ~42, MSAL's in ~20 instead of ~25 (issue 10).
//
// So each such wrapper becomes `(function(exports, module) { ... })`. That is the same function
// for a body that reads no `this`, `arguments` or `new.target` of its own (the bundler already
// passes a module's top-level `this` as a parameter); a wrapper whose body does read one is left
// as it is.
import type { Plugin } from 'vite';

/** The bundler's runtime helpers that take a module's body as their one argument. */
const WRAPPERS = new Set(['__commonJSMin', '__commonJS', '__esmMin', '__esm']);

type Node = { type: string; start: number; end: number; [key: string]: unknown };

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    if (Array.isArray(value)) out.push(...value.filter(isNode));
    else if (isNode(value)) out.push(value);
  }
  return out;
}

/** Whether `body` reads a binding an arrow takes from outside and a function has of its own:
 * `this`, `arguments`, `new.target` (`super` cannot appear there). Functions (not arrows) inside
 * have their own, so they are not looked into. */
function readsOwnBindings(body: Node): boolean {
  const stack = [body];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    if (n.type === 'ThisExpression' || n.type === 'MetaProperty') return true;
    if (n.type === 'Identifier' && n.name === 'arguments') return true;
    if (n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration') continue;
    stack.push(...children(n));
  }
  return false;
}

/** The helper a call names: `__commonJSMin(...)` in an ES module chunk, `require_rolldown_runtime.__commonJSMin(...)` in a CommonJS one. */
function helperName(callee: Node): string | undefined {
  if (callee.type === 'Identifier') return callee.name as string;
  const property = callee.property as Node | undefined;
  return callee.type === 'MemberExpression' && callee.computed !== true && property?.type === 'Identifier' ? (property.name as string) : undefined;
}

const unwrap = (n: Node): Node => (n.type === 'ParenthesizedExpression' && isNode(n.expression) ? unwrap(n.expression) : n);

/**
 * `code` (a chunk) with every bundler module wrapper that is an arrow function made a function
 * expression, or undefined when there is none to change. `parse` gives the chunk's ESTree program
 * (the bundler's parser).
 */
export function eagerModuleWrappers(code: string, parse: (code: string) => Node): string | undefined {
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const stack = [parse(code)];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    stack.push(...children(n));
    if (n.type !== 'CallExpression') continue;
    const args = n.arguments as Node[];
    if (!WRAPPERS.has(helperName(n.callee as Node) ?? '') || args.length !== 1) continue;
    const fn = unwrap(args[0] as Node);
    const body = fn.body as Node;
    if (fn.type !== 'ArrowFunctionExpression' || fn.async === true || body.type !== 'BlockStatement') continue;
    const params = fn.params as Node[];
    // Simple parameters only (what the bundler writes): their text is kept as it is.
    if (!params.every((p) => p.type === 'Identifier') || readsOwnBindings(body)) continue;
    const list = params.length === 0 ? '' : code.slice((params[0] as Node).start, (params[params.length - 1] as Node).end);
    edits.push({ start: fn.start, end: body.start, text: `function(${list}) ` });
  }
  if (edits.length === 0) return undefined;
  let out = code;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

export function eagerModuleWrappersPlugin(): Plugin {
  return {
    name: 'eager-module-wrappers',
    renderChunk(code) {
      const out = eagerModuleWrappers(code, (c) => this.parse(c) as unknown as Node);
      return out === undefined ? null : { code: out, map: null };
    },
  };
}
