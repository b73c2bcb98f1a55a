import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { RunSummary } from '../ports.ts';
import { startSortKey, visibilityKey } from './keys.ts';
import type { Item, MeteredDynamo } from './metered-client.ts';

/**
 * Visibility records: one item per run on the executions table, listed newest first by the
 * `byStart` index. They are written with the run's start, its close and search-attribute upserts
 * (in the same transaction as the history batch), not on every append: `historyLength` of a
 * running run is refreshed from its head when listed.
 */

/**
 * A visibility record whose summary is larger than this keeps its memo payloads in S3: the index
 * copies every byte (billed again), and many memo fields just under the offload threshold could
 * otherwise push the record past DynamoDB's 400 KB item limit.
 */
export const VISIBILITY_INLINE_BYTES = 8 * 1024;
/** Memo payloads above this many bytes move to S3 when a summary is over {@link VISIBILITY_INLINE_BYTES}. */
export const VISIBILITY_MEMO_OFFLOAD_BYTES = 256;

/** Writes a run's visibility record; `create` makes it conditional on the run being new. */
export function visibilityPut(table: string, summary: RunSummary, create: boolean): TransactWriteItem {
  return {
    Put: {
      TableName: table,
      Item: {
        ...visibilityKey(summary.namespace, summary.runId),
        gsi1pk: { S: summary.namespace },
        gsi1sk: { S: startSortKey(summary.startTime, summary.runId) },
        summary: { S: JSON.stringify(summary) },
      },
      ConditionExpression: create ? 'attribute_not_exists(pk)' : undefined,
    },
  };
}

function decodeSummary(item: Item): RunSummary {
  return JSON.parse(item.summary?.S ?? 'null') as RunSummary;
}

/** The list page token names the last run examined; it is opaque to callers. */
function encodeListToken(item: Item): string {
  return Buffer.from(JSON.stringify({ v: 1, s: item.gsi1sk?.S, p: item.pk?.S })).toString('base64url');
}

/** The `ExclusiveStartKey` a list page token stands for; a token that is not one of ours is refused. */
function decodeListToken(namespace: string, token: string): Item {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
  } catch {
    parsed = undefined;
  }
  const { v, s, p } = (parsed ?? {}) as { v?: unknown; s?: unknown; p?: unknown };
  if (v !== 1 || typeof s !== 'string' || typeof p !== 'string' || !p.startsWith(`${namespace}#run#`)) {
    throw new InvalidArgumentError(
      'Malformed list page token: pass back the nextPageToken of a previous page',
    );
  }
  return { gsi1pk: { S: namespace }, gsi1sk: { S: s }, pk: { S: p }, sk: { S: 'run' } };
}

/**
 * Records one list request examines at most. A selective query (few runs match) would otherwise
 * read a whole namespace in one request, past API Gateway's 29 s; it answers a short (even empty)
 * page with a token instead, and the client reads on.
 */
export const MAX_EXAMINED_PER_LIST_REQUEST = 2000;

/**
 * Lists a namespace's visibility records newest first through the `byStart` index, keeping those
 * `accept` turns into a summary (it resolves payloads and applies the caller's predicate), until a
 * page is full or {@link MAX_EXAMINED_PER_LIST_REQUEST} records were examined. The token names the
 * last record examined.
 */
export async function listVisibility(
  db: MeteredDynamo,
  table: string,
  namespace: string,
  pageSize: number,
  pageToken: string | undefined,
  accept: (summary: RunSummary) => Promise<RunSummary | undefined>,
): Promise<{ runs: RunSummary[]; nextPageToken?: string }> {
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new InvalidArgumentError('List page size must be a positive integer');
  }
  let startKey = pageToken ? decodeListToken(namespace, pageToken) : undefined;
  const runs: RunSummary[] = [];
  let examined = 0;
  do {
    const page = await db.query({
      TableName: table,
      IndexName: 'byStart',
      KeyConditionExpression: 'gsi1pk = :ns',
      ExpressionAttributeValues: { ':ns': { S: namespace } },
      ScanIndexForward: false,
      ExclusiveStartKey: startKey,
      // A predicate may skip many runs: read enough per call to fill a page in few round trips.
      Limit: Math.min(Math.max(pageSize + 1, 100), 1000, MAX_EXAMINED_PER_LIST_REQUEST - examined),
    });
    const items = page.Items ?? [];
    examined += items.length;
    for (const [i, item] of items.entries()) {
      const summary = await accept(decodeSummary(item));
      if (!summary) continue;
      runs.push(summary);
      if (runs.length === pageSize) {
        const more = i < items.length - 1 || page.LastEvaluatedKey !== undefined;
        return { runs, nextPageToken: more ? encodeListToken(item) : undefined };
      }
    }
    startKey = page.LastEvaluatedKey;
    // Bounded work per request: the rest is the next page's.
    if (startKey && examined >= MAX_EXAMINED_PER_LIST_REQUEST) {
      return { runs, nextPageToken: encodeListToken(items.at(-1) ?? startKey) };
    }
  } while (startKey);
  return { runs };
}
