import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { UnknownTaskQueueError } from '../../common/errors.ts';
import {
  activityQueue,
  MAX_SQS_DELAY_SECONDS,
  physicalName,
  SYSTEM_QUEUE,
  workflowQueue,
} from '../definitions.ts';
import type { DispatchItem, TaskDispatch } from '../ports.ts';
import { encodeTaskMessage, parseTaskMessage } from './task-message.ts';

export interface SqsTaskDispatchOptions {
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  /** Name prefix of the stack's queues (`${prefix}-wf-${taskQueue}.fifo`, …). */
  prefix: string;
  /** Table holding the due-time index of waits longer than SQS can delay. */
  executionsTable: string;
  now?: () => number;
}

/** Where one dispatch item goes. */
type Route = { queue: string; delaySeconds: number; group?: string; dedup?: string } | { dueIndex: true };

const MINUTE = 60_000;
const SQS_BATCH = 10;

/** SQS's answer for a queue that does not exist (by its query-protocol code, or the JSON one). */
function isQueueMissing(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue';
}

function bucketKey(minute: number): string {
  return `due#${minute}`;
}

/**
 * Task dispatch over SQS. Workflow tasks go to the task queue's FIFO queue with the run as message
 * group (one workflow task per run at a time, in order); activity tasks to its standard queue;
 * engine work to the system queue. FIFO queues take no per-message delay, so a delayed workflow
 * task rides the system queue and is forwarded when due. Anything due after SQS's 15-minute
 * maximum waits in the due-time index, which the sweeper drains every minute: a 30-day timer costs
 * one index write, one read and one message, not one message per 15 minutes.
 */
export class SqsTaskDispatch implements TaskDispatch {
  private readonly urls = new Map<string, Promise<string>>();
  private readonly now: () => number;
  /** Requests made, for benchmarks. */
  readonly requests = { sendBatches: 0, messages: 0, dueIndexWrites: 0 };

  constructor(private readonly options: SqsTaskDispatchOptions) {
    this.now = options.now ?? Date.now;
  }

  queueUrl(name: string): Promise<string> {
    let url = this.urls.get(name);
    if (!url) {
      url = this.options.sqs.send(new GetQueueUrlCommand({ QueueName: name })).then((out) => out.QueueUrl!);
      url.catch(() => this.urls.delete(name));
      this.urls.set(name, url);
    }
    return url;
  }

  private route(item: DispatchItem): Route {
    const { task } = item;
    const delayMs = Math.max(0, (item.dueTime ?? 0) - this.now());
    if (delayMs > MAX_SQS_DELAY_SECONDS * 1000) return { dueIndex: true };
    const delaySeconds = Math.ceil(delayMs / 1000);
    const system = physicalName(this.options.prefix, SYSTEM_QUEUE);
    switch (task.kind) {
      case 'workflow':
        if (delaySeconds > 0) return { queue: system, delaySeconds };
        return {
          queue: physicalName(this.options.prefix, workflowQueue(task.taskQueue, 0)),
          delaySeconds: 0,
          group: task.besideEager ? `${task.ref.runId}:${task.scheduledEventId}` : task.ref.runId,
          dedup: `${task.ref.runId}:${task.scheduledEventId}:${task.attempt ?? 1}`.slice(0, 128),
        };
      case 'activity':
        return { queue: physicalName(this.options.prefix, activityQueue(task.taskQueue, 0)), delaySeconds };
      case 'system':
        return { queue: system, delaySeconds };
    }
  }

