#!/usr/bin/env node
// The installed `mail-oauth` command (package.json "bin"; also shipped beside the bundle in the
// desktop app's resources). It only checks the Node version and loads the built bundle, so it is
// written in syntax every Node since 12 parses: an old Node prints one line naming the version
// needed instead of a syntax error or a stack trace.

// Built-ins by require(): importing node:fs builds its ESM facade, which loads fs's stream
// classes (~8-15 ms of every call; tools/builtins-by-require.ts does the same for the bundle).
import { createRequire } from 'node:module';

var require = createRequire(import.meta.url);
var existsSync = require('node:fs').existsSync;
var path = require('node:path');
var dirname = path.dirname;
var join = path.join;
var url = require('node:url');
var fileURLToPath = url.fileURLToPath;
var pathToFileURL = url.pathToFileURL;

var NEEDED = [20, 11];
var v = process.versions.node.split('.').map(Number);
if (v[0] < NEEDED[0] || (v[0] === NEEDED[0] && v[1] < NEEDED[1])) {
  process.stderr.write('mail-oauth: needs Node.js ' + NEEDED.join('.') + ' or newer; this is v' + process.versions.node + ' (' + process.execPath + ').\n');
  process.exit(1);
}

var here = dirname(fileURLToPath(import.meta.url));
// A checkout or an npm install: <root>/bin -> <root>/out/cli. The desktop app's resources:
// cli/bin -> cli.
var candidates = [join(here, '..', 'out', 'cli', 'mail-oauth.mjs'), join(here, '..', 'mail-oauth.mjs')];
var bundle = candidates.filter(function (p) { return existsSync(p); })[0];
if (!bundle) {
  process.stderr.write('mail-oauth: the command is not built yet: run `npm run build` in ' + join(here, '..') + '\n');
  process.exit(1);
}

Promise.resolve()
  .then(function () {
    // Compiled code is cached between runs (Node 22.1+): a mail client starts this on every connection.
    var m = require('node:module');
    if (typeof m.enableCompileCache === 'function') m.enableCompileCache();
    return import(pathToFileURL(bundle).href);
  })
  .then(function (cli) {
    return cli.runCli(process.argv.slice(2));
  })
  .catch(function (error) {
    process.stderr.write('mail-oauth: ' + (error && error.message ? error.message : String(error)) + '\n');
    process.exit(1);
  });
