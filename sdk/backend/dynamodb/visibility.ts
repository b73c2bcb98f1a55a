import type { QueryCommandInput, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { RunSummary, StartWindow } from '../ports.ts';
import { startSortKey, visibilityKey } from './keys.ts';
import type { Item, MeteredDynamo } from './metered-client.ts';

/**
 * Visibility: what a list shows of each run, on the executions table, listed newest first by the
 * `byStart` index. A run's start is shown by its workflow-id claim, which the start writes anyway
 * (where it fits one write unit: {@link visibilityAttributes}); a search-attribute upsert by the
 * run's visibility record, written right after the history batch commits
 * (`BatchWriter.putVisibility`); nothing on other appends, nor on a close while the claim names the
 * run (`recordChange`): the status, close time and history length of a run shown running are read
 * from its head when listed (`listRuns`). A run gets a record of its own before another run takes
 * its claim over (`RunClaims`, continue-as-new, TERMINATE_IF_RUNNING).
 */

/**
 * A visibility record whose summary is larger than this keeps its memo payloads in S3: the index
 * copies every byte (billed again), and many memo fields just under the offload threshold could
 * otherwise push the record past DynamoDB's 400 KB item limit.
 */
export const VISIBILITY_INLINE_BYTES = 8 * 1024;
/** Memo payloads above this many bytes move to S3 when a summary is over {@link VISIBILITY_INLINE_BYTES}. */
export const VISIBILITY_MEMO_OFFLOAD_BYTES = 256;

/**
 * The `byStart` index's partition key is the namespace and one of {@link VISIBILITY_SHARDS} shards
 * (a hash of the run id), so one busy tenant's starts and closes spread over as many index
 * partitions instead of one hot partition; a list merges the shards newest first. Fixed for a
 * table's life: changing it would hide the records written under the old count.
 */
export const VISIBILITY_SHARDS = 8;

/** The `byStart` partition of a run's record: `${namespace}#${shard}` (namespaces hold no `#`). */
export function visibilityPartition(namespace: string, runId: string): string {
  // FNV-1a: cheap, stable across processes and versions, and even enough over random run ids.
  let hash = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) hash = Math.imul(hash ^ runId.charCodeAt(i), 0x01000193);
  return `${namespace}#${(hash >>> 0) % VISIBILITY_SHARDS}`;
}

/**
 * What puts an item in the `byStart` index as a run's visibility: its index keys, the summary, and
 * `lastEventId` (the history the summary shows, so the newest of a run's entries wins). Two items
 * carry them: the workflow-id claim, with the run's start (written in the start's own transaction,
 * so a run is listed the moment it exists, for no write of its own, as long as the claim still fits
 * one write unit: `claimListsRun`), and the run's visibility record, written after each later
 * batch that changes what a list shows (a close, an upsert), and after a start whose summary is too
 * large for its claim. Both of a run's entries share its sort key, so a list finds them side by
 * side ({@link listVisibility}).
 */
export function visibilityAttributes(summary: RunSummary): Item {
  return {
    gsi1pk: { S: visibilityPartition(summary.namespace, summary.runId) },
    gsi1sk: { S: startSortKey(summary.startTime, summary.runId) },
    summary: { S: JSON.stringify(summary) },
    lastEventId: { N: String(summary.historyLength) },
  };
}

/** Writes a run's visibility record; `create` makes it conditional on the run being new. */
export function visibilityPut(table: string, summary: RunSummary, create: boolean): TransactWriteItem {
  return {
    Put: {
      TableName: table,
      Item: { ...visibilityKey(summary.namespace, summary.runId), ...visibilityAttributes(summary) },
      ConditionExpression: create ? 'attribute_not_exists(pk)' : undefined,
    },
  };
}

function decodeSummary(item: Item): RunSummary {
  return JSON.parse(item.summary?.S ?? 'null') as RunSummary;
}

