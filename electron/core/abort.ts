// Awaiting work under an AbortSignal: the wait ends when the signal aborts, whatever the work
// does (the caller's own cleanup closes what the work holds; the work may also serve others).

/** Settles like `promise`, or rejects with `abortError()` as soon as `signal` aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, abortError: () => unknown): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined); // settles later: not an unhandled rejection
    return Promise.reject(abortError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
