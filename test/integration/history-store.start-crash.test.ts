import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { historyPk } from '../../sdk/backend/dynamodb/keys.ts';
import { START_GRACE_MS, VOIDED_RUN } from '../../sdk/backend/dynamodb/run-claims.ts';
import { HistoryConflictError, WorkflowExecutionAlreadyStartedError } from '../../sdk/common/errors.ts';
import { awaitFirstBatch, FirstBatchPendingError } from '../../sdk/runtime/first-batch.ts';
import { newRun } from '../../sdk/runtime/start-workflow.ts';
import { dynamoFixture } from './dynamodb-store-fixture.ts';
import { freshNamespace, startRequest, startRun, tick } from './history-store.conformance.ts';

const dynamo = dynamoFixture();

/** A client that dies right after the claim, before the run's first batch, as a crashed start would. */
const dyingBeforeFirstBatch = () =>
  dynamo.dyingAtPuts((item) => item.kind?.S === 'batch' && item.sk?.N === '1', 'first batch');

/** A store whose clock reads `aheadMs` past the real one (and past `tick`'s, which runs a second ahead per start). */
const storeAhead = (aheadMs: number) => dynamo.store(undefined, { now: () => Date.now() + aheadMs });

/** Starts `workflowId` with a store whose first-batch put dies, leaving the claim of a run without history. */
async function startThatDies(namespace: string, workflowId: string, requestId?: string): Promise<string> {
  const runId = randomUUID();
  const run = newRun(startRequest(namespace, workflowId, { requestId }), runId, tick());
  await expect(dynamo.store(dyingBeforeFirstBatch()).createRun(run, 'REJECT_DUPLICATE')).rejects.toThrow(
    /simulated crash before the first batch/,
  );
  return runId;
}

