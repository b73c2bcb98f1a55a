import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppendRequest, HistoryStore, NewRun, RunSummary } from '../../sdk/backend/ports.ts';
import {
  HistoryConflictError,
  InvalidArgumentError,
  WorkflowExecutionAlreadyStartedError,
} from '../../sdk/common/errors.ts';
import type { Payload } from '../../sdk/common/payload.ts';
import type { HistoryEvent, WorkflowIdReusePolicyName } from '../../sdk/engine/events.ts';
import type { ExecutionStatus, RunState } from '../../sdk/engine/run-state.ts';
import { appendRequest, numberEvents, type PendingEvent, readFullHistory } from '../../sdk/runtime/commit.ts';
import { newRun, type StartRequest } from '../../sdk/runtime/start-workflow.ts';

// ---- Fixtures: real event shapes, built the way the runtime builds them ----

// Near the real time: the DynamoDB store's items expire relative to it, and so do closed runs.
let clock = Math.floor(Date.now() / 1000) * 1000;
/** A strictly increasing time, so runs started one after another list in start order. */
export const tick = () => (clock += 1000);

export const json = (value: unknown): Payload => ({
  metadata: { encoding: 'json/plain' },
  data: JSON.stringify(value),
});

/** A namespace no other test uses. */
export const freshNamespace = () => `ns-${randomUUID().slice(0, 8)}`;

export function startRequest(
  namespace: string,
  workflowId: string,
  overrides: Partial<StartRequest> = {},
): StartRequest {
  return {
    namespace,
    workflowId,
    workflowType: 'OrderWorkflow',
    taskQueue: 'orders',
    input: [json({ workflowId })],
    ...overrides,
  };
}

/** Creates a run under `policy` and returns its state. */
export async function startRun(
  store: HistoryStore,
  namespace: string,
  workflowId: string,
  options: {
    policy?: WorkflowIdReusePolicyName;
    runId?: string;
    terminate?: AppendRequest;
  } & Partial<StartRequest> = {},
): Promise<RunState> {
  const { policy = 'ALLOW_DUPLICATE', runId = randomUUID(), terminate, ...overrides } = options;
  const run = newRun(startRequest(namespace, workflowId, overrides), runId, tick());
  await store.createRun(run, policy, terminate);
  return run.state;
}

/** The append request for `bodies` on top of `state`, as `commitToRun` builds it. */
export function request(state: RunState, bodies: PendingEvent[]): AppendRequest {
  return appendRequest(state, numberEvents(bodies, state.nextEventId, tick()));
}

export async function append(
  store: HistoryStore,
  state: RunState,
  bodies: PendingEvent[],
): Promise<RunState> {
  const req = request(state, bodies);
  await store.append(req);
  return req.state;
}

/** A workflow task that completes the run with `closing` (a close event body). */
export function closingTask(state: RunState, closing: PendingEvent): PendingEvent[] {
  const scheduledEventId = state.workflowTask?.scheduledEventId ?? 0;
  return [
    { type: 'WorkflowTaskStarted', scheduledEventId, attempt: 1 },
    { type: 'WorkflowTaskCompleted', scheduledEventId },
    closing,
  ];
}

const closeBody = (status: ExecutionStatus): PendingEvent => {
  switch (status) {
    case 'Completed':
      return { type: 'WorkflowExecutionCompleted', result: json('done') };
    case 'Failed':
      return {
        type: 'WorkflowExecutionFailed',
        failure: { kind: 'application', message: 'boom', type: 'Error' },
      };
    case 'Terminated':
      return { type: 'WorkflowExecutionTerminated', reason: 'test' };
    default:
      throw new Error(`No fixture closes a run as ${status}`);
  }
};

/** The append that continues `state`'s run as new, with its new run. */
function continueAsNew(namespace: string, state: RunState): AppendRequest & { newRun: NewRun } {
  const nextRunId = randomUUID();
  const req = request(
    state,
    closingTask(state, {
      type: 'WorkflowExecutionContinuedAsNew',
      newRunId: nextRunId,
      workflowType: 'OrderWorkflow',
      taskQueue: 'orders',
      input: [json('again')],
    }),
  );
  const next = newRun(
    startRequest(namespace, state.workflowId, { input: [json('again')] }),
    nextRunId,
    tick(),
  );
  return { ...req, newRun: next };
}

