import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { recordDeadLetter } from '../sdk/runtime/dead-letter.ts';
import { runtimeFromEnvironment } from '../sdk/runtime/from-environment.ts';
import { processSystemTask } from '../sdk/runtime/system-task.ts';
import { processSqsBatch } from '../sdk/worker/sqs-batch.ts';

/** The engine's queue: timers, timeouts, child starts, external requests, and delayed workflow tasks. */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const { deps } = runtimeFromEnvironment();
  // Metrics are buffered: written (as EMF log lines) once, at the end of the invocation.
  try {
    return await processSqsBatch(
      event,
      async ({ task }) => {
        if (task.kind === 'system') await processSystemTask(deps, task.ref, task.op);
        // A workflow task that had to wait (FIFO queues take no per-message delay) is now due.
        else await deps.dispatch.dispatch([{ task }]);
      },
      deps.logger,
      (item, error) => recordDeadLetter(deps, item, error),
    );
  } finally {
    deps.metrics.flush();
  }
}
