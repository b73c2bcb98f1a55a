// The expireRun system op's decisions: what it asks the store to keep, and what it schedules next.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type {
  DispatchItem,
  ExpiryOptions,
  RunRef,
  RunSummary,
  StartWindow,
} from '../../sdk/backend/ports.ts';
import {
  CLOSE_WITHOUT_WRITES_MS,
  DEFAULT_RETENTION_MS,
  itemExpiry,
  RENEWAL_MARGIN_MS,
  renewalSweep,
} from '../../sdk/backend/retention.ts';
import { applyEvents, initialRunState, type RunState } from '../../sdk/engine/run-state.ts';
import type { RuntimeDeps } from '../../sdk/runtime/deps.ts';
import {
  EXPIRY_BUDGET_MS,
  keepRunRetention,
  renewalSweepItem,
  renewOpenRuns,
} from '../../sdk/runtime/run-retention.ts';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const ref: RunRef = { namespace: 'default', workflowId: 'kept', runId: 'run-1' };

function started(): RunState {
  return applyEvents(initialRunState('default', 'run-1'), [
    {
      type: 'WorkflowExecutionStarted',
      eventId: 1,
      eventTime: START,
      workflowId: 'kept',
      workflowType: 'Kept',
      taskQueue: 'q',
      input: [],
      attempt: 1,
      firstRunId: 'run-1',
      randomSeed: 'seed',
    },
  ]);
}

const closedAt = (state: RunState, closeTime: number): RunState => ({
  ...state,
  status: 'Completed',
  closeTime,
});

/** The op against a store holding `state` whose passes report `done` in turn, at clock time `now`. */
async function run(state: RunState, now: number, done: boolean[] = [true]) {
  const asked: { keepUntil: number; options?: ExpiryOptions }[] = [];
  const dispatched: DispatchItem[] = [];
  const deps = {
    store: {
      getRun: async () => state,
      expireRun: async (_ref: RunRef, keepUntil: number, options?: ExpiryOptions) => {
        asked.push({ keepUntil, options });
        return { done: done[asked.length - 1] ?? true };
      },
    },
    dispatch: { dispatch: async (items: DispatchItem[]) => void dispatched.push(...items) },
    clock: { now: () => now },
    retentionMs: DEFAULT_RETENTION_MS,
  } as unknown as RuntimeDeps;
  await keepRunRetention(deps, ref);
  return { asked, dispatched };
}

describe('the expireRun system op', () => {
  it('does nothing for a run that closed while its first items still cover its retention', async () => {
    const closed = closedAt(started(), START + 10 * DAY);
    expect(await run(closed, START + 10 * DAY)).toEqual({ asked: [], dispatched: [] });
  });

  it('keeps a long run until close + retention, within a bounded time, and goes on in a continuation', async () => {
    const closeTime = START + 70 * DAY;
    const { asked, dispatched } = await run(closedAt(started(), closeTime), closeTime, [false]);
    expect(asked).toEqual([
      { keepUntil: closeTime + DEFAULT_RETENTION_MS, options: { stopBy: expect.any(Number) } },
    ]);
    expect(asked[0]!.options!.stopBy).toBeLessThanOrEqual(Date.now() + 4_000);
    expect(dispatched).toEqual([{ task: { kind: 'system', ref, op: { type: 'expireRun' } } }]);
  });

  it('renews an open run to what an item written now gets, and schedules the next renewal', async () => {
    const now = START + 76 * DAY;
    const state = started();
    const { asked, dispatched } = await run(state, now);
    expect(asked.map((call) => call.keepUntil)).toEqual([itemExpiry(state, now, DEFAULT_RETENTION_MS)]);
    expect(dispatched).toEqual([
      {
        task: { kind: 'system', ref, op: { type: 'expireRun' } },
        dueTime: now + DEFAULT_RETENTION_MS + CLOSE_WITHOUT_WRITES_MS - RENEWAL_MARGIN_MS,
      },
    ]);
  });

  it('schedules no renewal for an open run whose deadline comes before its items would expire', async () => {
    const state = { ...started(), executionExpirationTime: START + 100 * DAY };
    const { asked, dispatched } = await run(state, START + 76 * DAY);
    expect(asked).toHaveLength(1);
    expect(dispatched).toEqual([]);
  });
});

