import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { InvalidArgumentError } from '../../common/errors.ts';
import { deadLetterQueue, engineQueues, physicalName, type QueueDefinition } from '../definitions.ts';
import type { DeadLetterQueues, ParkedMessage, ParkingQueue, StreamFailureRecord } from '../ports.ts';
import { parseTaskMessage } from './task-message.ts';

export interface SqsDeadLetterQueuesOptions {
  sqs: SQSClient;
  /** A queue's URL by name (`SqsTaskDispatch.queueUrl`, which caches them). */
  queueUrl: (name: string) => Promise<string>;
  /** Name prefix of the stack's queues. */
  prefix: string;
  /** The task queues that have a worker (each has a workflow and an activity DLQ). */
  taskQueues: readonly string[];
  /** Reads a router failure message's body (`readStreamFailure`, sdk/backend/dynamodb/stream-range.ts). */
  readStreamFailure: (body: string) => Promise<StreamFailureRecord>;
}

/** The task a DLQ message carries; a malformed one (never sent by Cairn) carries none. */
function taskOf(body: string) {
  try {
    return parseTaskMessage(body);
  } catch {
    return undefined;
  }
}

/** SQS answers at most 10 messages per receive, and takes at most 10 entries per batch call. */
const SQS_BATCH = 10;

/**
 * The engine's parking queues over SQS. A redrive moves one message at a time (send to the source
 * queue, then delete): SQS's `StartMessageMoveTask` moves a whole DLQ, unfiltered, and the SQS
 * emulator of the local stack lacks it; a crash between send and delete leaves a duplicate, which
 * every consumer tolerates (idempotent on run and event id).
 */
export class SqsDeadLetterQueues implements DeadLetterQueues {
  private readonly parking: ParkingQueue[];

  constructor(private readonly options: SqsDeadLetterQueuesOptions) {
    const { prefix } = options;
    const dlqOf = (source: QueueDefinition): ParkingQueue => {
      const dlq = deadLetterQueue(source);
      return { id: dlq.id, name: physicalName(prefix, dlq), sourceId: source.id };
    };
    // Only ids and names matter here, and they do not depend on the functions' timeout.
    const queues = engineQueues(options.taskQueues, 0);
    this.parking = [
      dlqOf(queues.system),
      ...queues.perTaskQueue.flatMap(({ workflow, activity }) => [dlqOf(workflow), dlqOf(activity)]),
      { id: queues.routerFailures.id, name: physicalName(prefix, queues.routerFailures) },
    ];
  }

  queues(): ParkingQueue[] {
    return this.parking;
  }

  private url(name: string): Promise<string> {
    return this.options.queueUrl(name);
  }

  /** The physical name of a source queue, by id (FIFO queues end in `.fifo`). */
  private sourceName(queue: ParkingQueue): string {
    if (!queue.sourceId)
      throw new InvalidArgumentError(`Queue '${queue.id}' has no source queue to return to`);
    return queue.name.endsWith('.fifo')
      ? physicalName(this.options.prefix, { id: queue.sourceId, fifo: true })
      : physicalName(this.options.prefix, { id: queue.sourceId });
  }

  async receive(queue: ParkingQueue, max: number, holdSeconds: number): Promise<ParkedMessage[]> {
    const url = await this.url(queue.name);
    const out = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(max, SQS_BATCH),
        VisibilityTimeout: holdSeconds,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return (out.Messages ?? []).map((message) => {
      const attributes = message.Attributes ?? {};
      return {
        queue,
        messageId: message.MessageId!,
        body: message.Body ?? '',
        receiveCount: Number(attributes.ApproximateReceiveCount ?? 1),
        sentTime: Number(attributes.SentTimestamp ?? 0),
        groupId: attributes.MessageGroupId,
        deduplicationId: attributes.MessageDeduplicationId,
        receiptHandle: message.ReceiptHandle!,
        item: queue.sourceId ? taskOf(message.Body ?? '') : undefined,
      };
    });
  }

  async release(messages: readonly ParkedMessage[]): Promise<void> {
    const byQueue = new Map<string, ParkedMessage[]>();
    for (const message of messages)
      byQueue.set(message.queue.name, [...(byQueue.get(message.queue.name) ?? []), message]);
    for (const [name, list] of byQueue) {
      const url = await this.url(name);
      for (let i = 0; i < list.length; i += SQS_BATCH) {
        await this.options.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: url,
            Entries: list.slice(i, i + SQS_BATCH).map((message, j) => ({
              Id: String(j),
              ReceiptHandle: message.receiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        );
      }
    }
  }

  async returnToSource(message: ParkedMessage): Promise<void> {
    const source = await this.url(this.sourceName(message.queue));
    await this.options.sqs.send(
      new SendMessageCommand({
        QueueUrl: source,
        MessageBody: message.body,
        MessageGroupId: message.groupId,
        // A FIFO queue drops a repeated deduplication id for five minutes: a redrive is a new send.
        MessageDeduplicationId: message.groupId
          ? `redrive:${Date.now().toString(36)}:${message.deduplicationId ?? message.messageId}`.slice(0, 128)
          : undefined,
      }),
    );
    await this.remove(message);
  }

  async remove(message: ParkedMessage): Promise<void> {
    await this.options.sqs.send(
      new DeleteMessageCommand({
        QueueUrl: await this.url(message.queue.name),
        ReceiptHandle: message.receiptHandle,
      }),
    );
  }

  readStreamFailure(message: ParkedMessage): Promise<StreamFailureRecord> {
    return this.options.readStreamFailure(message.body);
  }
}
