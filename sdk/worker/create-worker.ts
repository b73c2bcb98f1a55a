import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { WorkerRequest, WorkerResponse } from '../backend/ports.ts';
import { CairnError } from '../common/errors.ts';
import { processActivityTask } from '../runtime/activity-task.ts';
import { recordDeadLetter } from '../runtime/dead-letter.ts';
import { EagerChain } from '../runtime/eager-chain.ts';
import { firstBatchWaitMs } from '../runtime/first-batch.ts';
import { runtimeFromEnvironment } from '../runtime/from-environment.ts';
import {
  createWorkerRegistry,
  type WorkerDefinition,
  type WorkerRegistry,
} from '../runtime/worker-registry.ts';
import { handleWorkerRequest } from '../runtime/worker-requests.ts';
import { processWorkflowTask } from '../runtime/workflow-task.ts';
import { processSqsBatch } from './sqs-batch.ts';

/** What a worker function receives: SQS batches of tasks, or a direct query/update request. */
export type WorkerEvent = SQSEvent | { cairnWorkerRequest: WorkerRequest };
export type WorkerResult = SQSBatchResponse | WorkerResponse | { error: { code: string; message: string } };

/** What the worker reads of Lambda's invocation context: how long it has left. */
export type WorkerContext = Pick<Context, 'getRemainingTimeInMillis'>;

/** The Lambda handler of one task queue, as `createWorker` returns it; it knows its task queue. */
export interface WorkerHandler {
  /** Without a context (a direct call), nothing runs eagerly: the invocation's end is unknown. */
  (event: WorkerEvent, context?: WorkerContext): Promise<WorkerResult>;
  /** The task queue this handler serves (`cairn dev` hosts an entry's handler by it). */
  readonly taskQueue: string;
}

/**
 * Builds the Lambda handler of one task queue: it serves the queue's workflow tasks (FIFO, one per
 * run at a time) and activity tasks from SQS, and queries and updates by direct invoke.
 *
 * @example
 * // worker.ts, the entry the CDK Worker construct bundles
 * export const handler = createWorker({ taskQueue: 'loans', workflows, activities });
 */
export function createWorker(definition: WorkerDefinition): WorkerHandler {
  return workerHandler(createWorkerRegistry(definition));
}

/** The Lambda handler of an already built registry (a `Worker` attached to the local stack). */
export function workerHandler(registry: WorkerRegistry): WorkerHandler {
  const handler = async (event: WorkerEvent, context?: WorkerContext): Promise<WorkerResult> => {
    const { deps } = runtimeFromEnvironment();
    // Eager work must end by the invocation's end (Lambda's timeout), known from its context.
    const deadline = context ? deps.clock.now() + context.getRemainingTimeInMillis() : undefined;
    if ('cairnWorkerRequest' in event) {
      try {
        return await handleWorkerRequest(deps, registry, event.cairnWorkerRequest);
      } catch (error) {
        if (error instanceof CairnError) return { error: { code: error.code, message: error.message } };
        throw error;
      }
    }
    try {
      return await processSqsBatch(
        event,
        async ({ task }, record) => {
          // Each message anchors its own chain: it is acknowledged once the chain has settled.
          const chain = deadline !== undefined ? new EagerChain(deps, registry, deadline) : undefined;
          try {
            switch (task.kind) {
              case 'workflow':
                await processWorkflowTask(deps, registry, task.ref, {
                  eager: chain,
                  ...(task.beforeCommit && {
                    beforeCommit: {
                      redelivered: Number(record.attributes.ApproximateReceiveCount ?? 1) > 1,
                      waitMs: firstBatchWaitMs(deadline, deps.clock.now()),
                    },
                  }),
                });
                break;
              case 'activity':
                await processActivityTask(deps, registry, task, chain);
                break;
              case 'system':
                throw new TypeError('A system task reached a worker queue');
            }
          } catch (error) {
            // The message fails either way; what the chain started still ends inside the invocation.
            await chain?.settled().catch(() => undefined);
            throw error;
          }
          await chain?.settled();
        },
        deps.logger,
        (item, error) => recordDeadLetter(deps, item, error),
      );
    } finally {
      // Metrics are buffered: written (as EMF log lines) once, at the end of the invocation.
      deps.metrics.flush();
    }
  };
  return Object.assign(handler, { taskQueue: registry.taskQueue });
}
