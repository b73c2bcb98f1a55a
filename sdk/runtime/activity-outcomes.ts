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
import { cacheKey, processWorkflowTask, WorkflowTaskGaveWay } from './workflow-task.ts';

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
  /**
   * The run's head as last read, when no sibling outcome can have moved it since (the run had no
   * other activity pending).
   */
  head?: RunState;
  /** The eager chain of the invocation: the workflow task the outcome wakes may claim the next activities. */
  chain?: EagerChain;
  /** The attempt ran eagerly (claimed by the chain's workflow task), not from a task message. */
  eager?: boolean;
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
    if (type !== undefined && worker.workflows.has(type) && takesFastPath(worker, attemptRef, context)) {
      try {
        const result = await processWorkflowTask(deps, worker, attemptRef, {
          leading: (current, now) => planActivityOutcomes(current, items, now),
          head: chain?.headOf(attemptRef) ?? context.head,
          eager: chain,
          // A queued attempt's outcome that finds the run moved (a sibling's outcome, a signal) is
          // committed alone, and the workflow code left to the run's queued task, which takes every
          // outcome in at once: racing on costs a cold replay per lost race, and a fan-out's
          // outcomes race each other hundreds of times. An eager attempt races on: it is the run's
          // one step in flight, so another writer is rare (a signal, a timer), and giving way would
          // end the chain.
          giveWay: !context.eager,
        });
        if (chain && result.outcome === 'committed') chain.committed(result.state);
        return;
      } catch (error) {
        if (!(error instanceof WorkflowTaskGaveWay)) throw error;
      }
    }
    // Outcomes from a worker carry plain payloads: encode them for storage.
    const stored = await Promise.all(
      items.map(async (each) => ({ ...each, outcome: await worker.codec.encode(each.outcome) })),
    );
    await commitOutcomes(deps, attemptRef, stored);
  });
}

/**
 * Whether outcomes run the workflow task here (the fast path): always for an eager attempt; otherwise
 * when no other work on the run holds its turn in this process (the outcomes would wait behind it,
 * and its workflow task takes them anyway once they are committed), and this worker holds the run
 * warm or the caller knows that no other activity of the run is pending (`context.head`). A cold
 * replay of a run with siblings in flight (a fan-out) is likely undone by the next sibling's
 * outcome. Otherwise the outcomes are committed alone, and the run's queued workflow task replays
 * once for them all.
 */
function takesFastPath(worker: WorkerRegistry, ref: RunRef, context: OutcomeContext): boolean {
  if (context.eager) return true;
  const key = cacheKey(ref.namespace, ref.runId);
  if (worker.cache.busy(key)) return false;
  return context.head !== undefined || worker.cache.has(key);
}

async function commitOutcomes(deps: RuntimeDeps, ref: RunRef, items: AttemptOutcome[]): Promise<void> {
  await commitToRun(deps, ref, (state, now) => {
    const events = planActivityOutcomes(state, items, now);
    return events ? { events } : undefined;
  });
}
