import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
import { type DrainResult, DueIndex } from './due-index.ts';
import { encodeTaskMessage } from './task-message.ts';

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

const SQS_BATCH = 10;
/** The sweeper runs every minute (the Engine's schedule). */
const SWEEP_INTERVAL_SECONDS = 60;

/** SQS's answer for a queue that does not exist (by its query-protocol code, or the JSON one). */
function isQueueMissing(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue';
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
  private readonly dueIndex: DueIndex;
  /** Requests made, for benchmarks. */
  readonly requests = { sendBatches: 0, messages: 0, dueIndexWrites: 0 };

  constructor(private readonly options: SqsTaskDispatchOptions) {
    this.now = options.now ?? Date.now;
    this.dueIndex = new DueIndex(options.dynamodb, options.executionsTable);
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

  /** Stores a far-future task in the due-time index. */
  private async park(item: DispatchItem): Promise<void> {
    this.requests.dueIndexWrites++;
    await this.dueIndex.park(item);
  }

  /**
   * Hands every parked task due within SQS's delay horizon (less one sweep interval, so each is
   * forwarded by a sweep at least a minute before it is due) to its queue, then removes it from the
   * index. The index is read by due time, not from a cursor: whatever a missed, failed, crashed or
   * concurrent sweep left, and whatever was parked late, the next sweep finds. Stops early, the rest
   * left for the next sweep, once the wall clock passes `stopBy` (epoch ms).
   */
  async sweepDue(options: { stopBy?: number } = {}): Promise<DrainResult> {
    const dueBy = this.now() + (MAX_SQS_DELAY_SECONDS - SWEEP_INTERVAL_SECONDS) * 1000;
    return this.dueIndex.drain(
      dueBy,
      (items) =>
        this.dispatch(items.map((item) => ({ ...item, dueTime: Math.max(item.dueTime ?? 0, this.now()) }))),
      options.stopBy,
    );
  }
}
