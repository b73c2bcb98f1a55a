import { IllegalWorkflowOperationError } from '../common/errors.ts';
import { CancelledFailure } from '../common/failures.ts';
import type { CancellationScope } from './cancellation-scope.ts';

/** How many condition re-checks one activation may take before it is declared stuck. */
const MAX_CONDITION_ROUNDS = 10_000;

/** What the conditions need of the run's activator. */
export interface ConditionHost {
  /** Runs `fn` as workflow code of this run, in the given scope. */
  inWorkflow<T>(fn: () => T, scope: CancellationScope): T;
  /** Maps what workflow code threw to a close command or a failed workflow task. */
  failFromCode(error: unknown): void;
}

/**
 * The `condition(fn)` waits of one run. They are not history events: each is re-checked once
 * workflow code has run to a standstill, and a condition that turns true may unblock code that
 * turns another true, so the checks repeat until a round fires none.
 */
export class Conditions {
  private seq = 0;
  private readonly waiting = new Map<
    number,
    { fn: () => boolean; resolve: () => void; scope: CancellationScope }
  >();

  constructor(private readonly host: ConditionHost) {}

  /** Resolves when `fn()` turns true; re-checked after every activation step. */
  wait(fn: () => boolean, scope: CancellationScope): Promise<void> {
    const seq = ++this.seq;
    return new Promise<void>((resolve, reject) => {
      if (scope.consideredCancelled) {
        reject(new CancelledFailure('Condition cancelled'));
        return;
      }
      const unsubscribe = scope.onCancel((reason) => {
        if (this.waiting.delete(seq)) reject(reason);
      });
      // Met, the condition leaves its scope (a long-lived scope must not keep a listener per wait).
      const met = () => {
        unsubscribe();
        resolve();
      };
      this.waiting.set(seq, { fn, resolve: met, scope });
    });
  }

  /** Runs microtasks to a standstill, re-checking conditions until none turns true. */
  async settle(): Promise<void> {
    for (let round = 0; round < MAX_CONDITION_ROUNDS; round++) {
      // A macrotask boundary: every microtask queued by workflow code has run once we get here.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!this.checkAll()) return;
    }
    throw new IllegalWorkflowOperationError(
      'Workflow conditions kept changing without end within one workflow task',
    );
  }

  /** Resolves every condition that is now true; returns whether any was. */
  private checkAll(): boolean {
    let fired = false;
    for (const [seq, condition] of this.waiting) {
      let ready = false;
      try {
        ready = this.host.inWorkflow(condition.fn, condition.scope);
      } catch (error) {
        this.waiting.delete(seq);
        this.host.failFromCode(error);
        continue;
      }
      if (ready) {
        this.waiting.delete(seq);
        condition.resolve();
        fired = true;
      }
    }
    return fired;
  }
}
