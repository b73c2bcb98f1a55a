import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  deadLetterQueue,
  engineQueues,
  physicalName,
  type QueueDefinition,
  type TaskQueueQueueDefinitions,
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
async function createFailureQueue(
  sqs: SQSClient,
  prefix: string,
  definition: QueueDefinition,
): Promise<{ name: string; url: string }> {
  const name = physicalName(prefix, definition);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { MessageRetentionPeriod: String(definition.retentionSeconds) },
    }),
  );
  return { name, url: queue.QueueUrl! };
}

/**
 * Creates the engine's queues (`engineQueues`): the system queue and, per task queue, its workflow
 * and activity queues, each with a DLQ; and the router's failure destination.
 */
export async function createQueues(
  sqs: SQSClient,
  prefix: string,
  taskQueues: string[],
  functionTimeoutSeconds: number,
) {
  const definitions = engineQueues(taskQueues, functionTimeoutSeconds);
  // The local stack hosts the system function with the workers' timeout: its queue's visibility covers that.
  const system = await createQueue(sqs, prefix, {
    ...definitions.system,
    visibilityTimeoutSeconds: functionTimeoutSeconds * 6,
  });
  const perTaskQueue = await Promise.all(
    definitions.perTaskQueue.map((queues) => createTaskQueueQueues(sqs, prefix, queues)),
  );
  const routerFailures = await createFailureQueue(sqs, prefix, definitions.routerFailures);
  return { system, perTaskQueue, routerFailures };
}

/** The queues of one task queue (`taskQueueQueues`): its workflow (FIFO) and activity queues, each with a DLQ. */
export async function createTaskQueueQueues(
  sqs: SQSClient,
  prefix: string,
  definitions: TaskQueueQueueDefinitions,
): Promise<TaskQueueQueues> {
  return {
    taskQueue: definitions.taskQueue,
    workflow: await createQueue(sqs, prefix, definitions.workflow),
    activity: await createQueue(sqs, prefix, definitions.activity),
  };
}

/** The SQS queues that feed one task queue's worker function. */
export interface TaskQueueQueues {
  taskQueue: string;
  workflow: LocalQueue;
  activity: LocalQueue;
}
