// Eager execution on the local stack: a worker runs the activities its workflow tasks schedule in
// the same invocation, and a run survives that invocation being killed at every point of the chain.
// The kill tests run concurrently (each waits out a visibility timeout), each on its own task queue
// so that no invocation carries two tests' messages, and each watching its own workflow ids.

import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { type TestWorkflowEnvironment, Worker } from 'cairnflow/testing';
import { createWorker } from 'cairnflow/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentInvocation, LocalFunction } from '../../../local/function-host.ts';
import { toRecord } from '../../../local/sqs-mapping.ts';
import type { AppendRequest } from '../../../sdk/backend/ports.ts';
import type { EventOf, HistoryEvent } from '../../../sdk/engine/events.ts';
import type { WorkerDefinition } from '../../../sdk/runtime/worker-registry.ts';
import { localEnv } from '../../support/local-env.ts';
import * as activities from './eager-activities.ts';
import { type Attempt, attempts, probes } from './eager-activities.ts';
import * as workflows from './eager-workflows.ts';

let env: TestWorkflowEnvironment;

/** Messages each worker invocation received, by workflow id and task kind. */
const received: { workflowId: string; kind: string; invocation: number }[] = [];

/** Appends of the runs a test watches, by workflow id (see `watchAppends`). */
const appendWatchers = new Map<
  string,
  (request: AppendRequest, n: number, append: () => Promise<void>) => Promise<void>
>();

/** The task queues of the kill tests: the same worker as 'eager', one function each. */
const killQueues = ['eager-kill-before', 'eager-kill-after', 'eager-kill-mid'];

beforeAll(async () => {
  env = await localEnv({
    workers: [
      { taskQueue: 'eager', workflows, activities },
      { taskQueue: 'queued', workflows, activities, maxEagerActivities: 0 },
      ...killQueues.map((taskQueue): WorkerDefinition => ({ taskQueue, workflows, activities })),
    ],
    // A 4 s worker function: its queues' visibility timeout is 24 s, so a killed invocation's
    // messages reappear within a test, and an eager attempt (≤ 500 ms) plus the margin fits.
    functionTimeoutSeconds: 4,
  });
  for (const name of ['cairn-local-worker-eager', 'cairn-local-worker-queued']) {
    env.localStack!.functions.get(name)!.intercept((handler) => async (event, context) => {
      const invocation = currentInvocation()!.id;
      for (const record of (event as SQSEvent).Records ?? []) {
        const { task } = JSON.parse(record.body) as { task: { kind: string; ref: { workflowId: string } } };
        received.push({ workflowId: task.ref.workflowId, kind: task.kind, invocation });
      }
      return handler(event, context);
    });
  }
  const store = env.localStack!.runtime.store;
  const original = store.append.bind(store);
  const counts = new Map<string, number>();
  store.append = (request) => {
    const { workflowId } = request.state;
    const onAppend = appendWatchers.get(workflowId);
    if (!onAppend) return original(request);
    const n = (counts.get(workflowId) ?? 0) + 1;
    counts.set(workflowId, n);
    return onAppend(request, n, () => original(request));
  };
}, 60_000);

// The context's `expect`: the kill tests run concurrently.
afterEach(async ({ expect }) => {
  expect(await env.verifyHistories()).toEqual([]);
});

afterAll(async () => {
  await env?.teardown();
});

/**
 * Calls `onAppend` with each append of `workflowId`'s run and its 1-based number, until the test
 * ends (`onTestFinished`, the test context's).
 */
function watchAppends(
  onTestFinished: (fn: () => void) => void,
  workflowId: string,
  onAppend: (request: AppendRequest, n: number, append: () => Promise<void>) => Promise<void>,
) {
  appendWatchers.set(workflowId, onAppend);
  onTestFinished(() => appendWatchers.delete(workflowId));
}

