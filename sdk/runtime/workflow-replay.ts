import { DeterminismViolationError } from '../common/errors.ts';
import type { HistoryEvent } from '../engine/events.ts';
import { Replayer } from '../engine/replayer.ts';
import type { RunState } from '../engine/run-state.ts';
import { readFullHistory } from './commit.ts';
import type { RuntimeDeps } from './deps.ts';
import { runContext } from './log-context.ts';
import type { WorkerRegistry } from './worker-registry.ts';

/** The key of a run's warm replayer in a worker's cache. */
export function cacheKey(namespace: string, runId: string): string {
  return `${namespace}/${runId}`;
}

/** Returns a replayer that has applied all of `state`'s history plus `leading`: warm if cached. */
export async function loadReplayer(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  state: RunState,
  leading: HistoryEvent[],
) {
  const key = cacheKey(state.namespace, state.runId);
  const cached = worker.cache.get(key);
  if (cached && cached.lastEventId < state.nextEventId) {
    try {
      // A cache that has replayed up to the head reads nothing: the run's state says so.
      const newer =
        cached.lastEventId === state.nextEventId - 1
          ? []
          : await worker.codec.decode(
              await readFullHistory(deps, state.namespace, state.runId, cached.lastEventId + 1),
            );
      await cached.replay([...newer, ...leading]);
      return cached;
    } catch (error) {
      worker.cache.delete(key);
      if (error instanceof DeterminismViolationError) throw error;
      // Anything else (a failed read, a cached state that no longer fits) costs a full replay, which
      // is correct but slow: say so, or a cache that keeps failing is invisible.
      deps.logger('warn', 'warm replay failed; replaying the run from its start', {
        ...runContext({ workflowId: state.workflowId, runId: state.runId, taskQueue: worker.taskQueue }),
        cachedThroughEventId: cached.lastEventId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
  const history = await worker.codec.decode(await readFullHistory(deps, state.namespace, state.runId));
  const started = history[0];
  if (started?.type !== 'WorkflowExecutionStarted') {
    throw new RangeError(`History of run ${state.runId} does not begin with WorkflowExecutionStarted`);
  }
  const workflowFn = worker.workflows.get(started.workflowType);
  if (!workflowFn) throw new UnknownWorkflowTypeError(started.workflowType, worker);
  const replayer = new Replayer(started, {
    namespace: state.namespace,
    runId: state.runId,
    workflowFn,
    converter: worker.converter,
    log: (level, message, attrs, info) =>
      deps.logger(level, message, {
        ...runContext({ workflowId: info.workflowId, runId: info.runId, taskQueue: worker.taskQueue }),
        attrs,
      }),
  });
  await replayer.replay([...history, ...leading]);
  return replayer;
}

/** The worker has no workflow function of this type (yet: a deploy may add it). */
export class UnknownWorkflowTypeError extends Error {
  override readonly name = 'UnknownWorkflowTypeError';
  constructor(workflowType: string, worker: WorkerRegistry) {
    const known = [...worker.workflows.keys()].join(', ') || 'none';
    super(
      `Workflow type '${workflowType}' is not registered on task queue '${worker.taskQueue}' (registered: ${known})`,
    );
  }
}
