import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { PAYLOAD_HARD_CAP_BYTES } from '../../sdk/backend/definitions.ts';
import type { DynamoHistoryStore } from '../../sdk/backend/dynamodb/history-store.ts';
import { chunkPk, historyPk, visibilityKey } from '../../sdk/backend/dynamodb/keys.ts';
import { summarizeRun } from '../../sdk/backend/run-summary.ts';
import { HistoryConflictError, PayloadTooLargeError } from '../../sdk/common/errors.ts';
import type { Payload } from '../../sdk/common/payload.ts';
import type { RunState } from '../../sdk/engine/run-state.ts';
import { type PendingEvent, readFullHistory } from '../../sdk/runtime/commit.ts';
import { routerHasWork } from '../../sdk/runtime/route.ts';
import { dynamoFixture } from './dynamodb-store-fixture.ts';
import {
  append,
  closingTask,
  freshNamespace,
  historyStoreConformance,
  json,
  request,
  signal,
  startRun,
} from './history-store.conformance.ts';

const dynamo = dynamoFixture();

function storeWith(client?: DynamoDBClient): DynamoHistoryStore {
  return dynamo.store(client);
}

historyStoreConformance('dynamodb', async () => ({ store: storeWith(), close: async () => {} }));

/** Every item of a history-table partition, as DynamoDB holds it (and as the stream carries it). */
const rawItems = (pk: string) => dynamo.items(dynamo.resources().historyTable, pk);

/** A workflow task that schedules `count` activities, each with ~1 KB of incompressible input. */
function fanOut(state: RunState, count: number): PendingEvent[] {
  const scheduledEventId = state.workflowTask?.scheduledEventId ?? 0;
  return [
    { type: 'WorkflowTaskStarted', scheduledEventId, attempt: 1 },
    { type: 'WorkflowTaskCompleted', scheduledEventId },
    ...Array.from(
      { length: count },
      (_, i): PendingEvent => ({
        type: 'ActivityTaskScheduled',
        seq: i + 1,
        activityId: String(i + 1),
        activityType: 'chargeCard',
        taskQueue: 'orders',
        input: [json({ item: i, blob: randomBytes(768).toString('base64') })],
        options: {
          startToCloseMs: 60_000,
          retry: {
            initialIntervalMs: 1000,
            backoffCoefficient: 2,
            maximumIntervalMs: 100_000,
            maximumAttempts: 0,
            nonRetryableErrorTypes: [],
          },
          cancellationType: 'TRY_CANCEL',
        },
      }),
    ),
  ];
}

/** A client that dies just before writing a batch's head item, as a crashed Lambda would. */
const crashingBeforeHead = () => dynamo.dyingAtPuts((item) => item.kind?.S === 'batch', 'head write');
/** Every visibility-record write dies, as if its invocation died right after the commit. */
const dyingBeforeVisibility = () => dynamo.dyingAtPuts((item) => item.sk?.S === 'run', 'visibility write');

const megabytePayload = (): Payload => json(randomBytes(768 * 1024).toString('base64'));