export const signal = (n: number): PendingEvent => ({
  type: 'WorkflowExecutionSignaled',
  signalName: 'tick',
  input: [json(n)],
});

const ids = (events: HistoryEvent[]) => events.map((event) => event.eventId);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function listAll(
  store: HistoryStore,
  namespace: string,
  pageSize: number,
  matches = (_: RunSummary) => true,
) {
  const pages: RunSummary[][] = [];
  let token: string | undefined;
  do {
    const page = await store.listRuns(namespace, matches, pageSize, token);
    pages.push(page.runs);
    token = page.nextPageToken;
  } while (token);
  return pages;
}

/**
 * One behavioural suite for every `HistoryStore` adapter (STYLE.md, "One conformance suite, many
 * backends"). `make` builds a store; each test works in namespaces of its own.
 */
export function historyStoreConformance(
  name: string,
  make: () => Promise<{ store: HistoryStore; close(): Promise<void> }>,
) {
  describe(`HistoryStore conformance: ${name}`, () => {
    let store: HistoryStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await make());
    });
    afterAll(async () => {
      await close?.();
    });

    describe('starting runs', () => {
      it('creates a run, claims its workflow id and reads back its state and first events', async () => {
        const ns = freshNamespace();
        const runId = randomUUID();
        const run = newRun(startRequest(ns, 'order-1', { memo: { note: json('hi') } }), runId, tick());
        await store.createRun(run, 'ALLOW_DUPLICATE');

        expect(await store.getRun(ns, runId)).toEqual(run.state);
        expect(await store.getCurrentRunId(ns, 'order-1')).toBe(runId);
        const page = await store.readHistory(ns, runId, 1);
        expect(page).toEqual({ events: run.events });
        expect(page.events.map((event) => event.type)).toEqual([
          'WorkflowExecutionStarted',
          'WorkflowTaskScheduled',
        ]);
      });

      it('knows nothing of runs and workflow ids that were never started', async () => {
        const ns = freshNamespace();
        expect(await store.getRun(ns, randomUUID())).toBeUndefined();
        expect(await store.getCurrentRunId(ns, 'nobody')).toBeUndefined();
        expect(await store.readHistory(ns, randomUUID(), 1)).toEqual({ events: [] });
      });

      it.each<WorkflowIdReusePolicyName>([
        'ALLOW_DUPLICATE',
        'ALLOW_DUPLICATE_FAILED_ONLY',
        'REJECT_DUPLICATE',
        'TERMINATE_IF_RUNNING',
      ])('refuses a second run while the first is running (%s without a termination)', async (policy) => {
        const ns = freshNamespace();
        const first = await startRun(store, ns, 'order-1');
        const second = randomUUID();
        await expect(startRun(store, ns, 'order-1', { policy, runId: second })).rejects.toThrow(
          WorkflowExecutionAlreadyStartedError,
        );
        expect(await store.getCurrentRunId(ns, 'order-1')).toBe(first.runId);
        expect(await store.getRun(ns, second)).toBeUndefined();
      });

      it.each<[ExecutionStatus, WorkflowIdReusePolicyName, boolean]>([
        ['Completed', 'ALLOW_DUPLICATE', true],
        ['Completed', 'ALLOW_DUPLICATE_FAILED_ONLY', false],
        ['Completed', 'REJECT_DUPLICATE', false],
        ['Completed', 'TERMINATE_IF_RUNNING', true],
        ['Failed', 'ALLOW_DUPLICATE', true],
        ['Failed', 'ALLOW_DUPLICATE_FAILED_ONLY', true],
        ['Failed', 'REJECT_DUPLICATE', false],
        ['Terminated', 'ALLOW_DUPLICATE_FAILED_ONLY', true],
      ])('after a run closed as %s, %s %s a new run', async (status, policy, allowed) => {
        const ns = freshNamespace();
        const first = await startRun(store, ns, 'order-1');
        const closed = await append(store, first, closingTask(first, closeBody(status)));
        expect(closed.status).toBe(status);

        const attempt = startRun(store, ns, 'order-1', { policy });
        if (allowed) {
          const second = await attempt;
          expect(await store.getCurrentRunId(ns, 'order-1')).toBe(second.runId);
          expect((await store.getRun(ns, second.runId))?.status).toBe('Running');
        } else {
          await expect(attempt).rejects.toThrow(WorkflowExecutionAlreadyStartedError);
          expect(await store.getCurrentRunId(ns, 'order-1')).toBe(first.runId);
        }
      });

      it('lets exactly one of two concurrent starts of a workflow id win', async () => {
        const ns = freshNamespace();
        const results = await Promise.allSettled([
          startRun(store, ns, 'order-1'),
          startRun(store, ns, 'order-1'),
        ]);
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const [rejected] = results.filter((result) => result.status === 'rejected');
        expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(
          WorkflowExecutionAlreadyStartedError,
        );
      });

      it('TERMINATE_IF_RUNNING terminates the running run in the same write that starts the next', async () => {
        const ns = freshNamespace();
        const first = await startRun(store, ns, 'order-1');
        const terminate = request(first, [{ type: 'WorkflowExecutionTerminated', reason: 'replaced' }]);
        const second = await startRun(store, ns, 'order-1', { policy: 'TERMINATE_IF_RUNNING', terminate });

        expect(await store.getRun(ns, first.runId)).toEqual(terminate.state);
        expect((await store.getRun(ns, first.runId))?.status).toBe('Terminated');
        expect((await store.readHistory(ns, first.runId, 1)).events.at(-1)?.type).toBe(
          'WorkflowExecutionTerminated',
        );
        expect(await store.getCurrentRunId(ns, 'order-1')).toBe(second.runId);
        expect((await store.getRun(ns, second.runId))?.status).toBe('Running');
      });

      it('TERMINATE_IF_RUNNING fails as a conflict, starting nothing, when the running run moved on', async () => {
        const ns = freshNamespace();
        const first = await startRun(store, ns, 'order-1');
        const stale = request(first, [{ type: 'WorkflowExecutionTerminated', reason: 'replaced' }]);
        const moved = await append(store, first, [signal(1)]);
        const second = randomUUID();

        await expect(
          startRun(store, ns, 'order-1', { policy: 'TERMINATE_IF_RUNNING', terminate: stale, runId: second }),
        ).rejects.toThrow(HistoryConflictError);
        expect(await store.getRun(ns, first.runId)).toEqual(moved);
        expect(await store.getRun(ns, second)).toBeUndefined();
        expect(await store.getCurrentRunId(ns, 'order-1')).toBe(first.runId);
      });
    });

    describe('appending', () => {
      it('appends batches at the head and returns the state after the last one', async () => {
        const ns = freshNamespace();
        let state = await startRun(store, ns, 'order-1');
        state = await append(store, state, [signal(1)]);
        state = await append(store, state, [signal(2), signal(3)]);

        expect(await store.getRun(ns, state.runId)).toEqual(state);
        expect(ids((await store.readHistory(ns, state.runId, 1)).events)).toEqual(range(1, 5));
      });

      it('lets exactly one of several writers at the same head win; the others get HistoryConflictError', async () => {
        const ns = freshNamespace();
        const state = await startRun(store, ns, 'order-1');
        const requests = [1, 2, 3, 4, 5].map((n) => request(state, [signal(n), signal(n * 10)]));
        const results = await Promise.allSettled(requests.map((req) => store.append(req)));

        const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [requests[i]!] : []));
        expect(winners).toHaveLength(1);
        for (const result of results) {
          if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(HistoryConflictError);
        }
        const history = await readFullHistory({ store }, ns, state.runId);
        expect(ids(history)).toEqual(range(1, 4));
        expect(history.slice(2)).toEqual(winners[0]!.events);
        expect(await store.getRun(ns, state.runId)).toEqual(winners[0]!.state);
      });

      it('rejects a writer whose head is stale, however far the history moved on', async () => {
        const ns = freshNamespace();
        const state = await startRun(store, ns, 'order-1');
        let current = await append(store, state, [signal(1)]);
        current = await append(store, current, [signal(2)]);

        await expect(store.append(request(state, [signal(99)]))).rejects.toThrow(HistoryConflictError);
        expect(await store.getRun(ns, state.runId)).toEqual(current);
        expect(ids(await readFullHistory({ store }, ns, state.runId))).toEqual(range(1, 4));
      });

      it('continues as new: closes the run and creates the next one in one atomic write', async () => {
        const ns = freshNamespace();
        const first = await startRun(store, ns, 'order-1');
        const req = continueAsNew(ns, first);
        const nextRunId = req.newRun.state.runId;
        await store.append(req);

        expect((await store.getRun(ns, first.runId))?.status).toBe('ContinuedAsNew');
        expect(await store.getRun(ns, nextRunId)).toEqual(req.newRun.state);
        expect(await store.getCurrentRunId(ns, 'order-1')).toBe(nextRunId);
        // The new run holds the id now: it is running, so even ALLOW_DUPLICATE may not start another.
        await expect(startRun(store, ns, 'order-1')).rejects.toThrow(WorkflowExecutionAlreadyStartedError);
      });

      it('continue-as-new on a stale head creates nothing', async () => {
        const ns = freshNamespace();
        const first = await startRun(store, ns, 'order-1');
        const nextRunId = randomUUID();
        const req = request(
          first,
          closingTask(first, {
            type: 'WorkflowExecutionContinuedAsNew',
            newRunId: nextRunId,
            workflowType: 'OrderWorkflow',
            taskQueue: 'orders',
            input: [],
          }),
        );
        req.newRun = newRun(startRequest(ns, 'order-1'), nextRunId, tick());
        const moved = await append(store, first, [signal(1)]);

        await expect(store.append(req)).rejects.toThrow(HistoryConflictError);
        expect(await store.getRun(ns, nextRunId)).toBeUndefined();
        expect(await store.getRun(ns, first.runId)).toEqual(moved);
        expect(await store.getCurrentRunId(ns, 'order-1')).toBe(first.runId);
      });
    });

    describe('reading history', () => {
      it('pages a 2,500-event history gap-free, from any event id', async () => {
        const ns = freshNamespace();
        let state = await startRun(store, ns, 'order-1');
        const sizes = [1, 7, 250, 499, 3, 1000, 40];
        while (state.nextEventId <= 2500) {
          const size = Math.min(sizes[state.nextEventId % sizes.length]!, 2501 - state.nextEventId);
          state = await append(
            store,
            state,
            Array.from({ length: size }, (_, i) => signal(state.nextEventId + i)),
          );
        }
        const total = state.nextEventId - 1;
        expect(total).toBe(2500);

        const pages: HistoryEvent[][] = [];
        let token: string | undefined;
        do {
          const page = await store.readHistory(ns, state.runId, 1, token);
          pages.push(page.events);
          token = page.nextPageToken;
        } while (token);
        // Page sizes are the store's choice (about 1,000 events); together they are the whole history.
        expect(pages.length).toBeGreaterThanOrEqual(2);
        expect(pages.length).toBeLessThanOrEqual(4);
        expect(ids(pages.flat())).toEqual(range(1, total));

        const tail = await readFullHistory({ store }, ns, state.runId, 1234);
        expect(ids(tail)).toEqual(range(1234, total));
        expect(tail[0]).toMatchObject({ type: 'WorkflowExecutionSignaled', input: [json(1234)] });
        expect(await store.readHistory(ns, state.runId, total + 1)).toEqual({ events: [] });
      });

      it.each(['abc', '0', '-3', '1.5'])('rejects the malformed history page token %j', async (token) => {
        const ns = freshNamespace();
        const state = await startRun(store, ns, 'order-1');
        await expect(store.readHistory(ns, state.runId, 1, token)).rejects.toThrow(InvalidArgumentError);
      });
    });

    describe('listing runs', () => {
      it('lists a namespace newest first, a page at a time, filtered by the predicate', async () => {
        const ns = freshNamespace();
        const started: RunState[] = [];
        for (let i = 0; i < 7; i++)
          started.push(await startRun(store, ns, `order-${i}`, { workflowType: i % 2 ? 'Odd' : 'Even' }));
        const completed = await append(store, started[1]!, closingTask(started[1]!, closeBody('Completed')));
        const progressed = await append(store, started[4]!, [signal(1), signal(2)]);
        const newestFirst = [...started].reverse().map((run) => run.runId);

        const pages = await listAll(store, ns, 3);
        expect(pages.slice(0, 3).map((page) => page.length)).toEqual([3, 3, 1]);
        expect(pages.flat().map((run) => run.runId)).toEqual(newestFirst);

        const summaries = new Map(pages.flat().map((run) => [run.runId, run]));
        expect(summaries.get(completed.runId)).toMatchObject({
          workflowId: 'order-1',
          workflowType: 'Odd',
          taskQueue: 'orders',
          status: 'Completed',
          closeTime: completed.closeTime,
          historyLength: completed.nextEventId - 1,
        });
        expect(summaries.get(progressed.runId)).toMatchObject({ status: 'Running', historyLength: 4 });

        const odd = (run: RunSummary) => run.workflowType === 'Odd';
        const oddRuns = (await listAll(store, ns, 2, odd)).flat();
        expect(oddRuns.map((run) => run.runId)).toEqual(newestFirst.filter((_, i) => i % 2 === 1));
        const running = await store.listRuns(ns, (run) => run.status === 'Running', 100);
        expect(running.runs.map((run) => run.runId)).toEqual(
          newestFirst.filter((id) => id !== completed.runId),
        );
        expect(running.nextPageToken).toBeUndefined();
      });

      it('lists each run once, as it stands, through id reuse and continue-as-new', async () => {
        const ns = freshNamespace();
        const first = await startRun(store, ns, 'order-1');
        const done = await append(store, first, closingTask(first, closeBody('Completed')));
        const second = await startRun(store, ns, 'order-1');
        const req = continueAsNew(ns, second);
        const nextRunId = req.newRun.state.runId;
        await store.append(req);
        const upserted = await append(store, req.newRun.state, [
          { type: 'UpsertWorkflowSearchAttributes', searchAttributes: { Stage: 'paid' } },
        ]);
        for (const pageSize of [1, 2, 10]) {
          const listed = (await listAll(store, ns, pageSize)).flat();
          expect(listed.map((run) => [run.runId, run.status])).toEqual([
            [nextRunId, 'Running'],
            [second.runId, 'ContinuedAsNew'],
            [first.runId, 'Completed'],
          ]);
          expect(listed[0]).toMatchObject({ searchAttributes: { Stage: 'paid' }, historyLength: 3 });
          expect(listed[2]).toMatchObject({ closeTime: done.closeTime, historyLength: done.nextEventId - 1 });
        }
        expect(upserted.nextEventId).toBe(4);
        const closed = (await store.listRuns(ns, (run) => run.status !== 'Running', 10)).runs;
        expect(closed.map((run) => run.runId)).toEqual([second.runId, first.runId]);
      });

      it('lists only the runs started in a window, a page at a time', async () => {
        const ns = freshNamespace();
        const started: RunState[] = [];
        for (let i = 0; i < 7; i++) started.push(await startRun(store, ns, `order-${i}`));
        await append(store, started[3]!, closingTask(started[3]!, closeBody('Completed')));
        const window = { from: started[1]!.startTime, before: started[5]!.startTime };
        const pages: RunSummary[][] = [];
        let token: string | undefined;
        do {
          const page = await store.listRuns(ns, (run) => run.status === 'Running', 2, token, window);
          pages.push(page.runs);
          token = page.nextPageToken;
        } while (token && pages.length < 10);
        // From inclusive, before exclusive; the closed run filtered out by the predicate.
        expect(pages.flat().map((run) => run.runId)).toEqual([4, 2, 1].map((i) => started[i]!.runId));
        expect(pages.length).toBeGreaterThan(1);
      });

      it('shows upserted search attributes', async () => {
        const ns = freshNamespace();
        const state = await startRun(store, ns, 'order-1', { searchAttributes: { Region: 'eu' } });
        await append(store, state, [
          { type: 'UpsertWorkflowSearchAttributes', searchAttributes: { Stage: 'paid' } },
        ]);
        const { runs } = await store.listRuns(ns, () => true, 10);
        expect(runs[0]?.searchAttributes).toEqual({ Region: 'eu', Stage: 'paid' });
      });

      it('rejects a list page token it did not issue', async () => {
        const ns = freshNamespace();
        await expect(store.listRuns(ns, () => true, 10, 'not-a-token')).rejects.toThrow(InvalidArgumentError);
      });
    });

    describe('side records', () => {
      it('keeps the last heartbeat of each activity', async () => {
        const ns = freshNamespace();
        const state = await startRun(store, ns, 'order-1');
        await store.recordHeartbeat(ns, state.runId, 5, { attempt: 1, time: 1, details: json({ done: 1 }) });
        await store.recordHeartbeat(ns, state.runId, 5, { attempt: 1, time: 2, details: json({ done: 2 }) });
        await store.recordHeartbeat(ns, state.runId, 7, { attempt: 2, time: 3 });

        expect(await store.getHeartbeat(ns, state.runId, 5)).toEqual({
          attempt: 1,
          time: 2,
          details: json({ done: 2 }),
        });
        expect(await store.getHeartbeat(ns, state.runId, 7)).toEqual({ attempt: 2, time: 3 });
        expect(await store.getHeartbeat(ns, state.runId, 9)).toBeUndefined();
      });

      it('records, replaces and clears the workflow-task failure', async () => {
        const ns = freshNamespace();
        const state = await startRun(store, ns, 'order-1');
        expect(await store.getWorkflowTaskFailure(ns, state.runId)).toBeUndefined();
        const failure = {
          attempt: 3,
          time: tick(),
          eventId: 2,
          cause: 'NonDeterminism' as const,
          failure: {
            kind: 'application' as const,
            message: 'replayed a different command',
            details: [json(1)],
          },
        };
        await store.setWorkflowTaskFailure(ns, state.runId, failure);
        expect(await store.getWorkflowTaskFailure(ns, state.runId)).toEqual(failure);
        await store.setWorkflowTaskFailure(ns, state.runId, { ...failure, attempt: 4 });
        expect((await store.getWorkflowTaskFailure(ns, state.runId))?.attempt).toBe(4);
        await store.setWorkflowTaskFailure(ns, state.runId, null);
        expect(await store.getWorkflowTaskFailure(ns, state.runId)).toBeUndefined();
      });
    });

    it('isolates namespaces: the same workflow id and run id live independently in two namespaces', async () => {
      const [a, b] = [freshNamespace(), freshNamespace()];
      const runId = randomUUID();
      const inA = await startRun(store, a, 'order-1', {
        runId,
        policy: 'REJECT_DUPLICATE',
        workflowType: 'A',
      });
      const inB = await startRun(store, b, 'order-1', {
        runId,
        policy: 'REJECT_DUPLICATE',
        workflowType: 'B',
      });
      const closedA = await append(store, inA, closingTask(inA, closeBody('Completed')));
      await store.recordHeartbeat(a, runId, 1, { attempt: 1, time: 1 });

      expect(await store.getRun(a, runId)).toEqual(closedA);
      expect(await store.getRun(b, runId)).toEqual(inB);
      expect(ids((await store.readHistory(b, runId, 1)).events)).toEqual([1, 2]);
      expect(await store.getHeartbeat(b, runId, 1)).toBeUndefined();
      expect((await store.listRuns(a, () => true, 10)).runs.map((run) => run.workflowType)).toEqual(['A']);
      expect((await store.listRuns(b, () => true, 10)).runs.map((run) => run.status)).toEqual(['Running']);
      // B's run is still running: its claim is untouched by A's close.
      await expect(startRun(store, b, 'order-1')).rejects.toThrow(WorkflowExecutionAlreadyStartedError);
    });
  });
}
