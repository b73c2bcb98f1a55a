import type { Duration } from '../common/duration.ts';
import { CancelledFailure } from '../common/failures.ts';
import { currentSlot, maybeCurrentSlot, runInSlot } from './current-run.ts';

/** Options of `new CancellationScope(...)`, as in Temporal. */
export interface CancellationScopeOptions {
  /** Whether the parent's cancellation cancels the work started in this scope. @default true */
  cancellable?: boolean;
  /** @default the current scope; `null`: a root scope (the engine's own, one per run) */
  parent?: CancellationScope | null;
  /** Cancels the scope this long after `run` starts (a durable timer). @default none */
  timeout?: Duration;
}

/** A subscriber in registration order: `work` only hears an effective cancellation. */
interface Listener {
  work: boolean;
  call(reason: CancelledFailure): void;
}

/**
 * A tree of cancellable regions in workflow code. Timers, activities, children and conditions
 * started inside a scope are cancelled with it; a non-cancellable scope shields its work from
 * its parent's cancellation (cleanup after a workflow is cancelled runs in one), though its
 * `cancelRequested` still rejects, so the cleanup can tell it is wanted, as in Temporal.
 *
 * A cancellation request travels to a child scope when the parent is cancellable, or when the
 * child itself is non-cancellable (it hears the request and keeps its work running); a cancellable
 * scope below a non-cancellable one hears nothing.
 *
 * @example
 * await CancellationScope.nonCancellable(() => releaseInventory(order));
 * await CancellationScope.withTimeout('5s', () => slowActivity());
 * const scope = new CancellationScope({ timeout: '1 minute' });
 * await scope.run(() => slowActivity());
 */
export class CancellationScope {
  readonly cancellable: boolean;
  readonly parent: CancellationScope | undefined;
  readonly timeout: Duration | undefined;
  private requested = false;
  private reason: CancelledFailure | undefined;
  // One ordered list, so commands pushed on cancellation come out in the order work was started.
  private readonly listeners = new Set<Listener>();
  private requestedPromise: Promise<never> | undefined;

  constructor(options: CancellationScopeOptions = {}) {
    this.cancellable = options.cancellable ?? true;
    this.timeout = options.timeout;
    this.parent = options.parent === null ? undefined : (options.parent ?? maybeCurrentSlot()?.scope);
    const parent = this.parent;
    if (parent && (parent.cancellable || !this.cancellable)) {
      parent.subscribe({ work: false, call: (reason) => this.cancel(reason) });
    }
  }

  /** True once this cancellable scope was cancelled (work started in it now fails right away). */
  get consideredCancelled(): boolean {
    return this.requested && this.cancellable;
  }

  /**
   * Requests cancellation: rejects `cancelRequested`, and, if the scope is cancellable, cancels the
   * work started in it. Passed on to the scopes below it (see the class comment).
   */
  cancel(reason: CancelledFailure = new CancelledFailure('Cancellation scope cancelled')): void {
    if (this.requested) return;
    this.requested = true;
    this.reason = reason;
    for (const listener of [...this.listeners]) {
      if (!listener.work || this.cancellable) listener.call(reason);
    }
    this.listeners.clear();
  }

  /**
   * Calls `listener` when the work of this scope is cancelled (at once if it already is); returns
   * an unsubscribe. Never called for a non-cancellable scope.
   */
  onCancel(listener: (reason: CancelledFailure) => void): () => void {
    return this.subscribe({ work: true, call: listener });
  }

  private subscribe(listener: Listener): () => void {
    if (this.requested) {
      if (!listener.work || this.cancellable) listener.call(this.reason!);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rejects with `CancelledFailure` when cancellation of this scope is requested (cancellable or not). */
  get cancelRequested(): Promise<never> {
    if (!this.requestedPromise) {
      this.requestedPromise = new Promise<never>((_, reject) =>
        this.subscribe({ work: false, call: reject }),
      );
      this.requestedPromise.catch(() => {});
    }
    return this.requestedPromise;
  }

  /** Runs `fn` with this scope as the current one; a `timeout` starts counting here. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const { activator } = currentSlot('CancellationScope.run');
    const timeout = this.timeout;
    if (timeout === undefined) return runInSlot({ activator, scope: this }, fn);
    return runInSlot({ activator, scope: this }, async () => {
      const timer = activator.startTimer(timeout);
      timer.promise.then(
        () => this.cancel(new CancelledFailure('Cancellation scope timed out')),
        () => {},
      );
      try {
        return await fn();
      } finally {
        timer.cancel();
      }
    });
  }

  /** The innermost scope of the calling workflow code. */
  static current(): CancellationScope {
    return currentSlot('CancellationScope.current').scope;
  }

  /** Runs `fn` in a new scope that is cancelled with its parent and by `scope.cancel()`. */
  static cancellable<T>(fn: () => Promise<T>): Promise<T> {
    return new CancellationScope({ cancellable: true, parent: CancellationScope.current() }).run(fn);
  }

  /** Runs `fn` in a new scope that ignores its parent's cancellation. */
  static nonCancellable<T>(fn: () => Promise<T>): Promise<T> {
    return new CancellationScope({ cancellable: false, parent: CancellationScope.current() }).run(fn);
  }

  /** Runs `fn` in a new cancellable scope that is cancelled after `timeout` (a durable timer). */
  static withTimeout<T>(timeout: Duration, fn: () => Promise<T>): Promise<T> {
    currentSlot('CancellationScope.withTimeout');
    return new CancellationScope({ cancellable: true, parent: CancellationScope.current(), timeout }).run(fn);
  }
}
