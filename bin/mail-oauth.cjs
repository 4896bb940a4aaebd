#!/usr/bin/env node
// The installed `mail-oauth` command (package.json "bin"; also shipped beside the bundle in the
// desktop app's resources). It only checks the Node version and loads the built bundle, so it is
// written in syntax every Node since 12 parses: an old Node prints one line naming the version
// needed instead of a syntax error or a stack trace.
//
// CommonJS, as the bundle is: a mail client starts this on every connection, and an ES module
// entry makes Node set up its ESM loader first (~6 ms of every call, measured against the same
// empty file as .cjs).
'use strict';

var existsSync = require('node:fs').existsSync;
var join = require('node:path').join;

var NEEDED = [20, 11];
var v = process.versions.node.split('.').map(Number);
if (v[0] < NEEDED[0] || (v[0] === NEEDED[0] && v[1] < NEEDED[1])) {
  process.stderr.write('mail-oauth: needs Node.js ' + NEEDED.join('.') + ' or newer; this is v' + process.versions.node + ' (' + process.execPath + ').\n');
  process.exit(1);
}

// A checkout or an npm install: <root>/bin -> <root>/out/cli. The desktop app's resources:
// cli/bin -> cli.
var candidates = [join(__dirname, '..', 'out', 'cli', 'mail-oauth.cjs'), join(__dirname, '..', 'mail-oauth.cjs')];
var bundle = candidates.filter(function (p) { return existsSync(p); })[0];
if (!bundle) {
  process.stderr.write('mail-oauth: the command is not built yet: run `npm run build` in ' + join(__dirname, '..') + '\n');
  process.exit(1);
}

// Compiled code is cached between runs (Node 22.1+): a mail client starts this on every connection.
var nodeModule = require('node:module');
if (typeof nodeModule.enableCompileCache === 'function') nodeModule.enableCompileCache();

Promise.resolve()
  .then(function () {
    return require(bundle).runCli(process.argv.slice(2));
  })
  .catch(function (error) {
    process.stderr.write('mail-oauth: ' + (error && error.message ? error.message : String(error)) + '\n');
    process.exit(1);
  });
