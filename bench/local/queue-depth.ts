import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalStack } from '../../local/stack.ts';

/** Every queue of the stack that carries tasks: the system queue and each task queue's two. */
export function taskQueueUrls(stack: LocalStack): string[] {
  return [
    stack.queues.system.url,
    ...stack.queues.perTaskQueue.flatMap((queue) => [queue.workflow.url, queue.activity.url]),
  ];
}

/** Messages in the queues: visible plus in flight, and the delayed ones if asked. */
export async function queueDepth(sqs: SQSClient, urls: string[], includeDelayed: boolean): Promise<number> {
  const depths = await Promise.all(
    urls.map(async (url) => {
      const { Attributes: a = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      return (
        Number(a.ApproximateNumberOfMessages ?? 0) +
        Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
        (includeDelayed ? Number(a.ApproximateNumberOfMessagesDelayed ?? 0) : 0)
      );
    }),
  );
  return depths.reduce((sum, depth) => sum + depth, 0);
}