describe('a start is two conditional puts, the claim and the first batch: a start that dies between them', () => {
  it('leaves a claim that names no run: nothing to read, list or signal', async () => {
    const ns = freshNamespace();
    const store = dynamo.store();
    const orphan = await startThatDies(ns, 'died');
    expect(await store.getCurrentRunId(ns, 'died')).toBe(orphan);
    expect(await store.getRun(ns, orphan)).toBeUndefined();
    expect(await store.readHistory(ns, orphan, 1)).toEqual({ events: [] });
    expect((await store.listRuns(ns, () => true, 10)).runs).toEqual([]);
  });

  it('a retry of the same start request voids that run at once and starts its own', async () => {
    const ns = freshNamespace();
    const store = dynamo.store();
    const orphan = await startThatDies(ns, 'retried', 'request-1');
    const state = await startRun(store, ns, 'retried', {
      policy: 'REJECT_DUPLICATE',
      requestId: 'request-1',
    });
    expect(await store.getCurrentRunId(ns, 'retried')).toBe(state.runId);
    expect(await store.getRun(ns, state.runId)).toEqual(state);
    const [marker] = await dynamo.items(dynamo.resources().historyTable, historyPk(ns, orphan));
    expect(marker?.kind?.S).toBe(VOIDED_RUN);
    expect(Number(marker?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000);
    expect(await store.getRun(ns, orphan)).toBeUndefined();
    expect((await store.listRuns(ns, () => true, 10)).runs.map((run) => run.runId)).toEqual([state.runId]);
  });

  it('another start is refused while the first batch may still be on its way, and takes the id over after, whatever its policy', async () => {
    const ns = freshNamespace();
    await startThatDies(ns, 'taken-over');
    await expect(startRun(dynamo.store(), ns, 'taken-over', { policy: 'ALLOW_DUPLICATE' })).rejects.toThrow(
      WorkflowExecutionAlreadyStartedError,
    );
    const later = storeAhead(START_GRACE_MS + 600_000);
    const state = await startRun(later, ns, 'taken-over', { policy: 'REJECT_DUPLICATE' });
    expect(await later.getCurrentRunId(ns, 'taken-over')).toBe(state.runId);
    // And the new run holds the id as any run does: the next start is refused.
    await expect(startRun(later, ns, 'taken-over', { policy: 'REJECT_DUPLICATE' })).rejects.toThrow(
      WorkflowExecutionAlreadyStartedError,
    );
  });

  it('the stalled start, should it wake after its run was voided, fails its first batch and writes nothing', async () => {
    const ns = freshNamespace();
    const runId = randomUUID();
    const run = newRun(startRequest(ns, 'stalled', {}), runId, tick());
    // The stalled start's claim (its put of the first batch is still to come).
    await expect(dynamo.store(dyingBeforeFirstBatch()).createRun(run, 'ALLOW_DUPLICATE')).rejects.toThrow();
    const winner = await startRun(storeAhead(START_GRACE_MS + 600_000), ns, 'stalled');
    // It wakes: a retry of its own writes (its claim put finds another run's claim; its batch the marker).
    const store = dynamo.store();
    await expect(store.createRun(run, 'ALLOW_DUPLICATE')).rejects.toThrow(
      WorkflowExecutionAlreadyStartedError,
    );
    expect(await store.getRun(ns, runId)).toBeUndefined();
    expect(await store.getCurrentRunId(ns, 'stalled')).toBe(winner.runId);
  });

  it('a start whose first batch is refused by the marker fails as a conflict, so the runtime starts afresh', async () => {
    const ns = freshNamespace();
    const runId = randomUUID();
    const run = newRun(startRequest(ns, 'raced', { requestId: 'r' }), runId, tick());
    const store = dynamo.store();
    // Its claim lands, and before its batch does, a retry of the same request voids it.
    let released!: () => void;
    const claimed = new Promise<void>((resolve) => {
      released = resolve;
    });
    const slow = dynamo.client();
    slow.middlewareStack.add(
      (next, context) => async (args) => {
        const body = String((args.request as { body?: unknown }).body ?? '');
        if (context.commandName === 'PutItemCommand' && body.includes('"kind":{"S":"batch"}')) await claimed;
        return next(args);
      },
      { step: 'build', name: 'holdFirstBatch' },
    );
    const stalled = dynamo.store(slow).createRun(run, 'ALLOW_DUPLICATE');
    const retried = (async () => {
      for (let i = 0; i < 100 && (await store.getCurrentRunId(ns, 'raced')) !== runId; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const state = await startRun(store, ns, 'raced', { requestId: 'r' });
      released();
      return state;
    })();
    await expect(stalled).rejects.toThrow(HistoryConflictError);
    const state = await retried;
    expect(await store.getCurrentRunId(ns, 'raced')).toBe(state.runId);
    expect(await store.getRun(ns, runId)).toBeUndefined();
  });
});

describe("a start that sends its run's first tasks itself (createRun's dispatchFirst)", () => {
  it('sends them after the claim and before the first batch, which the router is spared', async () => {
    const ns = freshNamespace();
    const store = dynamo.store();
    const run = newRun(startRequest(ns, 'sends-first', {}), randomUUID(), tick());
    const seen: string[] = [];
    await store.createRun(run, 'ALLOW_DUPLICATE', undefined, async () => {
      seen.push(`claim ${await store.getCurrentRunId(ns, 'sends-first')}`);
      seen.push(
        `batch ${(await dynamo.items(dynamo.resources().historyTable, historyPk(ns, run.state.runId))).length}`,
      );
      return true;
    });
    expect(seen).toEqual([`claim ${run.state.runId}`, 'batch 0']);
    const [head] = await dynamo.items(dynamo.resources().historyTable, historyPk(ns, run.state.runId));
    expect(head?.quiet?.BOOL).toBe(true);
    expect(await store.getRun(ns, run.state.runId)).toEqual(run.state);
  });

  it('leaves them to the router when they could not be sent, or when the router must see the batch anyway', async () => {
    const ns = freshNamespace();
    const store = dynamo.store();
    // Not sent: the batch is written for the router to route.
    const unsent = newRun(startRequest(ns, 'unsent', {}), randomUUID(), tick());
    await store.createRun(unsent, 'ALLOW_DUPLICATE', undefined, async () => false);
    const [routed] = await dynamo.items(dynamo.resources().historyTable, historyPk(ns, unsent.state.runId));
    expect(routed?.quiet).toBeUndefined();
    expect(await store.getRun(ns, unsent.state.runId)).toEqual(unsent.state);
    // A start that dies sending them writes no batch.
    const failed = newRun(startRequest(ns, 'send-fails', {}), randomUUID(), tick());
    await expect(
      store.createRun(failed, 'ALLOW_DUPLICATE', undefined, () => Promise.reject(new Error('SQS is down'))),
    ).rejects.toThrow('SQS is down');
    expect(await store.getRun(ns, failed.state.runId)).toBeUndefined();
    expect(await dynamo.items(dynamo.resources().historyTable, historyPk(ns, failed.state.runId))).toEqual(
      [],
    );

    // A summary too large for the claim needs the router's visibility settle: not sent by the start.
    const memo = {
      note: { metadata: { encoding: 'json/plain' }, data: Buffer.from('"m"').toString('base64') },
    };
    const big = newRun(
      startRequest(ns, 'big', { memo: { ...memo, long: { ...memo.note, data: 'x'.repeat(1500) } } }),
      randomUUID(),
      tick(),
    );
    let sent = false;
    await store.createRun(big, 'ALLOW_DUPLICATE', undefined, async () => {
      sent = true;
      return true;
    });
    expect(sent).toBe(false);
    const [head] = await dynamo.items(dynamo.resources().historyTable, historyPk(ns, big.state.runId));
    expect(head?.quiet).toBeUndefined();
  });
});

describe("a worker given a start's workflow task before the run is written (awaitFirstBatch)", () => {
  const ref = (namespace: string, runId: string) => ({ namespace, workflowId: 'early', runId });

  it('waits for the batch that is on its way', async () => {
    const ns = freshNamespace();
    const store = dynamo.store();
    const run = newRun(startRequest(ns, 'early', {}), randomUUID(), tick());
    const later = new Promise((resolve) => setTimeout(resolve, 150)).then(() =>
      store.createRun(run, 'ALLOW_DUPLICATE'),
    );
    expect(
      await awaitFirstBatch({ store }, ref(ns, run.state.runId), { redelivered: false, waitMs: 2500 }),
    ).toEqual(run.state);
    await later;
  });

  it('fails a first delivery that waited in vain, and on a redelivery voids the start at once, whose batch then fails', async () => {
    const ns = freshNamespace();
    const store = dynamo.store();
    const runId = randomUUID();
    await expect(
      awaitFirstBatch({ store }, ref(ns, runId), { redelivered: false, waitMs: 300 }),
    ).rejects.toThrow(FirstBatchPendingError);
    expect(
      await awaitFirstBatch({ store }, ref(ns, runId), { redelivered: true, waitMs: 0 }),
    ).toBeUndefined();
    // The stalled start wakes: its claim lands, its batch does not.
    const run = newRun(startRequest(ns, 'early', {}), runId, tick());
    await expect(store.createRun(run, 'ALLOW_DUPLICATE')).rejects.toThrow(HistoryConflictError);
    expect(await store.getRun(ns, runId)).toBeUndefined();
    // And the next start takes the id over from the voided run.
    const next = await startRun(storeAhead(START_GRACE_MS + 600_000), ns, 'early');
    expect(await store.getCurrentRunId(ns, 'early')).toBe(next.runId);
  });

  it('answers the run on a redelivery when the batch is there after all', async () => {
    const ns = freshNamespace();
    const store = dynamo.store();
    const state = await startRun(store, ns, 'early');
    expect(await store.voidStart(ns, state.runId)).toBe(false);
    expect(await awaitFirstBatch({ store }, ref(ns, state.runId), { redelivered: true, waitMs: 0 })).toEqual(
      state,
    );
  });
});
