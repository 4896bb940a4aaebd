// The CLI bundle's stand-in for `graceful-fs` (cli.vite.config.ts aliases it to this file), which
// proper-lockfile (store/lock.ts) loads. graceful-fs patches fs at load and reads fs.ReadStream to
// wrap it, and that read loads Node's whole stream code: ~8 ms of every `token` call that takes a
// lock (a refresh, a key in the OS keyring; issue 10). What it adds (queueing and retrying on
// EMFILE when thousands of files are open) is of no use to a command that holds a few lock
// directories, so the CLI's lock works on plain fs. The desktop app and the web host keep it.
'use strict';
module.exports = require('node:fs');
