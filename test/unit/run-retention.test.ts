// The expireRun system op's decisions: what it asks the store to keep, and what it schedules next.
import { describe, expect, it } from 'vitest';
import type { DispatchItem, ExpiryOptions, RunRef } from '../../sdk/backend/ports.ts';
import {
  CLOSE_WITHOUT_WRITES_MS,
  DEFAULT_RETENTION_MS,
  itemExpiry,
  RENEWAL_MARGIN_MS,
} from '../../sdk/backend/retention.ts';
import { applyEvents, initialRunState, type RunState } from '../../sdk/engine/run-state.ts';
import type { RuntimeDeps } from '../../sdk/runtime/deps.ts';
import { keepRunRetention } from '../../sdk/runtime/run-retention.ts';

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
