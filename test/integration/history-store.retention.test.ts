import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { chunkPk, historyPk, visibilityKey } from '../../sdk/backend/dynamodb/keys.ts';
import {
  CLOSE_WITHOUT_WRITES_MS,
  closeNeedsExpiryPass,
  DEFAULT_RETENTION_MS,
  HEAD_EXPIRY_SLACK_MS,
} from '../../sdk/backend/retention.ts';
import type { RunState } from '../../sdk/engine/run-state.ts';
import { type PendingEvent, readFullHistory } from '../../sdk/runtime/commit.ts';
import { dynamoFixture } from './dynamodb-store-fixture.ts';
import { append, closingTask, freshNamespace, signal, startRun } from './history-store.conformance.ts';

const dynamo = dynamoFixture();
const DAY = 86_400_000;

const expiryOf = (item: Record<string, AttributeValue>) => Number(item.expiresAt?.N) * 1000;

/** Every item a run has on both tables: history batches, chunks, run records and the claim. */
async function runItems(namespace: string, state: RunState) {
  const { historyTable, executionsTable } = dynamo.resources();
  const [history, chunks, records, claim] = await Promise.all([
    dynamo.items(historyTable, historyPk(namespace, state.runId)),
    dynamo.items(historyTable, chunkPk(namespace, state.runId)),
    dynamo.items(executionsTable, visibilityKey(namespace, state.runId).pk.S!),
    dynamo.items(executionsTable, `${namespace}#wf#${state.workflowId}`),
  ]);
  return { history, chunks, records, claim };
}

const terminate = (state: RunState) =>
  closingTask(state, { type: 'WorkflowExecutionTerminated', reason: 'done' });

