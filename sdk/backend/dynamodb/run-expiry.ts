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

const short = (keepUntil: Item) => ({
  FilterExpression: 'attribute_not_exists(expiresAt) OR expiresAt < :t',
  ExpressionAttributeValues: { ':t': keepUntil.expiresAt! },
});

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

/** Pages of the partition's short items, each page rewritten before the next is read. */
async function rewriteShort(
  db: MeteredDynamo,
  table: string,
  pk: string,
  target: Item,
  inTime: () => boolean,
  count: (extended: number) => void,
): Promise<{ done: boolean }> {
  let startKey: Item | undefined;
  do {
    if (!inTime()) return { done: false };
    const page = await db.query({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ...short(target),
      ExpressionAttributeValues: { ...short(target).ExpressionAttributeValues, ':pk': { S: pk } },
      // A page is up to 1 MB of items read: ~1,000 batches, rewritten in a second or two.
      ExclusiveStartKey: startKey,
      // Only the items' expiry changes, and a stale copy of an immutable item is the item.
      ConsistentRead: false,
    });
    const puts: WriteRequest[] = (page.Items ?? []).map((item) => ({
      PutRequest: { Item: { ...item, ...target } },
    }));
    const groups = Array.from({ length: Math.ceil(puts.length / BATCH_WRITE_ITEMS) }, (_, i) =>
      puts.slice(i * BATCH_WRITE_ITEMS, (i + 1) * BATCH_WRITE_ITEMS),
    );
    for (let i = 0; i < groups.length; i += PARALLEL_BATCHES) {
      const results = await Promise.all(
        groups.slice(i, i + PARALLEL_BATCHES).map((group) => writeAll(db, table, group)),
      );
      count(results.reduce((sum, written) => sum + written, 0));
      if (results.some((written, j) => written < groups[i + j]!.length)) return { done: false };
      if (!inTime()) return { done: false };
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { done: true };
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

async function updateShort(
  db: MeteredDynamo,
  table: string,
  pk: string,
  target: Item,
  inTime: () => boolean,
  count: (extended: number) => void,
): Promise<{ done: boolean }> {
  let startKey: Item | undefined;
  do {
    if (!inTime()) return { done: false };
    const page = await db.query({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ...short(target),
      ExpressionAttributeValues: { ...short(target).ExpressionAttributeValues, ':pk': { S: pk } },
      ProjectionExpression: 'pk, sk',
      ExclusiveStartKey: startKey,
    });
    await Promise.all(
      (page.Items ?? []).map(async (item) => {
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
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { done: true };
}
