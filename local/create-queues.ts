import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  activityQueue,
  deadLetterQueue,
  physicalName,
  type QueueDefinition,
  ROUTER_FAILURE_QUEUE,
  SYSTEM_QUEUE,
  workflowQueue,
} from '../sdk/backend/definitions.ts';

export interface LocalQueue {
  definition: QueueDefinition;
  name: string;
  url: string;
  arn: string;
  dlqUrl: string;
}

async function createQueue(sqs: SQSClient, prefix: string, definition: QueueDefinition): Promise<LocalQueue> {
  const dlqDefinition = deadLetterQueue(definition);
  const fifo = (d: QueueDefinition): Record<string, string> => (d.fifo ? { FifoQueue: 'true' } : {});
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: physicalName(prefix, dlqDefinition),
      Attributes: { ...fifo(dlqDefinition), MessageRetentionPeriod: String(dlqDefinition.retentionSeconds) },
    }),
  );
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const name = physicalName(prefix, definition);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        ...fifo(definition),
        VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(definition.retentionSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: definition.maxReceiveCount,
        }),
      },
    }),
  );
  const arn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  return { definition, name, url: queue.QueueUrl!, arn: arn ?? name, dlqUrl: dlq.QueueUrl! };
}

/** The router's failure destination (no DLQ behind it: it is one). */
async function createFailureQueue(sqs: SQSClient, prefix: string): Promise<{ name: string; url: string }> {
  const name = physicalName(prefix, ROUTER_FAILURE_QUEUE);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { MessageRetentionPeriod: String(ROUTER_FAILURE_QUEUE.retentionSeconds) },
    }),
  );
  return { name, url: queue.QueueUrl! };
}

/**
 * Creates the system queue and, per task queue, its workflow and activity queues, each with a DLQ;
 * and the router's failure destination.
 */
export async function createQueues(
  sqs: SQSClient,
  prefix: string,
  taskQueues: string[],
  functionTimeoutSeconds: number,
) {
  const system = await createQueue(sqs, prefix, {
    ...SYSTEM_QUEUE,
    visibilityTimeoutSeconds: functionTimeoutSeconds * 6,
  });
  const perTaskQueue = await Promise.all(
    taskQueues.map((taskQueue) => createTaskQueueQueues(sqs, prefix, taskQueue, functionTimeoutSeconds)),
  );
  const routerFailures = await createFailureQueue(sqs, prefix);
  return { system, perTaskQueue, routerFailures };
}

/** The queues of one task queue: its workflow (FIFO) and activity queues, each with a DLQ. */
export async function createTaskQueueQueues(
  sqs: SQSClient,
  prefix: string,
  taskQueue: string,
  functionTimeoutSeconds: number,
): Promise<TaskQueueQueues> {
  return {
    taskQueue,
    workflow: await createQueue(sqs, prefix, workflowQueue(taskQueue, functionTimeoutSeconds)),
    activity: await createQueue(sqs, prefix, activityQueue(taskQueue, functionTimeoutSeconds)),
  };
}

/** The SQS queues that feed one task queue's worker function. */
export interface TaskQueueQueues {
  taskQueue: string;
  workflow: LocalQueue;
  activity: LocalQueue;
}
