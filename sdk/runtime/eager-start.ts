import type { RunRef } from '../backend/ports.ts';
import type { RuntimeDeps } from './deps.ts';

/**
 * Eager start: hands a new run's first workflow task to its worker at once, while the caller waits
 * (Temporal's `requestEagerStart`; update-with-start does the same for its update), instead of
 * after the stream and queue hop. The task's own message is only a backstop (see
 * `EAGER_WORKFLOW_TASK_BACKSTOP_MS`), so when the worker cannot be reached the task is queued now.
 * Answers whether the worker ran the task in this call.
 */
export async function runFirstWorkflowTaskNow(
  deps: RuntimeDeps,
  taskQueue: string,
  ref: RunRef,
): Promise<boolean> {
  try {
    const response = await deps.invoker.invoke(taskQueue, { kind: 'workflowTask', ref });
    if (response.kind === 'workflowTask' && response.outcome !== 'noop') return true;
  } catch (error) {
    deps.logger('warn', 'worker not reached for an eager workflow task; it goes through the task queue', {
      workflowId: ref.workflowId,
      runId: ref.runId,
      taskQueue,
      message: (error as Error).message,
    });
  }
  const state = await deps.store.getRun(ref.namespace, ref.runId);
  if (state?.workflowTask) {
    const { scheduledEventId } = state.workflowTask;
    await deps.dispatch.dispatch([{ task: { kind: 'workflow', ref, taskQueue, scheduledEventId } }]);
  }
  return false;
}
