import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { DUE_NAMESPACES_PK, dueIndexPk } from '../dynamodb/keys.ts';
import type { DispatchItem } from '../ports.ts';
import { encodeTaskMessage, parseTaskMessage } from './task-message.ts';

/**
 * Partitions of each namespace's due-time index. Each holds its parked tasks sorted by due time, so a
 * sweep reads only what is due, in one query per partition, however long ago the last sweep ran (after an outage, or
 * a local clock advanced by a year) and however far ahead the rest waits (a mortgage's decades).
 * Eight partitions take eight times one partition's write rate for a burst of parks. Fixed: a task
 * parked under a shard the sweeper no longer reads would never fire.
 */
export const DUE_INDEX_SHARDS = 8;

/** Keys of parked items a {@link DueIndex} remembers (about 100 bytes each). */
const PARKED_KEYS_KEPT = 10_000;
/** Items read per query page: a sweep forwards and deletes a page before it reads the next. */
const PAGE_SIZE = 100;
/** Index partitions a sweep reads at once (each namespace has {@link DUE_INDEX_SHARDS}). */
const DRAIN_CONCURRENCY = 8;
/** Digits of a due time (epoch ms) in a sort key: fixed width, so text order is time order. */
const TIME_DIGITS = 15;

type Item = Record<string, AttributeValue>;

/** What one drain did. */
export interface DrainResult {
  /** Tasks handed on and removed from the index. */
  moved: number;
  /** False when the time budget ran out first: the rest waits for the next sweep. */
  complete: boolean;
  /** Tasks left in the index because they could not be handed on, with the reason (retried next sweep). */
  stuck: { key: string; error: string }[];
}

function sortKeyTime(time: number): string {
  return String(Math.max(0, Math.floor(time))).padStart(TIME_DIGITS, '0');
}

/**
 * The due-time index of waits longer than SQS can delay: per namespace, items `pk` =
 * `${namespace}#due#${shard}`, `sk` = `${dueTime}#${digest of the task}` in the executions table. The
 * key is a function of the task, so a task parked twice (a retried stream batch) is one item. A
 * namespace's first park also records its name under `due#namespaces`, where the sweeper finds the
 * indexes to read; a task is handed on only to the namespace whose index holds it.
 */