describe("a run's first renewal: its start day's sweep", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const summary = (runId: string, startTime: number, status: RunSummary['status']): RunSummary => ({
    namespace: 'default',
    workflowId: `wf-${runId}`,
    runId,
    workflowType: 'Kept',
    taskQueue: 'q',
    status,
    startTime,
    historyLength: 2,
    searchAttributes: {},
    memo: {},
  });

  /** The sweep against visibility records `runs`, listed `pageSize` at a time; `tick` ms pass per page. */
  async function sweep(runs: RunSummary[], op: Parameters<typeof renewOpenRuns>[2], pageSize = 2, tick = 0) {
    let now = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const dispatched: DispatchItem[] = [];
    const store = {
      listRuns: async (
        namespace: string,
        matches: (run: RunSummary) => boolean,
        _pageSize: number,
        pageToken?: string,
        started?: StartWindow,
      ) => {
        now += tick;
        const from = Number(pageToken ?? 0);
        const page = runs.slice(from, from + pageSize);
        return {
          runs: page.filter(
            (run) =>
              run.namespace === namespace &&
              matches(run) &&
              (!started || (run.startTime >= started.from && run.startTime < started.before)),
          ),
          nextPageToken: from + pageSize < runs.length ? String(from + pageSize) : undefined,
        };
      },
    };
    const deps = {
      store,
      dispatch: { dispatch: async (items: DispatchItem[]) => void dispatched.push(...items) },
    } as unknown as RuntimeDeps;
    await renewOpenRuns(deps, sweepRef, op);
    return dispatched;
  }

  const day = Math.floor(START / DAY) * DAY;
  const sweepRef = renewalSweepItem('default', {
    startedFrom: day,
    startedBefore: day + DAY,
    dueTime: 0,
  }).task.ref;
  const op = { type: 'renewOpenRuns' as const, startedFrom: day, startedBefore: day + DAY };
  const expireRun = (runId: string) => ({
    task: {
      kind: 'system',
      ref: { namespace: 'default', workflowId: `wf-${runId}`, runId },
      op: { type: 'expireRun' },
    },
  });

  it('is due no later than any of its runs would need renewing, and is the same task for all of them', () => {
    const first = renewalSweep(started(), DEFAULT_RETENTION_MS)!;
    const late = renewalSweep({ ...started(), startTime: day + DAY - 1 }, DEFAULT_RETENTION_MS)!;
    expect(first).toEqual(late);
    expect(first).toEqual({
      startedFrom: day,
      startedBefore: day + DAY,
      dueTime: day + DEFAULT_RETENTION_MS + CLOSE_WITHOUT_WRITES_MS - RENEWAL_MARGIN_MS,
    });
    expect(first.dueTime).toBeLessThanOrEqual(
      itemExpiry(started(), START, DEFAULT_RETENTION_MS) - RENEWAL_MARGIN_MS,
    );
    // A run its deadline ends before its first items expire needs none.
    const bounded = { ...started(), executionExpirationTime: START + 30 * DAY };
    expect(renewalSweep(bounded, DEFAULT_RETENTION_MS)).toBeUndefined();
  });

  it('renews every run of its day still open, and none that closed', async () => {
    const runs = [
      summary('open-1', day + 1, 'Running'),
      summary('done-1', day + 2, 'Completed'),
      summary('open-2', day + 3, 'Running'),
      summary('failed-1', day + 4, 'Failed'),
      summary('open-3', day + DAY - 1, 'Running'),
    ];
    expect(await sweep(runs, op)).toEqual([expireRun('open-1'), expireRun('open-2'), expireRun('open-3')]);
  });

  it('reads only the runs started on its day', async () => {
    const runs = [
      summary('before', day - 1, 'Running'),
      summary('on-the-day', day, 'Running'),
      summary('after', day + DAY, 'Running'),
    ];
    expect(await sweep(runs, op)).toEqual([expireRun('on-the-day')]);
  });

  it('goes on in a continuation from the page it stopped at when its time runs out', async () => {
    const runs = ['a', 'b', 'c', 'd', 'e'].map((id, i) => summary(id, day + i, 'Running'));
    const dispatched = await sweep(runs, op, 2, EXPIRY_BUDGET_MS);
    expect(dispatched).toEqual([
      expireRun('a'),
      expireRun('b'),
      { task: { kind: 'system', ref: sweepRef, op: { ...op, pageToken: '2' } } },
    ]);
    const rest = await sweep(runs, { ...op, pageToken: '2' });
    expect(rest).toEqual([expireRun('c'), expireRun('d'), expireRun('e')]);
  });
});
