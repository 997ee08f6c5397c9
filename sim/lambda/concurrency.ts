/**
 * Lambda's concurrency limits: an account-wide limit shared by every function without a reservation, and
 * per-function reserved concurrency, which both guarantees and caps a function's concurrent executions. An
 * invocation that would exceed its limit is throttled (429 `TooManyRequestsException`, with the reason Lambda
 * gives). Records every change in concurrency, so a run can be drawn as concurrency over time.
 */
import { SimError } from '../model/errors';

/** Why Lambda throttled an invocation (`TooManyRequestsException.Reason`). */
export const ThrottleReason = {
  /** The account's unreserved pool is in use. */
  account: 'ConcurrentInvocationLimitExceeded',
  /** The function's reserved concurrency is in use (or is 0). */
  reserved: 'ReservedFunctionConcurrentInvocationLimitExceeded',
} as const;
export type ThrottleReason = (typeof ThrottleReason)[keyof typeof ThrottleReason];

/**
 * A throttled invocation, as the Invoke API answers it: HTTP 429, `Rate Exceeded.`, and the reason.
 *
 * @example
 * if (error instanceof LambdaThrottleError) retryLater(error.reason);
 */
export class LambdaThrottleError extends SimError {
  constructor(
    readonly functionName: string,
    readonly reason: ThrottleReason,
  ) {
    super('TooManyRequestsException', 'Rate Exceeded.', 429);
  }
}

/** Lambda's default concurrency quota per account and region. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;
/** Reservations may not leave the unreserved pool below this ("its minimum value of [100]"). */
export const MINIMUM_UNRESERVED_CONCURRENCY = 100;

/** Concurrency after one change. */
export interface ConcurrencySample {
  time: number;
  functionName: string;
  /** The function's executions running after the change. */
  running: number;
  /** Every function's executions running after the change. */
  total: number;
}

/** One running execution's hold on its concurrency. */
export interface ConcurrencyLease {
  release(): void;
}

export interface ConcurrencyOptions {
  /** The account's limit; default {@link DEFAULT_ACCOUNT_CONCURRENCY}. */
  accountLimit?: number;
  /** Smallest unreserved pool a reservation may leave; default {@link MINIMUM_UNRESERVED_CONCURRENCY}. */
  minimumUnreserved?: number;
  now: () => number;
}

/**
 * Who may start an execution now.
 *
 * @example
 * const limits = new Concurrency({ now: Date.now });
 * limits.reserve('gate', 5);
 * const lease = limits.acquire('gate'); // throws LambdaThrottleError once 5 are running
 * lease.release();
 */
export class Concurrency {
  readonly accountLimit: number;
  readonly samples: ConcurrencySample[] = [];
  private readonly minimumUnreserved: number;
  private readonly reserved = new Map<string, number>();
  private readonly running = new Map<string, number>();
  private readonly peaks = new Map<string, number>();
  private total = 0;
  private unreservedRunning = 0;
  private peakTotal = 0;

  constructor(private readonly o: ConcurrencyOptions) {
    this.accountLimit = o.accountLimit ?? DEFAULT_ACCOUNT_CONCURRENCY;
    this.minimumUnreserved = o.minimumUnreserved ?? MINIMUM_UNRESERVED_CONCURRENCY;
    if (!Number.isInteger(this.accountLimit) || this.accountLimit < 1) {
      throw new SimError(
        'InvalidConfiguration',
        `The account concurrency must be a positive integer; got ${this.accountLimit}`,
      );
    }
  }

  /**
   * PutFunctionConcurrency (a number) or DeleteFunctionConcurrency (`undefined`). Refused, as Lambda refuses it,
   * when the other reservations and this one would leave less than the minimum unreserved.
   */
  reserve(functionName: string, reserved: number | undefined): void {
    if (reserved === undefined) {
      this.reserved.delete(functionName);
      return;
    }
    if (!Number.isInteger(reserved) || reserved < 0) {
      throw new SimError(
        'InvalidParameterValueException',
        `1 validation error detected: Value '${reserved}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0`,
      );
    }
    const others = [...this.reserved].reduce((sum, [name, n]) => (name === functionName ? sum : sum + n), 0);
    if (this.accountLimit - others - reserved < this.minimumUnreserved) {
      throw new SimError(
        'InvalidParameterValueException',
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${this.minimumUnreserved}].`,
      );
    }
    this.reserved.set(functionName, reserved);
  }

  /** The function's reserved concurrency, if it has one. */
  reservation(functionName: string): number | undefined {
    return this.reserved.get(functionName);
  }

  /**
   * Counts one more execution of the function, or throws {@link LambdaThrottleError}. The lease ends it; ending
   * a lease twice counts once. Which pool it came from is fixed at the start, so a reservation changed
   * meanwhile does not unbalance the counts.
   */
  acquire(functionName: string): ConcurrencyLease {
    const reserved = this.reserved.get(functionName);
    const running = this.running.get(functionName) ?? 0;
    if (reserved !== undefined) {
      if (running >= reserved) throw new LambdaThrottleError(functionName, ThrottleReason.reserved);
    } else {
      const pool = this.accountLimit - [...this.reserved.values()].reduce((a, b) => a + b, 0);
      if (this.unreservedRunning >= pool) throw new LambdaThrottleError(functionName, ThrottleReason.account);
      this.unreservedRunning++;
    }
    const unreserved = reserved === undefined;
    this.running.set(functionName, running + 1);
    this.total++;
    this.peaks.set(functionName, Math.max(this.peaks.get(functionName) ?? 0, running + 1));
    this.peakTotal = Math.max(this.peakTotal, this.total);
    this.sample(functionName);
    let ended = false;
    return {
      release: () => {
        if (ended) return;
        ended = true;
        this.running.set(functionName, (this.running.get(functionName) ?? 1) - 1);
        this.total--;
        if (unreserved) this.unreservedRunning--;
        this.sample(functionName);
      },
    };
  }

  /** Executions running now (of one function, or all). */
  current(functionName?: string): number {
    return functionName === undefined ? this.total : (this.running.get(functionName) ?? 0);
  }

  /** The most executions that ran at once (of one function, or all). */
  peak(functionName?: string): number {
    return functionName === undefined ? this.peakTotal : (this.peaks.get(functionName) ?? 0);
  }

  private sample(functionName: string): void {
    this.samples.push({
      time: this.o.now(),
      functionName,
      running: this.running.get(functionName) ?? 0,
      total: this.total,
    });
  }
}
