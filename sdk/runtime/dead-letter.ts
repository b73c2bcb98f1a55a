import { COUNT_METRICS } from '../backend/metric-definitions.ts';
import type { DispatchItem } from '../backend/ports.ts';
import { UnknownTaskQueueError } from '../common/errors.ts';
import { toFailureInfo } from '../common/failures.ts';
import { defaultStoredConverter } from '../common/json-payload-converter.ts';
import type { RuntimeDeps } from './deps.ts';
import { runContext } from './log-context.ts';

/**
 * Records on the run that one of its tasks is being dead-lettered, so `describe` shows why the run
 * stopped moving (the message itself waits in the DLQ for an operator to redrive it).
 */
export async function recordDeadLetter(deps: RuntimeDeps, item: DispatchItem, error: unknown): Promise<void> {
  const { ref } = item.task;
  const state = await deps.store.getRun(ref.namespace, ref.runId);
  if (!state) return;
  const failure = toFailureInfo(error, defaultStoredConverter);
  failure.message = `${item.task.kind} task moved to the dead-letter queue after repeated failures: ${failure.message}`;
  await deps.store.setWorkflowTaskFailure(ref.namespace, ref.runId, {
    attempt: 0,
    time: deps.clock.now(),
    eventId: 'scheduledEventId' in item.task ? item.task.scheduledEventId : state.nextEventId - 1,
    cause: 'DeadLettered',
    failure,
  });
  const taskQueue = item.task.kind === 'system' ? undefined : item.task.taskQueue;
  deps.metrics.count(COUNT_METRICS.deadLetters, 1, {
    TaskQueue: taskQueue ?? 'system',
    TaskKind: item.task.kind,
  });
  deps.logger('error', 'task dead-lettered', {
    ...runContext({
      workflowId: ref.workflowId,
      runId: ref.runId,
      taskQueue,
      eventId: 'scheduledEventId' in item.task ? item.task.scheduledEventId : undefined,
    }),
    kind: item.task.kind,
    reason: failure.message,
  });
}

/**
 * Records on the run that the router set one of its tasks aside because no worker serves the task
 * queue it names: the run shows why it waits (`describe`, and a waiting `result`), and no other
 * run's records wait behind this one.
 */
export async function recordUnroutable(
  deps: Pick<RuntimeDeps, 'store' | 'clock' | 'logger' | 'knownTaskQueues'>,
  item: DispatchItem,
  error: UnknownTaskQueueError,
): Promise<void> {
  const { task } = item;
  if (task.kind === 'system') return;
  const known = error.knownTaskQueues ?? deps.knownTaskQueues;
  const reason = new UnknownTaskQueueError(task.taskQueue, known);
  const failure = toFailureInfo(reason, defaultStoredConverter);
  failure.message = `${task.kind} task (event ${task.scheduledEventId}) set aside: ${reason.message}`;
  await deps.store.setWorkflowTaskFailure(task.ref.namespace, task.ref.runId, {
    attempt: 0,
    time: deps.clock.now(),
    eventId: task.scheduledEventId,
    cause: 'UnknownTaskQueue',
    failure,
  });
  deps.logger('error', 'task set aside: no worker serves its task queue', {
    ...runContext({
      workflowId: task.ref.workflowId,
      runId: task.ref.runId,
      taskQueue: task.taskQueue,
      eventId: task.scheduledEventId,
    }),
    kind: task.kind,
  });
}