describe('retention on DynamoDB Local', () => {
  it('gives every item its expiry when it is written, so closing a short run writes nothing for retention', async () => {
    const store = dynamo.store();
    const ns = freshNamespace();
    let state = await startRun(store, ns, 'short');
    state = await append(store, state, [signal(1), { type: 'WorkflowTaskScheduled', attempt: 1 }]);
    await store.recordHeartbeat(ns, state.runId, 3, { attempt: 1, time: state.startTime });
    state = await append(store, state, terminate(state));

    const { history, records, claim } = await runItems(ns, state);
    expect(history).toHaveLength(3);
    // The close wrote no visibility record: the claim lists the run, the list reads the close from the head.
    expect(records.map((item) => item.sk?.S).sort()).toEqual(['hb#3']);
    const keepUntil = state.closeTime! + DEFAULT_RETENTION_MS;
    for (const item of [...history, ...records, ...claim])
      expect(expiryOf(item)).toBeGreaterThanOrEqual(keepUntil);
    // Not far past it either: the first batch expires a horizon after its write.
    expect(expiryOf(history[0]!)).toBeLessThanOrEqual(
      state.startTime + DEFAULT_RETENTION_MS + CLOSE_WITHOUT_WRITES_MS + 1000,
    );
    expect(closeNeedsExpiryPass(state, DEFAULT_RETENTION_MS)).toBe(false);
    // The closing head goes last, a week after the rest, so no older batch is ever left as the newest.
    const [, second, closing] = history.sort((a, b) => Number(a.sk?.N) - Number(b.sk?.N));
    expect(expiryOf(closing!) - expiryOf(second!)).toBeGreaterThanOrEqual(HEAD_EXPIRY_SLACK_MS);
  });

  it('a run bounded by its execution timeout expires with its deadline, needing neither renewal nor a pass', async () => {
    const store = dynamo.store();
    const ns = freshNamespace();
    const state = await startRun(store, ns, 'bounded', { workflowExecutionTimeoutMs: 3 * DAY });
    const [first] = (await runItems(ns, state)).history;
    const deadline = state.executionExpirationTime!;
    expect(expiryOf(first!)).toBeGreaterThanOrEqual(deadline + DEFAULT_RETENTION_MS);
    expect(expiryOf(first!)).toBeLessThan(state.startTime + DEFAULT_RETENTION_MS + CLOSE_WITHOUT_WRITES_MS);
  });

  it('extends only what would expire too early, never shortens, and the claim only while it names the run', async () => {
    const store = dynamo.store();
    const ns = freshNamespace();
    let state = await startRun(store, ns, 'extended');
    state = await append(store, state, [signal(1)]);
    state = await append(store, state, terminate(state));
    const ref = { namespace: ns, workflowId: 'extended', runId: state.runId };
    const far = Date.UTC(2031, 0, 1);

    expect(await store.expireRun(ref, far)).toEqual({ done: true });
    const extended = await runItems(ns, state);
    for (const item of [...extended.history, ...extended.records, ...extended.claim]) {
      expect(expiryOf(item)).toBe(far);
    }
    // A shorter keep changes nothing, and asking again for the same writes nothing.
    const retention = () => store.capacity.byPurpose?.retention?.writeRequests ?? 0;
    const writes = retention();
    await store.expireRun(ref, far - 10 * DAY);
    await store.expireRun(ref, far);
    expect(retention()).toBe(writes);
    expect(expiryOf((await runItems(ns, state)).history[0]!)).toBe(far);
    // The history still reads whole after its items were rewritten.
    expect(await readFullHistory({ store }, ns, state.runId)).toHaveLength(state.nextEventId - 1);

    // A new run takes the workflow id: extending the old run leaves the new claim alone.
    const next = await startRun(store, ns, 'extended');
    await store.expireRun(ref, far + 10 * DAY);
    const [claim] = (await runItems(ns, next)).claim;
    expect(claim?.runId?.S).toBe(next.runId);
    expect(expiryOf(claim!)).toBeLessThan(far);
  });

  it('treats a closed run past its retention as gone, whatever DynamoDB still holds', async () => {
    const ns = freshNamespace();
    let state = await startRun(dynamo.store(), ns, 'gone');
    state = await append(dynamo.store(), state, terminate(state));
    const later = dynamo.store(undefined, { now: () => state.closeTime! + DEFAULT_RETENTION_MS + 1 });
    expect(await later.getRun(ns, state.runId)).toBeUndefined();
    const before = dynamo.store(undefined, { now: () => state.closeTime! + DEFAULT_RETENTION_MS - 1000 });
    expect((await before.getRun(ns, state.runId))?.status).toBe('Terminated');
    // Once its items' TTL has passed too, no reader gets a partial history of it.
    const expired = dynamo.store(undefined, { now: () => state.startTime + 400 * DAY });
    expect((await expired.readHistory(ns, state.runId, 1)).events).toEqual([]);
    // An open run is never gone: its items are renewed before they expire, and read until then.
    const open = await startRun(dynamo.store(), ns, 'open');
    const muchLater = dynamo.store(undefined, { now: () => open.startTime + 400 * DAY });
    expect(await muchLater.getRun(ns, open.runId)).toEqual(open);
    expect(await readFullHistory({ store: muchLater }, ns, open.runId)).toHaveLength(2);
  });

  it('extends a closed 10,000-event run in bounded, resumable pieces', { timeout: 240_000 }, async () => {
    const store = dynamo.store();
    const ns = freshNamespace();
    let state = await startRun(store, ns, 'long');
    // The start's 2 events, 9,994 signals in batches of 10, and a workflow task that closes the run.
    const signals = (from: number, count = 10): PendingEvent[] =>
      Array.from({ length: count }, (_, i) => signal(from + i));
    for (let batch = 0; batch < 999; batch++) state = await append(store, state, signals(batch * 10));
    state = await append(store, state, signals(9990, 4));
    state = await append(store, state, [
      { type: 'WorkflowTaskScheduled', attempt: 1 },
      ...closingTask(
        { ...state, workflowTask: { scheduledEventId: state.nextEventId, attempt: 1 } },
        {
          type: 'WorkflowExecutionTerminated',
          reason: 'long enough',
        },
      ),
    ]);
    expect(state.nextEventId - 1).toBe(10_000);
    const ref = { namespace: ns, workflowId: 'long', runId: state.runId };
    const keepUntil = Date.UTC(2031, 0, 1);

    // Each call has (almost) no time: it still gets through one page, then hands over.
    let calls = 0;
    let result = { done: false };
    while (!result.done && calls < 50) {
      result = await store.expireRun(ref, keepUntil, { stopBy: Date.now() });
      calls++;
    }
    expect(result.done).toBe(true);
    expect(calls).toBeGreaterThan(1);
    const { history, records, claim } = await runItems(ns, state);
    expect(history).toHaveLength(1002);
    for (const item of [...history, ...records, ...claim]) expect(expiryOf(item)).toBe(keepUntil);
    // Batch writes: far fewer write requests than items.
    expect(store.capacity.byPurpose?.retention?.writeRequests).toBeLessThan(history.length / 10);
    expect((await readFullHistory({ store }, ns, state.runId)).map((event) => event.eventId)).toEqual(
      Array.from({ length: 10_000 }, (_, i) => i + 1),
    );
  });
});
