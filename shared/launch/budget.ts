/**
 * The time an invocation may still use, measured against `context.getRemainingTimeInMillis()` at its start
 * (the way middy's `timeoutEarlyInMillis` does) with an injected clock, so tests need no real waiting.
 */
export interface Budget {
  /** Milliseconds left before the reserve; never negative. */
  remainingMs(): number;
  /** An AbortSignal that fires when the budget runs out (combined with `parent` when given). */
  signal(): AbortSignal;
}

/**
 * @param remainingAtStartMs - `context.getRemainingTimeInMillis()` when the invocation began.
 * @param reserveMs - kept back for the last calls (complete, hand over) and the runtime's own work.
 */
export function createBudget(options: {
  remainingAtStartMs: number;
  reserveMs: number;
  now: () => number;
  parent?: AbortSignal;
}): Budget {
  const endAt = options.now() + options.remainingAtStartMs - options.reserveMs;
  const remainingMs = () => Math.max(0, endAt - options.now());
  return {
    remainingMs,
    signal() {
      const own = AbortSignal.timeout(Math.max(1, remainingMs()));
      return options.parent ? AbortSignal.any([own, options.parent]) : own;
    },
  };
}

/** A sleep that ends early (resolving, not rejecting) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