/** How much history an index entry shows (entries written before `lastEventId` was kept show none). */
function shownEventId(item: Item): number {
  return Number(item.lastEventId?.N ?? 0);
}

/**
 * The list page token is the `byStart` sort key of the last run examined (start time and run id,
 * unique across shards): the next page is every shard's runs that sort before it. Opaque to callers.
 */
function encodeListToken(namespace: string, sortKey: string): string {
  return Buffer.from(JSON.stringify({ v: 2, ns: namespace, before: sortKey })).toString('base64url');
}

/** The sort key a list page token stands for; a token that is not one of ours (or another namespace's) is refused. */
function decodeListToken(namespace: string, token: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
  } catch {
    parsed = undefined;
  }
  const { v, ns, before } = (parsed ?? {}) as { v?: unknown; ns?: unknown; before?: unknown };
  if (v !== 2 || ns !== namespace || typeof before !== 'string' || !/^\d{15}#.+$/.test(before)) {
    throw new InvalidArgumentError(
      'Malformed list page token: pass back the nextPageToken of a previous page',
    );
  }
  return before;
}

/**
 * Records one list request examines at most. A selective query (few runs match) would otherwise
 * read a whole namespace in one request, past API Gateway's 29 s; it answers a short (even empty)
 * page with a token instead, and the client reads on.
 */
export const MAX_EXAMINED_PER_LIST_REQUEST = 2000;

/** Runs a list accepts at once: as many as its page still lacks, within these bounds. */
const MIN_ACCEPTED_AT_ONCE = 4;
const MAX_ACCEPTED_AT_ONCE = 32;

/**
 * One shard's records, newest first, read lazily in chunks: what the merge in
 * {@link listVisibility} takes from.
 */
class ShardReader {
  private buffer: Item[] = [];
  private next = 0;
  private startKey: Item | undefined;
  private exhausted = false;

  constructor(
    private readonly db: MeteredDynamo,
    private readonly table: string,
    private readonly partition: string,
    /** Sort keys below this one only (exclusive). */
    private readonly before: string | undefined,
    /** Sort keys from this one on only (inclusive). */
    private readonly from: string | undefined,
  ) {}

  /** The key condition: DynamoDB takes one comparison on the sort key, so a window is a BETWEEN. */
  private condition(): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues'> {
    const p = { ':p': { S: this.partition } };
    if (this.from !== undefined) {
      // BETWEEN includes its upper end: `before` itself is dropped from the chunk (in `peek`).
      return {
        KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :from AND :before',
        ExpressionAttributeValues: { ...p, ':from': { S: this.from }, ':before': { S: this.before ?? '~' } },
      };
    }
    if (this.before === undefined)
      return { KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: p };
    return {
      KeyConditionExpression: 'gsi1pk = :p AND gsi1sk < :before',
      ExpressionAttributeValues: { ...p, ':before': { S: this.before } },
    };
  }

  /** The shard's newest record not yet taken, reading its next chunk if needed; undefined at its end. */
  async peek(chunk: number): Promise<Item | undefined> {
    if (this.next < this.buffer.length) return this.buffer[this.next];
    if (this.exhausted) return undefined;
    const page = await this.db.query({
      TableName: this.table,
      IndexName: 'byStart',
      ...this.condition(),
      ScanIndexForward: false,
      ExclusiveStartKey: this.startKey,
      Limit: chunk,
    });
    const before = this.before;
    this.buffer = (page.Items ?? []).filter((item) => before === undefined || item.gsi1sk!.S! < before);
    this.next = 0;
    this.startKey = page.LastEvaluatedKey;
    this.exhausted = !this.startKey;
    // A chunk that held only `before` itself (dropped above): read on.
    return this.buffer.length === 0 && !this.exhausted ? this.peek(chunk) : this.buffer[0];
  }

  take(): void {
    this.next++;
  }

  /**
   * Takes the shard's newest entry and every other entry of the same run (its claim's and its
   * record's, which share a sort key and so lie side by side), and answers the one showing the most
   * history; undefined at the shard's end.
   */
  async takeRun(chunk: number): Promise<Item | undefined> {
    let newest = await this.peek(chunk);
    if (!newest) return undefined;
    this.take();
    for (
      let next = await this.peek(chunk);
      next?.gsi1sk?.S === newest.gsi1sk?.S;
      next = await this.peek(chunk)
    ) {
      if (shownEventId(next!) > shownEventId(newest)) newest = next!;
      this.take();
    }
    return newest;
  }
}

