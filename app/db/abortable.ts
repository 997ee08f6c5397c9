/**
 * `work`, or a rejection with `signal`'s reason as soon as it aborts, whichever comes first: a caller bounded by
 * a deadline stops waiting then. The work itself goes on (a query already sent cannot be recalled); its late
 * result or error is dropped.
 *
 * @example
 * await abortable(sql`select 1`.execute(db), signal); // rejects with HealthCheckTimeoutError on the check's timeout
 */
export function abortable<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) {
    return work;
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) {
      onAbort();
    } else {
      signal.addEventListener('abort', onAbort, { once: true });
    }
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
