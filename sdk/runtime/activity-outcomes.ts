import type { RunRef } from '../backend/ports.ts';
import {
  type ActivityOutcome,
  type AttemptOutcome,
  planActivityOutcomes,
} from '../engine/activity-outcome.ts';
import type { RunState } from '../engine/run-state.ts';
import { commitToRun } from './commit.ts';
import type { RuntimeDeps } from './deps.ts';
import type { EagerChain } from './eager-chain.ts';
import type { ActivityAttemptRef } from './task-token.ts';
import type { WorkerRegistry } from './worker-registry.ts';
import { processWorkflowTask } from './workflow-task.ts';

interface PendingOutcome extends AttemptOutcome {
  settle: (error?: unknown) => void;
}

/**
 * A worker's outcomes waiting to be committed, per run: outcomes of one run that finish while a
 * commit for that run is in flight join the next one, so a fan-out of many activities does not
 * turn into as many writers racing for the run's head.
 */
export class OutcomeCoalescer {
  private readonly byRun = new Map<string, PendingOutcome[]>();

  /** Queues an outcome; the returned promise settles when the commit that carries it does. */
  add(ref: RunRef, item: AttemptOutcome, drain: (items: AttemptOutcome[]) => Promise<void>): Promise<void> {
    const key = `${ref.namespace}/${ref.runId}`;
    return new Promise<void>((resolve, reject) => {
      const pending: PendingOutcome = {
        ...item,
        settle: (error) => (error === undefined ? resolve() : reject(error)),
      };
      const queue = this.byRun.get(key);
      if (queue) {
        queue.push(pending);
        return;
      }
      const fresh = [pending];
      this.byRun.set(key, fresh);
      void this.drain(key, fresh, drain);
    });
  }

  private async drain(
    key: string,
    queue: PendingOutcome[],
    drain: (items: AttemptOutcome[]) => Promise<void>,
  ) {
    while (queue.length) {
      const items = queue.splice(0);
      try {
        await drain(items);
        for (const item of items) item.settle();
      } catch (error) {
        for (const item of items) item.settle(error);
      }
    }
    this.byRun.delete(key);
  }
}

/** What the committer of an outcome already knows, to save reads and continue an eager chain. */
export interface OutcomeContext {
  /** The run's workflow type (it never changes). */
  workflowType?: string;
  /** The run's head as last read, when no sibling outcome can have moved it since. */
  head?: RunState;
  /** The eager chain the attempt belongs to: the workflow task it wakes may claim the next activities. */
  chain?: EagerChain;
}

/**
 * Commits an attempt's outcome. When the outcomes wake the workflow and this worker hosts its
 * code, the next workflow task runs right here and everything goes into one write (the fast path);
 * otherwise the router dispatches the workflow task from the stream. Without a worker (async
 * completions over the API, engine timeouts) the outcome's payloads are already stored ones.
 */
export function commitActivityOutcome(
  deps: RuntimeDeps,
  worker: WorkerRegistry | undefined,
  attemptRef: ActivityAttemptRef,
  outcome: ActivityOutcome,
  attemptStartTime?: number,
  context: OutcomeContext = {},
): Promise<void> {
  const { chain } = context;
  const item: AttemptOutcome = {
    scheduledEventId: attemptRef.scheduledEventId,
    attempt: attemptRef.attempt,
    outcome,
    attemptStartTime,
  };
  if (!worker) return commitOutcomes(deps, attemptRef, [item]);
  return worker.outcomes.add(attemptRef, item, async (items) => {
    const type =
      context.workflowType ?? (await deps.store.getRun(attemptRef.namespace, attemptRef.runId))?.workflowType;
    if (type !== undefined && worker.workflows.has(type)) {
      const result = await processWorkflowTask(deps, worker, attemptRef, {
        leading: (current, now) => planActivityOutcomes(current, items, now),
        head: chain?.headOf(attemptRef) ?? context.head,
        eager: chain,
      });
      if (chain && result.outcome === 'committed') chain.committed(result.state);
      return;
    }
    // Outcomes from a worker carry plain payloads: encode them for storage.
    const stored = await Promise.all(
      items.map(async (each) => ({ ...each, outcome: await worker.codec.encode(each.outcome) })),
    );
    await commitOutcomes(deps, attemptRef, stored);
  });
}

async function commitOutcomes(deps: RuntimeDeps, ref: RunRef, items: AttemptOutcome[]): Promise<void> {
  await commitToRun(deps, ref, (state, now) => {
    const events = planActivityOutcomes(state, items, now);
    return events ? { events } : undefined;
  });
}