/** Calls `onStep` at the start of each attempt of the runs of `workflowIds`, until the test ends. */
function watchSteps(
  onTestFinished: (fn: () => void) => void,
  workflowIds: string[],
  onStep: (attempt: Attempt) => void,
) {
  for (const workflowId of workflowIds) probes.set(workflowId, onStep);
  onTestFinished(() => {
    for (const workflowId of workflowIds) probes.delete(workflowId);
  });
}

/** Kills the invocation making the `n`-th append of `workflowId`'s run, before or after it lands. */
function killAtAppend(
  onTestFinished: (fn: () => void) => void,
  workflowId: string,
  n: number,
  when: 'before' | 'after',
) {
  const killed = { at: undefined as number | undefined };
  watchAppends(onTestFinished, workflowId, async (request, count, append) => {
    if (count !== n) return append();
    killed.at = request.expectedNextEventId;
    if (when === 'after') await append();
    currentInvocation()?.kill(`${when} append ${n} of ${workflowId}`);
    // A dead runtime never returns from anything.
    return new Promise<never>(() => {});
  });
  return killed;
}

/** Receives `count` messages of a queue as the event source mapping would, as SQS records. */
async function receiveAll(queueUrl: string, queueArn: string, count: number): Promise<SQSEvent['Records']> {
  const sqs = new SQSClient({ region: 'us-east-1', useQueueUrlAsEndpoint: false });
  const records: SQSEvent['Records'] = [];
  const deadline = Date.now() + 10_000;
  while (records.length < count && Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 24,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    for (const message of out.Messages ?? []) records.push(toRecord(message, queueArn));
  }
  if (records.length < count) throw new Error(`Received ${records.length} of ${count} messages`);
  return records;
}

const scheduled = (events: HistoryEvent[]) =>
  events.filter((e): e is EventOf<'ActivityTaskScheduled'> => e.type === 'ActivityTaskScheduled');
const ofType = (events: HistoryEvent[], type: HistoryEvent['type']) => events.filter((e) => e.type === type);
const attemptsOf = (workflowId: string) => attempts.filter((a) => a.workflowId === workflowId);

describe('eager execution on the local stack', () => {
  it('advances a sequential workflow inside one worker invocation, one conditional write per step', async ({
    onTestFinished,
  }) => {
    let appends = 0;
    watchAppends(onTestFinished, 'one-invocation', async (_request, _n, append) => {
      appends++;
      return append();
    });
    const handle = await env.client.workflow.start(workflows.sequence, {
      taskQueue: 'eager',
      workflowId: 'one-invocation',
      args: [5],
    });
    expect(await handle.result()).toBe(10);
    const { events } = await handle.fetchHistory();
    expect(scheduled(events).map((e) => e.eagerUntil !== undefined)).toEqual([true, true, true, true, true]);
    const mine = received.filter((r) => r.workflowId === 'one-invocation');
    // The start's workflow task was the only message: every activity ran in its invocation.
    expect(mine.map((r) => r.kind)).toEqual(['workflow']);
    // The first workflow task, then each outcome with the next task: 1 + 5 writes for 5 steps.
    expect(appends).toBe(6);
    expect(attemptsOf('one-invocation').map((a) => a.attempt)).toEqual([1, 1, 1, 1, 1]);
  });

  it('sends every activity through the queue when maxEagerActivities is 0', async () => {
    const handle = await env.client.workflow.start(workflows.sequence, {
      taskQueue: 'queued',
      workflowId: 'not-eager',
      args: [3],
    });
    expect(await handle.result()).toBe(3);
    const { events } = await handle.fetchHistory();
    expect(scheduled(events).every((e) => e.eagerUntil === undefined)).toBe(true);
    const kinds = received.filter((r) => r.workflowId === 'not-eager').map((r) => r.kind);
    expect(kinds.filter((kind) => kind === 'activity')).toHaveLength(3);
  });

  it('hands the run over to the queue before the invocation runs out of time', async () => {
    const worker = env.localStack!.functions.get('cairn-local-worker-eager')!;
    const errorsBefore = worker.errors;
    // 12 steps of 400 ms do not fit in one 4 s invocation: claims stop while there is time left.
    const handle = await env.client.workflow.start(workflows.sequence, {
      taskQueue: 'eager',
      workflowId: 'handover',
      args: [12, 400],
    });
    expect(await handle.result()).toBe(66);
    const { events } = await handle.fetchHistory();
    const eager = scheduled(events).map((e) => e.eagerUntil !== undefined);
    expect(eager).toContain(true);
    expect(eager).toContain(false);
    expect(ofType(events, 'ActivityTaskTimedOut')).toEqual([]);
    expect(worker.errors).toBe(errorsBefore);
    expect(
      new Set(received.filter((r) => r.workflowId === 'handover').map((r) => r.invocation)).size,
    ).toBeGreaterThan(1);
  });
});

