import { randomInt } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { HistoryConflictError } from '../../common/errors.ts';
import { chunkCount, type Image } from './batch-codec.ts';
import { CHUNK_SLOTS, chunkPkOf, chunkSlotBase } from './keys.ts';
import type { Item, MeteredDynamo } from './metered-client.ts';

/**
 * Overflow chunks of large batches (DESIGN.md, "Data and limits"): written before their head, under
 * `${ns}#${runId}#chunk`, and trusted only when a committed head names them (slot and count).
 */

/** Slots a large batch tries before its writer gives up (slots are taken only by orphans and racers). */
const SLOT_ATTEMPTS = 5;

const chunkPartition = (head: Image) => chunkPkOf(head.pk?.S ?? '');

function sortKeys(head: Image, slot: number, count: number): number[] {
  const base = chunkSlotBase(Number(head.sk?.N), slot);
  return Array.from({ length: count }, (_, i) => base + i);
}

async function deleteChunks(db: MeteredDynamo, table: string, pk: string, keys: number[]): Promise<void> {
  await Promise.allSettled(
    keys.map((sk) => db.deleteItem({ TableName: table, Key: { pk: { S: pk }, sk: { N: String(sk) } } })),
  );
}

/**
 * Writes a batch's chunks into a free slot of its chunk keys and records the slot on the head. Each
 * put is conditional, so a losing racer for the same event id never overwrites a committed batch's
 * chunks; a slot already used (by a racer or an orphan) is abandoned for another. `commitId` makes
 * an SDK retry of our own put succeed.
 */
export async function writeChunks(
  db: MeteredDynamo,
  table: string,
  head: Item,
  chunks: Uint8Array[],
): Promise<void> {
  if (chunks.length === 0) return;
  const pk = chunkPartition(head);
  const commitId = head.commitId!;
  for (let attempt = 0; attempt < SLOT_ATTEMPTS; attempt++) {
    const slot = randomInt(CHUNK_SLOTS);
    const keys = sortKeys(head, slot, chunks.length);
    const results = await Promise.allSettled(
      chunks.map((data, i) =>
        db.putItem({
          TableName: table,
          Item: {
            pk: { S: pk },
            sk: { N: String(keys[i]) },
            kind: { S: 'chunk' },
            commitId,
            // A chunk expires with the head that names it.
            ...(head.expiresAt ? { expiresAt: head.expiresAt } : {}),
            data: { B: data },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR commitId = :commitId',
          ExpressionAttributeValues: { ':commitId': commitId },
        }),
      ),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (!failed) {
      head.chunkSlot = { N: String(slot) };
      return;
    }
    if (!(failed.reason instanceof ConditionalCheckFailedException)) throw failed.reason;
    await deleteChunks(
      db,
      table,
      pk,
      keys.filter((_, i) => results[i]!.status === 'fulfilled'),
    );
  }
  throw new HistoryConflictError(
    `${head.pk?.S}: no free chunk slot for the batch at event ${head.sk?.N}; retry`,
  );
}

/** Best effort, after a head failed to commit: its chunks are invisible anyway; deleting them saves space. */
export async function discardChunks(
  db: MeteredDynamo,
  table: string,
  head: Item,
  count: number,
): Promise<void> {
  if (!head.chunkSlot?.N) return;
  await deleteChunks(db, table, chunkPartition(head), sortKeys(head, Number(head.chunkSlot.N), count));
}

/**
 * The chunks a committed head names, in order. Nothing else in the chunk partition is read. Chunks
 * never change once written, so an eventually consistent read (half the read units) is safe; only
 * if it misses some (written moments ago) do we read again, strongly consistent.
 */
export async function loadChunks(db: MeteredDynamo, table: string, head: Image): Promise<Uint8Array[]> {
  const count = chunkCount(head);
  const keys = sortKeys(head, Number(head.chunkSlot?.N), count);
  const read = (consistent: boolean) =>
    db.queryAll(
      {
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': { S: chunkPartition(head) },
          ':lo': { N: String(keys[0]) },
          ':hi': { N: String(keys[count - 1]) },
        },
        ConsistentRead: consistent,
      },
      count,
    );
  let items = await read(false);
  if (items.length !== count) items = await read(true);
  if (count === 0 || items.length !== count) {
    throw new Error(`History item ${head.pk?.S}/${head.sk?.N} names ${count} chunks; ${items.length} found`);
  }
  return items.map((item) => item.data!.B!);
}
