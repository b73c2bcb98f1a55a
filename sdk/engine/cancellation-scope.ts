import { CancelledFailure } from '../common/failures.ts';
import { currentSlot, runInSlot } from './current-run.ts';

/**
 * A tree of cancellable regions in workflow code. Timers, activities, children and conditions
 * started inside a scope are cancelled with it; a non-cancellable scope shields its work from
 * its parent's cancellation (cleanup after a workflow is cancelled runs in one).
 *
 * @example
 * await CancellationScope.nonCancellable(() => releaseInventory(order));
 * await CancellationScope.withTimeout('5s', () => slowActivity());
 */
export class CancellationScope {
  readonly cancellable: boolean;
  readonly parent: CancellationScope | undefined;
  private cancelled = false;
  private reason: CancelledFailure | undefined;
  private readonly listeners = new Set<(reason: CancelledFailure) => void>();

  constructor(options: { cancellable: boolean; parent?: CancellationScope }) {
    this.cancellable = options.cancellable;
    this.parent = options.parent;
    if (this.parent && this.cancellable) {
      this.parent.onCancel((reason) => this.cancel(reason));
    }
  }

  /** True once this scope was cancelled (work started in it now fails right away). */
  get consideredCancelled(): boolean {
    return this.cancelled;
  }

  /** Cancels the scope and all cancellable scopes below it. */
  cancel(reason: CancelledFailure = new CancelledFailure('Cancellation scope cancelled')): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.reason = reason;
    for (const listener of [...this.listeners]) listener(reason);
    this.listeners.clear();
  }

  /** Calls `listener` when the scope is cancelled (at once if it already is); returns an unsubscribe. */
  onCancel(listener: (reason: CancelledFailure) => void): () => void {
    if (this.cancelled) {
      listener(this.reason!);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A promise that rejects with `CancelledFailure` when the scope is cancelled. */
  get cancelRequested(): Promise<never> {
    const promise = new Promise<never>((_, reject) => this.onCancel(reject));
    promise.catch(() => {});
    return promise;
  }

  /** Runs `fn` with this scope as the current one. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const { activator } = currentSlot('CancellationScope.run');
    return runInSlot({ activator, scope: this }, fn);
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
  static withTimeout<T>(timeout: number | string, fn: () => Promise<T>): Promise<T> {
    const { activator } = currentSlot('CancellationScope.withTimeout');
    const scope = new CancellationScope({ cancellable: true, parent: CancellationScope.current() });
    return scope.run(async () => {
      const timer = activator.startTimer(timeout);
      timer.promise.then(
        () => scope.cancel(new CancelledFailure('Cancellation scope timed out')),
        () => {},
      );
      try {
        return await fn();
      } finally {
        timer.cancel();
      }
    });
  }
}