/**
 * Lists a namespace's visibility records newest first through the `byStart` index, merging its
 * shards, keeping those `accept` turns into a summary (it resolves payloads, brings a run up to
 * date and applies the caller's predicate; several at once), until a page is full or {@link MAX_EXAMINED_PER_LIST_REQUEST} records were examined.
 * The token names the last record examined. With `started`, only the runs started in that window.
 */
export async function listVisibility(
  db: MeteredDynamo,
  table: string,
  namespace: string,
  pageSize: number,
  pageToken: string | undefined,
  accept: (summary: RunSummary) => Promise<RunSummary | undefined>,
  started?: StartWindow,
): Promise<{ runs: RunSummary[]; nextPageToken?: string }> {
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new InvalidArgumentError('List page size must be a positive integer');
  }
  const token = pageToken ? decodeListToken(namespace, pageToken) : undefined;
  // Every sort key of a start at `t` sorts at or after `${t}#` and before the keys of `t + 1`.
  const windowEnd = started && startSortKey(started.before, '');
  const before = [token, windowEnd].filter((key) => key !== undefined).sort()[0];
  const from = started && startSortKey(started.from, '');
  const shards = Array.from(
    { length: VISIBILITY_SHARDS },
    (_, shard) => new ShardReader(db, table, `${namespace}#${shard}`, before, from),
  );
  // A predicate may skip many runs: each shard reads enough per call to fill a page in few round trips.
  const chunk = Math.min(Math.max(Math.ceil((pageSize + 1) / VISIBILITY_SHARDS) * 2, 25), 1000);
  /** The newest run not yet taken, across the shards; undefined when every shard is done. */
  const nextRun = async (): Promise<Item | undefined> => {
    const heads = await Promise.all(shards.map((shard) => shard.peek(chunk)));
    let newest = -1;
    for (const [i, head] of heads.entries()) {
      if (head && (newest < 0 || head.gsi1sk!.S! > heads[newest]!.gsi1sk!.S!)) newest = i;
    }
    return newest < 0 ? undefined : shards[newest]!.takeRun(chunk);
  };
  const runs: RunSummary[] = [];
  for (let examined = 0; ; ) {
    // The next runs in order, as many as the page still lacks (within bounds), accepted
    // concurrently: `accept` may read each one's head.
    const group: Item[] = [];
    const wanted = Math.min(
      Math.max(pageSize - runs.length, MIN_ACCEPTED_AT_ONCE),
      MAX_ACCEPTED_AT_ONCE,
      MAX_EXAMINED_PER_LIST_REQUEST - examined,
    );
    while (group.length < wanted) {
      const item = await nextRun();
      if (!item) break;
      group.push(item);
    }
    if (group.length === 0) return { runs };
    const accepted = await Promise.all(group.map((item) => accept(decodeSummary(item))));
    for (const [i, item] of group.entries()) {
      examined++;
      const summary = accepted[i];
      if (summary) runs.push(summary);
      // A full page, or bounded work per request: the rest is the next page's, if there is a rest
      // (the runs of this group after `item` sort before it, so the next page finds them again).
      if (runs.length === pageSize || examined >= MAX_EXAMINED_PER_LIST_REQUEST) {
        const more =
          i < group.length - 1 || (await Promise.all(shards.map((shard) => shard.peek(chunk)))).some(Boolean);
        return { runs, nextPageToken: more ? encodeListToken(namespace, item.gsi1sk!.S!) : undefined };
      }
    }
  }
}
