import { AsyncLocalStorage } from 'node:async_hooks';
import { type Duration, durationToMs } from '../common/duration.ts';
import { IllegalWorkflowOperationError } from '../common/errors.ts';
import { type ActivityAttemptFacts, type ActivityInfo, completeActivityInfo } from './activity-info.ts';

export type { ActivityInfo };

/** The services a running activity gets; the runtime supplies them. */
export interface ActivityServices {
  heartbeat(details?: unknown): void;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, attrs: unknown[]): void;
}

const storage = new AsyncLocalStorage<Context>();

/**
 * The context of the running activity attempt.
 *
 * @example
 * const ctx = Context.current();
 * for (const row of rows.slice(ctx.info.heartbeatDetails ?? 0)) { await load(row); ctx.heartbeat(row.index); }
 */
export class Context {
  readonly log: {
    trace(message: string, ...attrs: unknown[]): void;
    debug(message: string, ...attrs: unknown[]): void;
    info(message: string, ...attrs: unknown[]): void;
    warn(message: string, ...attrs: unknown[]): void;
    error(message: string, ...attrs: unknown[]): void;
  };

  readonly info: ActivityInfo;

  constructor(
    info: ActivityAttemptFacts,
    /** Aborted when the activity is cancelled or its attempt timed out; `reason` says which. */
    readonly cancellationSignal: AbortSignal,
    private readonly services: ActivityServices,
  ) {
    this.info = completeActivityInfo(info);
    this.log = {
      // The engine's logs have no level below debug: trace entries are logged at debug.
      trace: (message, ...attrs) => services.log('debug', message, attrs),
      debug: (message, ...attrs) => services.log('debug', message, attrs),
      info: (message, ...attrs) => services.log('info', message, attrs),
      warn: (message, ...attrs) => services.log('warn', message, attrs),
      error: (message, ...attrs) => services.log('error', message, attrs),
    };
  }

  private cancelledPromise: Promise<never> | undefined;

  /**
   * Rejects with the cancellation's reason (a `CancelledFailure`, or a `TimeoutFailure` when the
   * attempt timed out) once `cancellationSignal` aborts, as Temporal's `Context.cancelled`.
   */
  get cancelled(): Promise<never> {
    if (!this.cancelledPromise) {
      const signal = this.cancellationSignal;
      this.cancelledPromise = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      this.cancelledPromise.catch(() => {});
    }
    return this.cancelledPromise;
  }

  /** The context of the calling activity; throws outside an activity. */
  static current(): Context {
    const context = storage.getStore();
    if (!context) {
      throw new IllegalWorkflowOperationError(
        'Context.current() can only be called from an activity run by a Cairn worker',
      );
    }
    return context;
  }

  /** Reports progress: keeps the heartbeat timeout at bay; `details` reach the next attempt. */
  heartbeat(details?: unknown): void {
    this.services.heartbeat(details);
  }

  /** Sleeps (on the worker's clock), rejecting early if the activity is cancelled. */
  sleep(duration: Duration): Promise<void> {
    return this.services.sleep(durationToMs(duration), this.cancellationSignal);
  }

  /** Runs `fn` with this context as the current one. */
  run<T>(fn: () => T): T {
    return storage.run(this, fn);
  }
}

/** Shorthand for `Context.current().info`. */
export function activityInfo(): ActivityInfo {
  return Context.current().info;
}

/** Shorthand for `Context.current().heartbeat(details)`. */
export function heartbeat(details?: unknown): void {
  Context.current().heartbeat(details);
}

/** Shorthand for `Context.current().sleep(duration)`. */
export function sleep(duration: Duration): Promise<void> {
  return Context.current().sleep(duration);
}

/** Shorthand for `Context.current().cancellationSignal`. */
export function cancellationSignal(): AbortSignal {
  return Context.current().cancellationSignal;
}

/** Replay-free logger of the current activity. */
export const log = {
  trace: (message: string, ...attrs: unknown[]) => Context.current().log.trace(message, ...attrs),
  debug: (message: string, ...attrs: unknown[]) => Context.current().log.debug(message, ...attrs),
  info: (message: string, ...attrs: unknown[]) => Context.current().log.info(message, ...attrs),
  warn: (message: string, ...attrs: unknown[]) => Context.current().log.warn(message, ...attrs),
  error: (message: string, ...attrs: unknown[]) => Context.current().log.error(message, ...attrs),
};

/**
 * Throw from an activity to finish it later from outside:
 * `client.activity.complete(activityInfo().taskToken, result)`.
 */
export class CompleteAsyncError extends Error {
  override readonly name = 'CompleteAsyncError';
  constructor() {
    super('Activity will be completed asynchronously');
  }
}
