import { InvalidArgumentError } from '../../common/errors.ts';
import type { Item, MeteredDynamo } from './metered-client.ts';

/** Events a history page aims at, as the memory store pages them. */
export const PAGE_SIZE = 1000;

/** The history page token: the next page's first event id, always the first event of a batch. */
export function parsePageToken(pageToken: string | undefined, fromEventId: number): number {
  const start = pageToken
    ? /^[1-9]\d{0,14}$/.test(pageToken)
      ? Number(pageToken)
      : Number.NaN
    : fromEventId;
  if (!Number.isInteger(start) || start < 1) throw new InvalidArgumentError('Malformed history page token');
  return start;
}

const eventsFrom = (item: Item, start: number) =>
  Number(item.lastEventId?.N) - Math.max(start, Number(item.sk?.N)) + 1;

/**
 * The batch items of one history page from event `start`: whole batches (so no batch is read twice
 * across pages), stopping at the first batch boundary at or past {@link PAGE_SIZE} events. `more`
 * says a next page may follow. All reads are strongly consistent: a replay must see every batch up
 * to the head it read.
 */
export async function pageItems(
  db: MeteredDynamo,
  table: string,
  pk: string,
  start: number,
  startsBatch: boolean,
): Promise<{ items: Item[]; more: boolean }> {
  const items: Item[] = [];
  let count = 0;
  const take = (item: Item) => {
    items.push(item);
    count += eventsFrom(item, start);
  };
  if (!startsBatch) {
    // The batch holding `start` is the last one keyed at or before it.
    const [holder] = await db.queryAll(
      {
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND sk <= :start',
        ExpressionAttributeValues: { ':pk': { S: pk }, ':start': { N: String(start) } },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      1,
    );
    if (!holder || Number(holder.lastEventId?.N) < start) return { items: [], more: false };
    take(holder);
  }
  // Unknown, so maybe, when the holding batch alone fills the page.
  let more = count >= PAGE_SIZE;
  const from = items.length > 0 ? Number(items[0]!.sk?.N) + 1 : start;
  let startKey: Item | undefined;
  while (count < PAGE_SIZE) {
    const page = await db.query({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: { ':pk': { S: pk }, ':from': { N: String(from) } },
      ConsistentRead: true,
      // Every batch holds at least one event, so no more batches than this can be needed.
      Limit: PAGE_SIZE - count,
      ExclusiveStartKey: startKey,
    });
    const found = page.Items ?? [];
    let used = 0;
    while (used < found.length && count < PAGE_SIZE) take(found[used++]!);
    startKey = page.LastEvaluatedKey;
    more = used < found.length || Boolean(startKey);
    if (!startKey) break;
  }
  if (startsBatch && items.length > 0 && Number(items[0]!.sk?.N) !== start) {
    throw new InvalidArgumentError('Malformed history page token: it does not start a batch');
  }
  return { items, more };
}
