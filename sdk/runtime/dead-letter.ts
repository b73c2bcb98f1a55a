import type { DispatchItem } from '../backend/ports.ts';
import { toFailureInfo } from '../common/failures.ts';
import { defaultPayloadConverter } from '../common/json-payload-converter.ts';
import type { RuntimeDeps } from './deps.ts';

/**
 * Records on the run that one of its tasks is being dead-lettered, so `describe` shows why the run
 * stopped moving (the message itself waits in the DLQ for an operator to redrive it).
 */
export async function recordDeadLetter(deps: RuntimeDeps, item: DispatchItem, error: unknown): Promise<void> {
  const { ref } = item.task;
  const state = await deps.store.getRun(ref.namespace, ref.runId);
  if (!state) return;
  const failure = toFailureInfo(error, defaultPayloadConverter);
  failure.message = `${item.task.kind} task moved to the dead-letter queue after repeated failures: ${failure.message}`;
  await deps.store.setWorkflowTaskFailure(ref.namespace, ref.runId, {
    attempt: 0,
    time: deps.clock.now(),
    eventId: 'scheduledEventId' in item.task ? item.task.scheduledEventId : state.nextEventId - 1,
    cause: 'DeadLettered',
    failure,
  });
  deps.logger('error', 'task dead-lettered', {
    kind: item.task.kind,
    runId: ref.runId,
    message: failure.message,
  });
}