export class DueIndex {
  /**
   * Keys of the items this instance parked: parking one again would write the very same item. Many
   * runs park one shared task (the renewal sweep of a day's starts, `backend/retention.ts`), and a
   * process writes it once. An item leaves the index only when a sweep hands its task on, and a
   * task parked again after that is a duplicate of one already delivered, which every consumer
   * tolerates; so skipping it loses nothing.
   */
  private readonly parked = new Set<string>();
  /** Namespaces this process has recorded under `due#namespaces` (a name, once there, stays). */
  private readonly registered = new Set<string>();

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async park(item: DispatchItem): Promise<void> {
    const { namespace } = item.task.ref;
    const task = encodeTaskMessage(item);
    const digest = createHash('sha256').update(task).digest();
    const pk = dueIndexPk(namespace, digest[0]! % DUE_INDEX_SHARDS);
    const sk = `${sortKeyTime(item.dueTime!)}#${digest.subarray(0, 16).toString('base64url')}`;
    const key = `${pk}/${sk}`;
    if (this.parked.has(key)) return;
    // The name first: a parked task is always in an index the sweeper reads.
    await this.register(namespace);
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.table,
        Item: { pk: { S: pk }, sk: { S: sk }, task: { S: task } },
      }),
    );
    // Bounded: forgetting a key costs one more write of its item at most.
    if (this.parked.size >= PARKED_KEYS_KEPT) this.parked.clear();
    this.parked.add(key);
  }

  private async register(namespace: string): Promise<void> {
    if (this.registered.has(namespace)) return;
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.table,
        Item: { pk: { S: DUE_NAMESPACES_PK }, sk: { S: namespace } },
      }),
    );
    this.registered.add(namespace);
  }

  /** Every namespace that ever parked a task. */
  private async namespaces(): Promise<string[]> {
    const names: string[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: DUE_NAMESPACES_PK } },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) if (item.sk?.S) names.push(item.sk.S);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return names;
  }

  /**
   * Hands every task due by `dueBy` to `forward`, then removes it from the index: forward first,
   * delete after, so a crash in between forwards a task twice (consumers tolerate duplicates) and
   * never loses one. Concurrent drains may both forward a task; neither loses one. A task `forward`
   * refuses stays parked and is reported in `stuck`, without holding up the tasks behind it. Stops
   * between pages once the wall clock passes `stopBy`.
   */
  async drain(
    dueBy: number,
    forward: (items: DispatchItem[]) => Promise<void>,
    stopBy = Number.POSITIVE_INFINITY,
  ): Promise<DrainResult> {
    const result: DrainResult = { moved: 0, complete: true, stuck: [] };
    // Just below the first key of the next millisecond: every item due at or before `dueBy`.
    const upper = `${sortKeyTime(dueBy + 1)}#`;
    const partitions = (await this.namespaces()).flatMap((namespace) =>
      Array.from({ length: DUE_INDEX_SHARDS }, (_, shard) => ({
        namespace,
        pk: dueIndexPk(namespace, shard),
      })),
    );
    const drainPartition = async ({ namespace, pk }: { namespace: string; pk: string }) => {
      let startKey: Item | undefined;
      do {
        if (Date.now() >= stopBy) {
          result.complete = false;
          return;
        }
        const page = await this.dynamodb.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND sk < :upper',
            ExpressionAttributeValues: { ':pk': { S: pk }, ':upper': { S: upper } },
            ExclusiveStartKey: startKey,
            Limit: PAGE_SIZE,
            ConsistentRead: true,
          }),
        );
        const handed = await this.handOn(namespace, page.Items ?? [], forward, result);
        await Promise.all(handed.map((item) => this.remove(item)));
        result.moved += handed.length;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(DRAIN_CONCURRENCY, partitions.length) }, async () => {
        while (next < partitions.length) await drainPartition(partitions[next++]!);
      }),
    );
    return result;
  }

  /** Forwards a page's tasks; returns the items handed on (all, unless some are refused one by one). */
  private async handOn(
    namespace: string,
    items: Item[],
    forward: (items: DispatchItem[]) => Promise<void>,
    result: DrainResult,
  ): Promise<Item[]> {
    const parsed: { item: Item; task: DispatchItem }[] = [];
    for (const item of items) {
      try {
        const task = parseTaskMessage(item.task?.S ?? '');
        // Only the namespace's own writers reach its index: a task naming another is not handed on.
        if (task.task.ref.namespace !== namespace) {
          throw new Error(
            `a task of namespace '${task.task.ref.namespace}' in namespace '${namespace}'s due-time index`,
          );
        }
        parsed.push({ item, task });
      } catch (error) {
        result.stuck.push({ key: `${item.pk?.S}/${item.sk?.S}`, error: String(error) });
      }
    }
    if (parsed.length === 0) return [];
    try {
      await forward(parsed.map((p) => p.task));
      return parsed.map((p) => p.item);
    } catch {
      // One refused task must not hold up the page: hand them on one at a time, keeping the refused.
      const handed: Item[] = [];
      for (const { item, task } of parsed) {
        try {
          await forward([task]);
          handed.push(item);
        } catch (error) {
          result.stuck.push({ key: `${item.pk?.S}/${item.sk?.S}`, error: String(error) });
        }
      }
      return handed;
    }
  }

  private async remove(item: Item): Promise<void> {
    await this.dynamodb.send(
      new DeleteItemCommand({ TableName: this.table, Key: { pk: item.pk!, sk: item.sk! } }),
    );
  }
}
