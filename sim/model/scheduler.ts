/**
 * Time for the control plane: a clock plus timers. The real one runs on wall-clock time; the manual one only
 * moves when a test advances it, so lifecycle timeouts and health-check intervals are deterministic.
 */

/** Cancels a scheduled callback; safe to call twice. */
export type Cancel = () => void;

/** Clock and timers the model uses; callbacks may be async and are awaited by {@link ManualScheduler}. */
export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` after `delayMs` of this scheduler's time. */
  schedule(delayMs: number, fn: () => void | Promise<void>): Cancel;
}

/** Wall-clock scheduler (`Date.now`, `setTimeout`); timers do not keep the process alive. */
export const realScheduler = (): Scheduler => ({
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const timer = setTimeout(
      () =>
        void Promise.resolve()
          .then(fn)
          .catch(() => undefined),
      Math.max(0, delayMs),
    );
    timer.unref();
    return () => clearTimeout(timer);
  },
});

interface Timer {
  at: number;
  seq: number;
  fn: () => void | Promise<void>;
  cancelled: boolean;
}

/**
 * A scheduler whose time moves only through {@link ManualScheduler.advance}.
 *
 * @example
 * const scheduler = new ManualScheduler(Date.parse('2026-01-01T00:00:00Z'));
 * scheduler.schedule(1000, () => console.log('fired'));
 * await scheduler.advance(1000); // fired
 */
export class ManualScheduler implements Scheduler {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, fn: () => void | Promise<void>): Cancel {
    const timer: Timer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Number of live timers (for tests that assert nothing is left scheduled). */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due in order (including timers scheduled by
   * those callbacks) and awaiting each callback before the next.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      await due.fn();
    }
    this.current = target;
  }
}
