// Ending the process when a native call never returned. A keyring call that the keyring never
// answers (GNOME Keyring wedged, electron/store/keyring.ts guardedEntry) keeps a thread of
// libuv's pool inside the native library for good. The caller gets its error after a bound, but
// process.exit() then hangs too: Node shuts libuv down on exit, which joins every pool thread
// (seen: the message printed, exit code set, the process asleep in futex_wait forever). A mail
// client waiting for `mail-oauth token` to end would hang anyway.
//
// So such a process ends through execve (Node 22.15+): the kernel discards every thread of the
// old image without joining, and the new image, /bin/sh, only exits with the code. stdout and
// stderr stay the same descriptors (the caller flushes them first). No imports: the CLI's entry
// loads this before any command (`--help` stays fast).

let stuck = 0;

/** A native call was given up on and may never return (until it does: `released`). */
export function nativeCallAbandoned(): { released(): void } {
  stuck += 1;
  let done = false;
  return {
    released() {
      if (done) return;
      done = true;
      stuck -= 1;
    },
  };
}

/** Exit with `code`, also when an abandoned native call still holds a thread. Never returns. */
export function exitProcess(code: number): never {
  const execve = (process as { execve?: (file: string, args: string[], env?: NodeJS.ProcessEnv) => never }).execve;
  if (stuck > 0 && typeof execve === 'function' && process.platform !== 'win32') {
    try {
      execve('/bin/sh', ['sh', '-c', `exit ${Math.trunc(code) & 255}`], {});
    } catch {
      // execve failed (no /bin/sh): the plain exit below, which may wait for that thread.
    }
  }
  process.exit(code);
}