describe('DynamoHistoryStore on DynamoDB Local', () => {
  it('commits a workflow task scheduling 1,000 activities atomically, in overflow chunks, and reads it back in order', async () => {
    const store = storeWith();
    const ns = freshNamespace();
    const started = await startRun(store, ns, 'fan-out');
    const req = request(started, fanOut(started, 1000));
    await store.append(req);

    const heads = (await rawItems(historyPk(ns, started.runId))).filter((item) => item.sk?.N === '3');
    expect(Number(heads[0]?.chunks?.N)).toBeGreaterThan(1);
    expect((await rawItems(chunkPk(ns, started.runId))).length).toBe(Number(heads[0]?.chunks?.N));

    const history = await readFullHistory({ store }, ns, started.runId);
    expect(history.map((event) => event.eventId)).toEqual(Array.from({ length: 1004 }, (_, i) => i + 1));
    expect(history.slice(2)).toEqual(req.events);
    const state = await store.getRun(ns, started.runId);
    expect(state).toEqual(req.state);
    expect(Object.keys(state?.activities ?? {})).toHaveLength(1000);

    // The next, small commit on top of 1,000 pending activities is an ordinary append.
    const writes = store.capacity.writeUnits;
    const next = await append(store, req.state, [
      { type: 'ActivityTaskStarted', scheduledEventId: 5, attempt: 1 },
      { type: 'ActivityTaskCompleted', scheduledEventId: 5, attempt: 1, result: json('ok') },
    ]);
    expect(store.capacity.writeUnits - writes).toBeLessThan(100);
    expect(await store.getRun(ns, started.runId)).toEqual(next);
  });

  it('keeps a run state too large for the head item in overflow chunks', async () => {
    const store = storeWith();
    const ns = freshNamespace();
    // Eight memo fields just under the offload threshold: ~480 KB of state that gzip cannot shrink much.
    const memo = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [`field${i}`, json(randomBytes(45 * 1024).toString('base64'))]),
    );
    const started = await startRun(store, ns, 'big-memo', { memo });
    const next = await append(store, started, [signal(1)]);

    const [, head] = await rawItems(historyPk(ns, started.runId));
    expect(head?.events?.S).toBeDefined();
    expect(Number(head?.stateChunkBytes?.N)).toBeGreaterThan(300 * 1024);
    expect(await store.getRun(ns, started.runId)).toEqual(next);
    expect((await readFullHistory({ store }, ns, started.runId)).at(-1)).toMatchObject(signal(1));
    // The visibility record must stay small too: it keeps those memo fields in S3.
    expect(store.capacity.s3Puts).toBe(8);
    expect((await storeWith().listRuns(ns, () => true, 10)).runs[0]?.memo).toEqual(memo);
  });

  it('a close leaves the workflow-id claim alone; a later start settles it from the run, and its policy decides', async () => {
    const store = storeWith();
    const ns = freshNamespace();
    const first = await startRun(store, ns, 'settled');
    await append(
      store,
      first,
      closingTask(first, {
        type: 'WorkflowExecutionFailed',
        failure: { kind: 'application', message: 'no' },
      }),
    );
    const claim = async () =>
      (await dynamo.items(dynamo.resources().executionsTable, `${ns}#wf#settled`))[0]?.status?.S;
    expect(await claim()).toBe('Running');

    await expect(startRun(store, ns, 'settled', { policy: 'REJECT_DUPLICATE' })).rejects.toThrow(
      /last run failed\) and the reuse policy REJECT_DUPLICATE forbids/,
    );
    expect(await claim()).toBe('Failed');
    const second = await startRun(store, ns, 'settled', { policy: 'ALLOW_DUPLICATE_FAILED_ONLY' });
    expect(await store.getCurrentRunId(ns, 'settled')).toBe(second.runId);
    expect(await claim()).toBe('Running');
  });

  it('a small append is a single conditional put of about one write unit', async () => {
    const store = storeWith();
    const ns = freshNamespace();
    const state = await startRun(store, ns, 'order-1');
    const before = { ...store.capacity };
    await append(store, state, [signal(1)]);
    expect(store.capacity.writeUnits - before.writeUnits).toBe(1);
    expect(store.capacity.readUnits).toBe(before.readUnits);
  });

  it('lets one of two racing large batches commit; the loser conflicts and its chunks are invisible', async () => {
    const store = storeWith();
    const ns = freshNamespace();
    const started = await startRun(store, ns, 'fan-out');
    const [a, b] = [request(started, fanOut(started, 600)), request(started, fanOut(started, 600))];
    const results = await Promise.allSettled([store.append(a), storeWith().append(b)]);

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(HistoryConflictError);
    const winner = results[0]!.status === 'fulfilled' ? a : b;
    expect((await readFullHistory({ store }, ns, started.runId)).slice(2)).toEqual(winner.events);
    expect(await store.getRun(ns, started.runId)).toEqual(winner.state);
  });

  it('a head write that never happens leaves its chunks orphaned and invisible; the next writer commits', async () => {
    const store = storeWith();
    const ns = freshNamespace();
    const started = await startRun(store, ns, 'fan-out');
    await expect(
      storeWith(crashingBeforeHead()).append(request(started, fanOut(started, 1000))),
    ).rejects.toThrow('simulated crash');

    const orphans = await rawItems(chunkPk(ns, started.runId));
    expect(orphans.length).toBeGreaterThan(1);
    expect(await store.getRun(ns, started.runId)).toEqual(started);
    expect(await readFullHistory({ store }, ns, started.runId)).toHaveLength(2);

    const retry = request(started, fanOut(started, 1000));
    await store.append(retry);
    expect((await readFullHistory({ store }, ns, started.runId)).slice(2)).toEqual(retry.events);
    expect(await store.getRun(ns, started.runId)).toEqual(retry.state);
    expect((await rawItems(chunkPk(ns, started.runId))).length).toBeGreaterThan(orphans.length);
  });

  it('offloads a 1 MB payload to S3 and resolves it transparently on read', async () => {
    const store = storeWith();
    const ns = freshNamespace();
    const input = megabytePayload();
    const started = await startRun(store, ns, 'big-input', { input: [input] });
    expect(store.capacity.s3Puts).toBe(1);

    const [firstBatch] = await rawItems(historyPk(ns, started.runId));
    const stored = JSON.stringify(firstBatch);
    expect(stored).not.toContain(input.data.slice(0, 1000));
    expect(stored.length).toBeLessThan(10_000);

    const result = megabytePayload();
    const completed = await append(store, started, [
      { type: 'WorkflowTaskStarted', scheduledEventId: 2, attempt: 1 },
      { type: 'WorkflowTaskCompleted', scheduledEventId: 2 },
      { type: 'WorkflowExecutionCompleted', result },
    ]);
    const cold = storeWith();
    const history = await readFullHistory({ store: cold }, ns, started.runId);
    expect(history[0]).toMatchObject({ type: 'WorkflowExecutionStarted', input: [input] });
    expect(history.at(-1)).toMatchObject({ type: 'WorkflowExecutionCompleted', result });
    expect(cold.capacity.s3Gets).toBe(2);
    expect(await cold.getRun(ns, started.runId)).toEqual(completed);
  });

  it('refuses a payload over the hard cap with PayloadTooLargeError before writing anything', async () => {
    const store = storeWith();
    const ns = freshNamespace();
    const huge: Payload = {
      metadata: { encoding: 'binary/plain' },
      data: 'x'.repeat(PAYLOAD_HARD_CAP_BYTES + 1),
    };
    const state = await startRun(store, ns, 'order-1');
    const before = { ...store.capacity };

    await expect(startRun(store, ns, 'order-2', { input: [huge] })).rejects.toThrow(PayloadTooLargeError);
    await expect(
      append(store, state, [{ type: 'WorkflowExecutionSignaled', signalName: 's', input: [huge] }]),
    ).rejects.toThrow(PayloadTooLargeError);
    expect(store.capacity.writeUnits).toBe(before.writeUnits);
    expect(store.capacity.s3Puts).toBe(before.s3Puts);
    expect(await store.getCurrentRunId(ns, 'order-2')).toBeUndefined();
    expect(await store.getRun(ns, state.runId)).toEqual(state);
  });

  it('a start is two plain puts, the claim (which lists the run) and its first batch; its close writes no record, the list reads it from the head', async () => {
    const store = storeWith();
    const ns = freshNamespace();
    const started = await startRun(store, ns, 'listed-by-claim');
    // The claim and its index entry, and the batch: a unit each, where a transaction bills double.
    expect(store.capacity.byPurpose?.start).toMatchObject({ writeRequests: 2, writeUnits: 3 });
    const records = () =>
      dynamo.items(dynamo.resources().executionsTable, visibilityKey(ns, started.runId).pk.S!);
    expect(await records()).toEqual([]);
    expect((await store.listRuns(ns, () => true, 10)).runs).toEqual([summarizeRun(started)]);
    // The router has nothing to settle for a start: not even a read.
    const reads = store.capacity.readUnits;
    const [startItem] = await rawItems(historyPk(ns, started.runId));
    await store.settleVisibility((await store.batchFromStreamRecord(startItem!))!);
    expect(store.capacity.readUnits).toBe(reads);

    const closed = await append(
      store,
      started,
      closingTask(started, { type: 'WorkflowExecutionCompleted', result: json('done') }),
    );
    expect(store.capacity.byPurpose?.close?.writeRequests).toBe(1);
    expect(await records()).toEqual([]);
    const completed = (run: { status: string }) => run.status === 'Completed';
    expect((await store.listRuns(ns, completed, 10)).runs).toEqual([summarizeRun(closed)]);
    expect((await store.listRuns(ns, (run) => run.status === 'Running', 10)).runs).toEqual([]);
    // Nor has the router anything to write or read for the close.
    const before = { ...store.capacity };
    const [, closeItem] = await rawItems(historyPk(ns, started.runId));
    await store.settleVisibility((await store.batchFromStreamRecord(closeItem!))!);
    expect([store.capacity.readUnits, store.capacity.writeUnits]).toEqual([
      before.readUnits,
      before.writeUnits,
    ]);
  });

  it('a closed run whose workflow id a new run takes over gets its record first, and both stay listed', async () => {
    const store = storeWith();
    const ns = freshNamespace();
    const first = await startRun(store, ns, 'reused');
    const closed = await append(
      store,
      first,
      closingTask(first, {
        type: 'WorkflowExecutionFailed',
        failure: { kind: 'application', message: 'no', type: 'Error' },
      }),
    );
    const second = await startRun(store, ns, 'reused', { policy: 'ALLOW_DUPLICATE' });
    expect(await store.getCurrentRunId(ns, 'reused')).toBe(second.runId);
    const record = await dynamo.items(
      dynamo.resources().executionsTable,
      visibilityKey(ns, first.runId).pk.S!,
    );
    expect(record.map((item) => JSON.parse(item.summary!.S!).status)).toEqual(['Failed']);
    const listed = (await store.listRuns(ns, () => true, 10)).runs;
    expect(listed).toEqual(
      [summarizeRun(second), summarizeRun(closed)].sort((a, b) => b.startTime - a.startTime),
    );
  });

  it('a termination that moved the claim (a start with TERMINATE_IF_RUNNING) leaves a record, repaired by the router if its committer died', async () => {
    const ns = freshNamespace();
    const dying = storeWith(dyingBeforeVisibility());
    const first = await startRun(dying, ns, 'replaced');
    const second = await startRun(dying, ns, 'replaced', {
      policy: 'TERMINATE_IF_RUNNING',
      terminate: request(first, [{ type: 'WorkflowExecutionTerminated', reason: 'replaced by a start' }]),
    });
    const router = storeWith();
    const listed = async () => (await router.listRuns(ns, () => true, 10)).runs.map((run) => run.runId);
    // The committer died before the terminated run's record: the new run's claim lists only the new run.
    expect(await listed()).toEqual([second.runId]);
    const [, terminatedItem] = await rawItems(historyPk(ns, first.runId));
    const terminated = (await router.batchFromStreamRecord(terminatedItem!))!;
    expect(terminated.state.status).toBe('Terminated');
    await router.settleVisibility(terminated);
    const runs = (await router.listRuns(ns, () => true, 10)).runs;
    expect(runs.map((run) => [run.runId, run.status]).sort()).toEqual(
      [
        [first.runId, 'Terminated'],
        [second.runId, 'Running'],
      ].sort(),
    );

    // A termination that left the claim where it was writes nothing: the claim lists the run.
    const third = await startRun(router, ns, 'terminated-in-place');
    const ended = await append(router, third, [{ type: 'WorkflowExecutionTerminated', reason: 'operator' }]);
    const writes = router.capacity.writeUnits;
    const [, endedItem] = await rawItems(historyPk(ns, third.runId));
    await router.settleVisibility((await router.batchFromStreamRecord(endedItem!))!);
    expect(router.capacity.writeUnits).toBe(writes);
    expect((await router.listRuns(ns, (run) => run.runId === third.runId, 10)).runs).toEqual([
      summarizeRun(ended),
    ]);
  });

  it('a start whose summary would take its claim past one write unit writes a visibility record instead, repaired by the router if missed', async () => {
    const ns = freshNamespace();
    const memo = { note: json('m'.repeat(1500)) };
    const store = storeWith();
    const big = await startRun(store, ns, 'big-memo', { memo });
    // The claim and the first batch, then the record.
    expect(store.capacity.byPurpose?.start?.writeRequests).toBe(3);
    const claim = (await dynamo.items(dynamo.resources().executionsTable, `${ns}#wf#big-memo`))[0];
    expect(claim?.gsi1pk).toBeUndefined();
    expect((await store.listRuns(ns, () => true, 10)).runs).toMatchObject([{ runId: big.runId, memo }]);

    // A committer that dies before that record: the router writes it from the start's stream record.
    const unseen = await startRun(storeWith(dyingBeforeVisibility()), ns, 'big-memo-unseen', { memo });
    expect((await store.listRuns(ns, () => true, 10)).runs.map((run) => run.runId)).toEqual([big.runId]);
    const [startItem] = await rawItems(historyPk(ns, unseen.runId));
    await store.settleVisibility((await store.batchFromStreamRecord(startItem!))!);
    expect((await store.listRuns(ns, () => true, 10)).runs.map((run) => run.runId)).toEqual([
      unseen.runId,
      big.runId,
    ]);
  });

  it('an upsert whose visibility write never happens is shown by the router from its stream record, and no older batch takes it back', async () => {
    const ns = freshNamespace();
    const dying = storeWith(dyingBeforeVisibility());
    const listed = async () => (await storeWith().listRuns(ns, () => true, 10)).runs;
    // The start is listed by the claim it put: no visibility write to miss.
    const started = await startRun(dying, ns, 'unseen');
    expect(await dying.getRun(ns, started.runId)).toEqual(started);
    expect(await listed()).toMatchObject([{ runId: started.runId, status: 'Running' }]);
    // The upsert commits, and never gets to its visibility record.
    const upserted = await append(dying, started, [
      { type: 'UpsertWorkflowSearchAttributes', searchAttributes: { Stage: 'paid' } },
    ]);
    expect((await listed())[0]?.searchAttributes).toEqual({});

    // The router sees the upsert first (stream order holds per item only), then the start.
    const router = storeWith();
    const [startItem, upsertItem] = await rawItems(historyPk(ns, started.runId));
    const startBatch = (await router.batchFromStreamRecord(startItem!))!;
    const upsertBatch = (await router.batchFromStreamRecord(upsertItem!))!;
    await router.settleVisibility(upsertBatch);
    await router.settleVisibility(startBatch);
    expect(await listed()).toMatchObject([
      { runId: started.runId, status: 'Running', searchAttributes: { Stage: 'paid' }, historyLength: 3 },
    ]);

    // Once the record is current, settling again only reads it; and the close, which a list reads
    // from the head, leaves the record as the upsert wrote it.
    const writes = router.capacity.writeUnits;
    await router.settleVisibility(upsertBatch);
    expect(router.capacity.writeUnits).toBe(writes);
    const closed = await append(
      dying,
      upserted,
      closingTask(upserted, { type: 'WorkflowExecutionCompleted', result: json('done') }),
    );
    expect(await listed()).toEqual([summarizeRun(closed)]);
    expect(closed.searchAttributes).toEqual({ Stage: 'paid' });
  });

  it('marks the heads the router has nothing to do for as quiet, and only those', async () => {
    const store = dynamo.store(undefined, { routerIdle: (batch) => !routerHasWork(batch) });
    const ns = freshNamespace();
    const started = await startRun(store, ns, 'marked');
    // A signal while a workflow task is already pending: nothing to send, nothing to show.
    const signalled = await append(store, started, [signal(1)]);
    await append(
      store,
      signalled,
      closingTask(signalled, { type: 'WorkflowExecutionCompleted', result: json('done') }),
    );
    // A close with no parent, schedule, children or expiry pass to notify, whose claim lists the run: quiet too.
    const heads = await rawItems(historyPk(ns, started.runId));
    expect(heads.map((item) => [item.sk?.N, item.quiet?.BOOL])).toEqual([
      ['1', undefined],
      ['3', true],
      ['4', true],
    ]);
    // An upsert and a termination (which may have moved the claim) are the router's to settle.
    const other = await startRun(store, ns, 'marked-too');
    const upserted = await append(store, other, [
      { type: 'UpsertWorkflowSearchAttributes', searchAttributes: { Stage: 'paid' } },
    ]);
    await append(store, upserted, [{ type: 'WorkflowExecutionTerminated', reason: 'operator' }]);
    const otherHeads = await rawItems(historyPk(ns, other.runId));
    expect(otherHeads.map((item) => [item.sk?.N, item.quiet?.BOOL])).toEqual([
      ['1', undefined],
      ['3', undefined],
      ['4', undefined],
    ]);
  });

  it('tells its committed hook of each batch whose commit succeeded, once, and never of a lost race', async () => {
    const told: string[][] = [];
    const store = dynamo.store(undefined, {
      committed: (batch) => told.push(batch.events.map((event) => event.type)),
    });
    const ns = freshNamespace();
    const started = await startRun(store, ns, 'told');
    const signalled = await append(store, started, [signal(1)]);
    await expect(append(store, started, [signal(2)])).rejects.toThrow(HistoryConflictError);
    await expect(startRun(store, ns, 'told', { policy: 'REJECT_DUPLICATE' })).rejects.toThrow();
    await append(
      store,
      signalled,
      closingTask(signalled, { type: 'WorkflowExecutionCompleted', result: json('done') }),
    );
    expect(told).toEqual([
      ['WorkflowExecutionStarted', 'WorkflowTaskScheduled'],
      ['WorkflowExecutionSignaled'],
      ['WorkflowTaskStarted', 'WorkflowTaskCompleted', 'WorkflowExecutionCompleted'],
    ]);
  });

  it('turns history stream records (SDK or Lambda shaped) into committed batches, skipping chunk items', async () => {
    const store = storeWith();
    const ns = freshNamespace();
    const started = await startRun(store, ns, 'fan-out', { input: [megabytePayload()] });
    const fanned = request(started, fanOut(started, 1000));
    await store.append(fanned);

    const [first, second] = await rawItems(historyPk(ns, started.runId));
    const expected = {
      namespace: ns,
      workflowId: 'fan-out',
      runId: started.runId,
      taskQueue: 'orders',
    };
    const cold = storeWith();
    expect(await cold.batchFromStreamRecord(first!)).toEqual({
      ...expected,
      events: (await readFullHistory({ store }, ns, started.runId)).slice(0, 2),
      state: started,
    });
    expect(await cold.batchFromStreamRecord(second!)).toEqual({
      ...expected,
      events: fanned.events,
      state: fanned.state,
    });

    // A Lambda event carries binary attributes as base64 text.
    const lambdaShaped = Object.fromEntries(
      Object.entries(second!).map(([name, value]) => [
        name,
        value.B ? { B: Buffer.from(value.B).toString('base64') } : value,
      ]),
    );
    expect((await cold.batchFromStreamRecord(lambdaShaped))?.events).toEqual(fanned.events);

    const [chunk] = await rawItems(chunkPk(ns, started.runId));
    expect(chunk).toBeDefined();
    expect(await cold.batchFromStreamRecord(chunk!)).toBeUndefined();
  });
});