describe.concurrent('a killed invocation: the chain resumes from history when its message reappears', () => {
  it('before the commit: the lost outcome is timed out and its activity retried', async ({
    expect,
    onTestFinished,
  }) => {
    // Append 3 carries step 1's outcome and claims step 2: it never lands.
    const killed = killAtAppend(onTestFinished, 'kill-before-commit', 3, 'before');
    const handle = await env.client.workflow.start(workflows.sequence, {
      taskQueue: 'eager-kill-before',
      workflowId: 'kill-before-commit',
      args: [4],
    });
    expect(await handle.result()).toBe(6);
    expect(killed.at).toBeDefined();
    const { events } = await handle.fetchHistory();
    const timedOut = ofType(events, 'ActivityTaskTimedOut') as EventOf<'ActivityTaskTimedOut'>[];
    expect(timedOut.map((e) => [e.timeoutType, e.attempt, e.retryState])).toEqual([
      ['StartToClose', 1, 'InProgress'],
    ]);
    expect(ofType(events, 'ActivityTaskCompleted')).toHaveLength(4);
    // Step 1 ran twice (at least once); the others once.
    expect(attemptsOf('kill-before-commit').map((a) => `${a.i}#${a.attempt}`)).toEqual([
      '0#1',
      '1#1',
      '1#2',
      '2#1',
      '3#1',
    ]);
  }, 60_000);

  it('after the commit: the claimed activity that never started is timed out and retried', async ({
    expect,
    onTestFinished,
  }) => {
    const killed = killAtAppend(onTestFinished, 'kill-after-commit', 3, 'after');
    const handle = await env.client.workflow.start(workflows.sequence, {
      taskQueue: 'eager-kill-after',
      workflowId: 'kill-after-commit',
      args: [4],
    });
    expect(await handle.result()).toBe(6);
    expect(killed.at).toBeDefined();
    const { events } = await handle.fetchHistory();
    const timedOut = ofType(events, 'ActivityTaskTimedOut') as EventOf<'ActivityTaskTimedOut'>[];
    expect(timedOut.map((e) => e.scheduledEventId)).toEqual([scheduled(events)[2]!.eventId]);
    // Step 2's first attempt never ran: the dead invocation claimed it and stopped.
    expect(attemptsOf('kill-after-commit').map((a) => `${a.i}#${a.attempt}`)).toEqual([
      '0#1',
      '1#1',
      '2#2',
      '3#1',
    ]);
  }, 60_000);

  it('mid-activity: the attempt is timed out and retried from the queue', async ({
    expect,
    onTestFinished,
  }) => {
    watchSteps(onTestFinished, ['kill-mid-activity'], ({ i, attempt }) => {
      if (i === 2 && attempt === 1) currentInvocation()?.kill();
    });
    const handle = await env.client.workflow.start(workflows.sequence, {
      taskQueue: 'eager-kill-mid',
      workflowId: 'kill-mid-activity',
      args: [4],
    });
    expect(await handle.result()).toBe(6);
    const { events } = await handle.fetchHistory();
    expect(ofType(events, 'ActivityTaskTimedOut')).toHaveLength(1);
    expect(ofType(events, 'ActivityTaskCompleted')).toHaveLength(4);
    expect(attemptsOf('kill-mid-activity').map((a) => `${a.i}#${a.attempt}`)).toEqual([
      '0#1',
      '1#1',
      '2#1',
      '2#2',
      '3#1',
    ]);
  }, 60_000);

  it('mid-batch: every run of the killed batch completes, each step at least once', async ({
    expect,
    onTestFinished,
  }) => {
    // The task queue is known, but its worker runs only later: the four first workflow tasks wait
    // in its queue, and this test hands them to one invocation, as the event source mapping would.
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'eager-batch',
      workflows,
      activities,
    });
    const ids = ['batch-a', 'batch-b', 'batch-c', 'batch-d'];
    const handles = await Promise.all(
      ids.map((workflowId) =>
        env.client.workflow.start(workflows.sequence, { taskQueue: 'eager-batch', workflowId, args: [3] }),
      ),
    );
    const queue = env.localStack!.queues.perTaskQueue.find((q) => q.taskQueue === 'eager-batch')!;
    const records = await receiveAll(queue.workflow.url, queue.workflow.arn, ids.length);
    let killedBatch: number | undefined;
    watchSteps(onTestFinished, ids, ({ i }) => {
      const invocation = currentInvocation();
      const size = (invocation?.event as SQSEvent | undefined)?.Records?.length ?? 0;
      if (killedBatch === undefined && i === 1) {
        killedBatch = size;
        invocation!.kill('mid-batch');
      }
    });
    const handler = createWorker({ taskQueue: 'eager-batch', workflows, activities });
    const invocation = new LocalFunction('eager-batch-test', handler, { timeoutMs: 4_000, concurrency: 1 });
    await expect(invocation.invoke({ Records: records })).rejects.toThrow(/Runtime exited: mid-batch/);
    expect(killedBatch).toBe(ids.length);
    // Nothing acknowledged the batch: its messages reappear after the visibility timeout, to the
    // worker that now serves the queue.
    const results = await worker.runUntil(Promise.all(handles.map((handle) => handle.result())));
    expect(results).toEqual([3, 3, 3, 3]);
    for (const workflowId of ids) {
      const steps = new Set(attemptsOf(workflowId).map((a) => a.i));
      expect([...steps].sort()).toEqual([0, 1, 2]);
      const { events } = await env.client.workflow.getHandle(workflowId).fetchHistory();
      expect(ofType(events, 'ActivityTaskCompleted')).toHaveLength(3);
    }
  }, 90_000);

  it('runs one-minute-bound activities eagerly, and hands one still running at the deadline to the watchdogs', async ({
    expect,
  }) => {
    // As in a deployed worker: the function's timeout is shorter than the activities' one minute.
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'eager-minute',
      workflows,
      activities,
    });
    const handle = await env.client.workflow.start(workflows.minuteBound, {
      taskQueue: 'eager-minute',
      workflowId: 'minute-bound',
      args: [12_000],
    });
    const queue = env.localStack!.queues.perTaskQueue.find((q) => q.taskQueue === 'eager-minute')!;
    const records = await receiveAll(queue.workflow.url, queue.workflow.arn, 1);
    const handler = createWorker({ taskQueue: 'eager-minute', workflows, activities });
    // 11.5 s: the window (10 s) and the margin fit at the start, so both steps are claimed; the
    // second's 12 s outlast the invocation, which hands it over at 10.5 s and ends on time.
    const invocation = new LocalFunction('eager-minute-test', handler, { timeoutMs: 11_500, concurrency: 1 });
    const t0 = Date.now();
    await expect(invocation.invoke({ Records: records })).resolves.toEqual({ batchItemFailures: [] });
    expect(Date.now() - t0).toBeLessThan(11_500);
    expect(await worker.runUntil(handle.result())).toBe(1);
    const { events } = await handle.fetchHistory();
    expect(scheduled(events).map((e) => e.eagerUntil !== undefined)).toEqual([true, true]);
    expect(ofType(events, 'ActivityTaskTimedOut')).toEqual([]);
    expect(attemptsOf('minute-bound').map((a) => [a.i, a.attempt])).toEqual([
      [0, 1],
      [1, 1],
    ]);
  }, 60_000);
});
