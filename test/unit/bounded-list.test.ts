import type { QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { MeteredDynamo } from '../../sdk/backend/dynamodb/metered-client.ts';
import {
  listVisibility,
  MAX_EXAMINED_PER_LIST_REQUEST,
  VISIBILITY_SHARDS,
  visibilityPartition,
  visibilityPut,
} from '../../sdk/backend/dynamodb/visibility.ts';
import type { RunSummary } from '../../sdk/backend/ports.ts';

/**
 * A `byStart` index of `count` runs as `visibilityPut` writes them (sharded), served the way
 * DynamoDB answers a query: one partition, the sort-key condition, newest first, pages of `Limit`.
 * Start times repeat (every three runs share one), so order within a start time is by run id.
 */
function index(count: number) {
  const items = Array.from({ length: count }, (_, i) => {
    const runId = `run-${String(i + 1).padStart(6, '0')}`;
    const summary = { namespace: 'ns', runId, workflowId: runId, startTime: Math.floor((i + 1) / 3) };
    return visibilityPut('t', summary as RunSummary, true).Put!.Item!;
  });
  const calls: QueryCommandInput[] = [];
  let examined = 0;
  const db = {
    async query(input: QueryCommandInput) {
      calls.push(input);
      expect(input.ScanIndexForward).toBe(false);
      const partition = input.ExpressionAttributeValues![':p']!.S!;
      const before = input.ExpressionAttributeValues![':before']?.S;
      const after = input.ExclusiveStartKey?.gsi1sk?.S;
      const matching = items
        .filter((item) => item.gsi1pk!.S === partition)
        .filter((item) => before === undefined || item.gsi1sk!.S! < before)
        .filter((item) => after === undefined || item.gsi1sk!.S! < after)
        .sort((a, b) => (a.gsi1sk!.S! < b.gsi1sk!.S! ? 1 : -1));
      const page = matching.slice(0, input.Limit ?? 1000);
      examined += page.length;
      const last = page.length < matching.length ? page.at(-1) : undefined;
      return { Items: page, LastEvaluatedKey: last, $metadata: {} };
    },
  } as unknown as MeteredDynamo;
  const newestFirst = items
    .map((item) => JSON.parse(item.summary!.S!) as RunSummary)
    .sort((a, b) => b.startTime - a.startTime || (a.runId < b.runId ? 1 : -1));
  return { db, calls, newestFirst, read: () => examined };
}

describe('the visibility index is sharded', () => {
  it('spreads one namespace over every shard, evenly', () => {
    const perShard = new Map<string, number>();
    for (let i = 0; i < 8000; i++) {
      const partition = visibilityPartition('ns', crypto.randomUUID());
      perShard.set(partition, (perShard.get(partition) ?? 0) + 1);
    }
    expect([...perShard.keys()].sort()).toEqual(
      Array.from({ length: VISIBILITY_SHARDS }, (_, i) => `ns#${i}`).sort(),
    );
    for (const count of perShard.values()) expect(count).toBeGreaterThan(800);
  });

  it('lists the runs of all shards newest first, page after page, each exactly once', async () => {
    const { db, newestFirst } = index(1234);
    const listed: RunSummary[] = [];
    let token: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await listVisibility(db, 't', 'ns', 100, token, async (run) => run);
      listed.push(...page.runs);
      token = page.nextPageToken;
      if (!token) break;
    }
    expect(token).toBeUndefined();
    expect(listed.map((run) => run.runId)).toEqual(newestFirst.map((run) => run.runId));
  });
});

describe('list reads a bounded page per request', () => {
  it('stops after examining its bound when few runs match, and the token reads on from there', async () => {
    const { db, read } = index(5000);
    const matchEvery300th = async (run: RunSummary) => (run.startTime % 300 === 0 ? run : undefined);
    const expected = index(5000)
      .newestFirst.filter((run) => run.startTime % 300 === 0)
      .map((run) => run.runId);

    const first = await listVisibility(db, 't', 'ns', 100, undefined, matchEvery300th);
    // Bounded: what one request reads is its bound plus at most one chunk per shard of look-ahead.
    expect(read()).toBeLessThanOrEqual(MAX_EXAMINED_PER_LIST_REQUEST + VISIBILITY_SHARDS * 25);
    expect(first.runs.length).toBeLessThan(expected.length);
    expect(first.nextPageToken).toBeDefined();

    // Reading on, page by page, finds every match exactly once, in order.
    const all = [...first.runs];
    let token = first.nextPageToken;
    for (let pages = 0; token && pages < 10; pages++) {
      const page = await listVisibility(db, 't', 'ns', 100, token, matchEvery300th);
      all.push(...page.runs);
      token = page.nextPageToken;
    }
    expect(token).toBeUndefined();
    expect(all.map((run) => run.runId)).toEqual(expected);
  });

  it('fills a page when runs match, without a token when nothing is left', async () => {
    const { db } = index(150);
    const page = await listVisibility(db, 't', 'ns', 100, undefined, async (run) => run);
    expect(page.runs).toHaveLength(100);
    const rest = await listVisibility(db, 't', 'ns', 100, page.nextPageToken, async (run) => run);
    expect(rest.runs).toHaveLength(50);
    expect(rest.nextPageToken).toBeUndefined();
  });

  it('refuses a token of another namespace, or one that is not a token', async () => {
    const { db } = index(150);
    const page = await listVisibility(db, 't', 'ns', 100, undefined, async (run) => run);
    await expect(
      listVisibility(db, 't', 'other', 100, page.nextPageToken, async (run) => run),
    ).rejects.toThrow(/Malformed list page token/);
    await expect(listVisibility(db, 't', 'ns', 100, 'bm90LWEtdG9rZW4', async (run) => run)).rejects.toThrow(
      /Malformed list page token/,
    );
  });
});
