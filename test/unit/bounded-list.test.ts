import type { QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { MeteredDynamo } from '../../sdk/backend/dynamodb/metered-client.ts';
import { listVisibility, MAX_EXAMINED_PER_LIST_REQUEST } from '../../sdk/backend/dynamodb/visibility.ts';
import type { RunSummary } from '../../sdk/backend/ports.ts';

/** A `byStart` index of `count` runs, newest first, served the way DynamoDB pages a query. */
function index(count: number) {
  const items = Array.from({ length: count }, (_, i) => {
    const runId = `run-${String(count - i).padStart(6, '0')}`;
    const summary = { namespace: 'ns', runId, workflowId: runId, startTime: count - i } as RunSummary;
    return {
      pk: { S: `ns#run#${runId}` },
      sk: { S: 'run' },
      gsi1pk: { S: 'ns' },
      gsi1sk: { S: `${String(count - i).padStart(13, '0')}#${runId}` },
      summary: { S: JSON.stringify(summary) },
    };
  });
  const calls: QueryCommandInput[] = [];
  const db = {
    async query(input: QueryCommandInput) {
      calls.push(input);
      const after = input.ExclusiveStartKey?.gsi1sk?.S;
      const from = after === undefined ? 0 : items.findIndex((item) => item.gsi1sk.S === after) + 1;
      const page = items.slice(from, from + (input.Limit ?? 1000));
      const last = from + page.length < items.length ? page.at(-1) : undefined;
      return { Items: page, LastEvaluatedKey: last, $metadata: {} };
    },
  } as unknown as MeteredDynamo;
  return { db, calls };
}

describe('list reads a bounded page per request', () => {
  it('stops after examining its bound when few runs match, and the token reads on from there', async () => {
    const { db, calls } = index(5000);
    const matchEvery1000th = async (run: RunSummary) => (run.startTime % 1000 === 0 ? run : undefined);

    const first = await listVisibility(db, 't', 'ns', 100, undefined, matchEvery1000th);
    const examined = calls.reduce((sum, call) => sum + (call.Limit ?? 0), 0);
    expect(examined).toBeLessThanOrEqual(MAX_EXAMINED_PER_LIST_REQUEST);
    expect(first.runs.map((r) => r.startTime)).toEqual([5000, 4000]);
    expect(first.nextPageToken).toBeDefined();

    // Reading on, page by page, finds every match exactly once.
    const all = [...first.runs];
    let token = first.nextPageToken;
    for (let pages = 0; token && pages < 10; pages++) {
      const page = await listVisibility(db, 't', 'ns', 100, token, matchEvery1000th);
      all.push(...page.runs);
      token = page.nextPageToken;
    }
    expect(token).toBeUndefined();
    expect(all.map((r) => r.startTime)).toEqual([5000, 4000, 3000, 2000, 1000]);
  });

  it('fills a page when runs match, without a token when nothing is left', async () => {
    const { db } = index(150);
    const page = await listVisibility(db, 't', 'ns', 100, undefined, async (run) => run);
    expect(page.runs).toHaveLength(100);
    const rest = await listVisibility(db, 't', 'ns', 100, page.nextPageToken, async (run) => run);
    expect(rest.runs).toHaveLength(50);
    expect(rest.nextPageToken).toBeUndefined();
  });
});
