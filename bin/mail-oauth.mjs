#!/usr/bin/env node
// The command's earlier entry point, kept so that links made to it (the README's per-OS lines for
// the desktop app's resources/cli/bin) keep working: it runs bin/mail-oauth.cjs, the entry
// package.json names. Written for every Node since 12, as that file is.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./mail-oauth.cjs');
