import { ConditionalCheckFailedException, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { RunRef } from '../ports.ts';
import { ttlValue } from './batch-writer.ts';
import { chunkPk, claimKey, historyPk, visibilityKey } from './keys.ts';
import type { Item, MeteredDynamo } from './metered-client.ts';

/** BatchWriteItem takes at most 25 puts. */
const BATCH_WRITE_ITEMS = 25;
/** BatchWriteItem requests in flight at once. */
const PARALLEL_BATCHES = 4;
/** Attempts at the items DynamoDB leaves unprocessed (throttling) before the pass stops for a continuation. */
const UNPROCESSED_ATTEMPTS = 5;

export interface ExpiryTables {
  history: string;
  executions: string;
}

/** What an expiry pass did, and whether it covered everything or ran out of time. */
export interface ExpiryProgress {
  done: boolean;
  /** Items whose expiry it moved. */
  extended: number;
}

/**
 * The partition's items that would expire before `target`, a query page (up to 1 MB read) at a
 * time, while `inTime` says so; returns false when it stopped early.
 */
async function forShortPages(
  db: MeteredDynamo,
  query: { table: string; pk: string; target: Item; projection?: string; consistent: boolean },
  inTime: () => boolean,
  each: (items: Item[]) => Promise<boolean>,
): Promise<boolean> {
  let startKey: Item | undefined;
  do {
    if (!inTime()) return false;
    const page = await db.query({
      TableName: query.table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'attribute_not_exists(expiresAt) OR expiresAt < :t',
      ExpressionAttributeValues: { ':pk': { S: query.pk }, ':t': query.target.expiresAt! },
      ProjectionExpression: query.projection,
      ExclusiveStartKey: startKey,
      ConsistentRead: query.consistent,
    });
    if (!(await each(page.Items ?? []))) return false;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return true;
}

/**
 * Moves the expiry of every item of a run that would expire before `keepUntil` (epoch ms) to
 * `keepUntil`, in bounded pieces (DESIGN.md "Data and limits"; `retention.ts` says when this is
 * needed at all). Expiries only ever grow. It stops at `stopBy` (epoch ms, wall clock) with
 * `done: false`; a later call resumes where it stopped, because it looks only for items still short.
 *
 * History batches and their chunks never change once written, so they are rewritten whole with
 * the new expiry, 25 to a BatchWriteItem (a MODIFY on the stream, which the router ignores). Run
 * records change in place (heartbeats), so they are updated one by one, and only while they exist.
 * The workflow-id claim is extended only while it still names this run.
 */
export async function extendRunExpiry(
  db: MeteredDynamo,
  tables: ExpiryTables,
  ref: RunRef,
  keepUntil: number,
  stopBy: number,
): Promise<ExpiryProgress> {
  const target = ttlValue(keepUntil);
  let extended = 0;
  // A call goes on until it has extended something, so calls that always start late still progress.
  const inTime = () => extended === 0 || Date.now() < stopBy;
  for (const pk of [historyPk(ref.namespace, ref.runId), chunkPk(ref.namespace, ref.runId)]) {
    const progress = await rewriteShort(db, tables.history, pk, target, inTime, (n) => (extended += n));
    if (!progress.done) return { done: false, extended };
  }
  const recordsPk = visibilityKey(ref.namespace, ref.runId).pk.S!;
  const records = await updateShort(db, tables.executions, recordsPk, target, inTime, (n) => (extended += n));
  if (!records.done || !inTime()) return { done: false, extended };
  try {
    await db.updateItem({
      TableName: tables.executions,
      Key: claimKey(ref.namespace, ref.workflowId),
      UpdateExpression: 'SET expiresAt = :t',
      ConditionExpression: 'runId = :run AND (attribute_not_exists(expiresAt) OR expiresAt < :t)',
      ExpressionAttributeValues: { ':t': target.expiresAt!, ':run': { S: ref.runId } },
    });
    extended++;
  } catch (error) {
    // Another run holds the workflow id now, or the claim already lives long enough.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return { done: true, extended };
}

/** Rewrites the partition's short items whole with `target`, a page at a time. */
async function rewriteShort(
  db: MeteredDynamo,
  table: string,
  pk: string,
  target: Item,
  inTime: () => boolean,
  count: (extended: number) => void,
): Promise<{ done: boolean }> {
  // Only the items' expiry changes, and a stale copy of an immutable item is the item.
  const query = { table, pk, target, consistent: false };
  const done = await forShortPages(db, query, inTime, async (items) => {
    const puts: WriteRequest[] = items.map((item) => ({ PutRequest: { Item: { ...item, ...target } } }));
    const groups = Array.from({ length: Math.ceil(puts.length / BATCH_WRITE_ITEMS) }, (_, i) =>
      puts.slice(i * BATCH_WRITE_ITEMS, (i + 1) * BATCH_WRITE_ITEMS),
    );
    for (let i = 0; i < groups.length; i += PARALLEL_BATCHES) {
      const results = await Promise.all(
        groups.slice(i, i + PARALLEL_BATCHES).map((group) => writeAll(db, table, group)),
      );
      count(results.reduce((sum, written) => sum + written, 0));
      if (results.some((written, j) => written < groups[i + j]!.length)) return false;
      if (!inTime()) return false;
    }
    return true;
  });
  return { done };
}

/** Writes a group, retrying what DynamoDB leaves unprocessed a few times; returns how many it wrote. */
async function writeAll(db: MeteredDynamo, table: string, group: WriteRequest[]): Promise<number> {
  let pending = group;
  for (let attempt = 0; attempt < UNPROCESSED_ATTEMPTS && pending.length > 0; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    pending = await db.batchWrite(table, pending);
  }
  return group.length - pending.length;
}

/** Updates the expiry of the partition's short items in place, one request each. */
async function updateShort(
  db: MeteredDynamo,
  table: string,
  pk: string,
  target: Item,
  inTime: () => boolean,
  count: (extended: number) => void,
): Promise<{ done: boolean }> {
  const query = { table, pk, target, projection: 'pk, sk', consistent: true };
  const done = await forShortPages(db, query, inTime, async (items) => {
    await Promise.all(
      items.map(async (item) => {
        try {
          await db.updateItem({
            TableName: table,
            Key: { pk: item.pk!, sk: item.sk! },
            UpdateExpression: 'SET expiresAt = :t',
            // Never recreate a record deleted meanwhile (a cleared workflow-task failure).
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(expiresAt) OR expiresAt < :t)',
            ExpressionAttributeValues: { ':t': target.expiresAt! },
          });
          count(1);
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    );
    return true;
  });
  return { done };
}