  async dispatch(items: DispatchItem[]): Promise<void> {
    const byQueue = new Map<string, { entry: SendMessageBatchRequestEntry }[]>();
    const taskQueueOf = new Map<string, string>();
    const later: DispatchItem[] = [];
    for (const item of items) {
      const route = this.route(item);
      if ('dueIndex' in route) {
        later.push(item);
        continue;
      }
      if (item.task.kind !== 'system' && !route.queue.endsWith(SYSTEM_QUEUE.id))
        taskQueueOf.set(route.queue, item.task.taskQueue);
      const entries = byQueue.get(route.queue) ?? [];
      entries.push({
        entry: {
          Id: String(entries.length),
          MessageBody: encodeTaskMessage(item),
          DelaySeconds: route.group ? undefined : route.delaySeconds,
          MessageGroupId: route.group,
          MessageDeduplicationId: route.dedup,
        },
      });
      byQueue.set(route.queue, entries);
    }
    await Promise.all([
      ...[...byQueue].map(([queue, entries]) =>
        this.send(
          queue,
          entries.map((e) => e.entry),
        ).catch((error: unknown) => {
          // A task queue without a worker has no queue: a fact the router sets aside, not a fault to retry.
          const taskQueue = taskQueueOf.get(queue);
          if (taskQueue !== undefined && isQueueMissing(error))
            throw new UnknownTaskQueueError(taskQueue, undefined);
          throw error;
        }),
      ),
      ...later.map((item) => this.park(item)),
    ]);
  }

  private async send(queue: string, entries: SendMessageBatchRequestEntry[]): Promise<void> {
    const url = await this.queueUrl(queue);
    for (let i = 0; i < entries.length; i += SQS_BATCH) {
      const batch = entries.slice(i, i + SQS_BATCH).map((entry, j) => ({ ...entry, Id: String(j) }));
      this.requests.sendBatches++;
      this.requests.messages += batch.length;
      const out = await this.options.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: batch }));
      if (out.Failed?.length) {
        const first = out.Failed[0]!;
        throw new Error(
          `SQS refused ${out.Failed.length} message(s) for ${queue}: ${first.Code} ${first.Message ?? ''}`,
        );
      }
    }
  }

  /** Stores a far-future task in the due-time index (minute buckets). */
  private async park(item: DispatchItem): Promise<void> {
    const dueTime = item.dueTime!;
    this.requests.dueIndexWrites++;
    await this.options.dynamodb.send(
      new PutItemCommand({
        TableName: this.options.executionsTable,
        Item: {
          pk: { S: bucketKey(Math.floor(dueTime / MINUTE)) },
          sk: {
            S: `${String(dueTime).padStart(15, '0')}#${encodeTaskMessage(item).length}#${Math.random().toString(36).slice(2)}`,
          },
          task: { S: encodeTaskMessage(item) },
        },
      }),
    );
  }

  /**
   * Hands every parked task due within SQS's delay horizon to its queue, then removes it from the
   * index. Sweeps from the last swept minute (kept in a cursor item), so a missed sweep loses
   * nothing. Returns how many tasks moved.
   */
  async sweepDue(): Promise<number> {
    const { dynamodb, executionsTable } = this.options;
    const now = this.now();
    const horizon = Math.floor((now + (MAX_SQS_DELAY_SECONDS - 60) * 1000) / MINUTE);
    const cursorKey = { pk: { S: 'due#cursor' }, sk: { S: 'cursor' } };
    const cursorItem = await dynamodb.send(
      new QueryCommand({
        TableName: executionsTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': cursorKey.pk },
        ConsistentRead: true,
      }),
    );
    const from = Number(cursorItem.Items?.[0]?.minute?.N ?? Math.floor(now / MINUTE) - 60);
    let moved = 0;
    for (let minute = from; minute <= horizon; minute++) {
      let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
      do {
        const page = await dynamodb.send(
          new QueryCommand({
            TableName: executionsTable,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: bucketKey(minute) } },
            ExclusiveStartKey: startKey,
            ConsistentRead: true,
          }),
        );
        const items = page.Items ?? [];
        const tasks = items.map((item) => parseTaskMessage(item.task!.S!));
        // Forward first, delete after: a crash in between sends a duplicate, which consumers tolerate.
        await this.dispatch(
          tasks.map((task) => ({ ...task, dueTime: Math.max(task.dueTime ?? 0, this.now()) })),
        );
        await Promise.all(
          items.map((item) =>
            dynamodb.send(
              new DeleteItemCommand({ TableName: executionsTable, Key: { pk: item.pk!, sk: item.sk! } }),
            ),
          ),
        );
        moved += items.length;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    await dynamodb.send(
      new PutItemCommand({
        TableName: executionsTable,
        Item: { ...cursorKey, minute: { N: String(horizon + 1) } },
      }),
    );
    return moved;
  }
}
