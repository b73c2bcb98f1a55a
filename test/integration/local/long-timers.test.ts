import {
  type AttributeValue,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { TestWorkflowEnvironment } from 'cairnflow/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentInvocation } from '../../../local/function-host.ts';
import { dueIndexPk, historyPk } from '../../../sdk/backend/dynamodb/keys.ts';
import { DUE_INDEX_SHARDS } from '../../../sdk/backend/sqs/due-index.ts';
import type { HistoryEvent } from '../../../sdk/engine/events.ts';
import { eventually, localEnv } from '../../support/local-env.ts';
import * as activities from './long-timers/activities.ts';
import * as workflows from './long-timers/workflows.ts';

// Waits far beyond SQS's 15-minute delay go through the due-time index and the sweeper. Here they
// run through the real handlers on the local stack, whose clock the tests move forward.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await localEnv({ workers: [{ taskQueue: 'long', workflows, activities }], clock: 'manual' });
}, 60_000);

afterEach(async () => {
  expect(await env.verifyHistories()).toEqual([]);
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

const stack = () => env.localStack!;

/** Moves the handlers' clock to `time` (epoch ms, by that clock) and runs the sweeper once. */
async function advanceTo(time: number) {
  stack().clock.advance(Math.max(0, time - stack().clock.now()));
  return stack().sweep();
}

/** Sweeps until a sweep got through everything due (a sweep short of time leaves the rest). */
async function sweepAll(): Promise<number> {
  let moved = 0;
  for (let i = 0; i < 5; i++) {
    const outcome = await stack().sweep();
    moved += outcome.moved;
    if (outcome.complete) return moved;
  }
  throw new Error('five sweeps did not get through the due-time index');
}

/**
 * The due-time index's tasks (their messages) that hold every one of `fragments`, filtered by
 * DynamoDB; with `count`, only how many there are, counted by DynamoDB too.
 */
async function queryParked(
  fragments: string[],
  count = false,
): Promise<{ tasks: string[]; keys: Record<string, AttributeValue>[]; count: number }> {
  const { dynamodb, environment } = stack().runtime;
  const values = Object.fromEntries(fragments.map((fragment, i) => [`:f${i}`, { S: fragment }]));
  const found = { tasks: [] as string[], keys: [] as Record<string, AttributeValue>[], count: 0 };
  for (let shard = 0; shard < DUE_INDEX_SHARDS; shard++) {
    let startKey: Record<string, never> | undefined;
    do {
      const page = await dynamodb.send(
        new QueryCommand({
          TableName: environment.CAIRN_EXECUTIONS_TABLE,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: fragments.map((_, i) => `contains(task, :f${i})`).join(' AND '),
          ExpressionAttributeValues: { ':pk': { S: dueIndexPk('default', shard) }, ...values },
          Select: count ? 'COUNT' : 'ALL_ATTRIBUTES',
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      found.count += page.Count ?? 0;
      for (const item of page.Items ?? []) {
        found.tasks.push(item.task!.S!);
        found.keys.push({ pk: item.pk!, sk: item.sk! });
      }
      startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (startKey);
  }
  return found;
}

/** What of one run waits in the due-time index: `fireTimer`, `runTimeout`, `activity`, … */
async function parkedFor(runId: string): Promise<string[]> {
  return (await queryParked([`"runId":"${runId}"`])).tasks
    .map((text) => JSON.parse(text) as { task: { kind: string; op?: { type: string } } })
    .map(({ task }) => task.op?.type ?? task.kind);
}

/** How many parked tasks hold every one of `fragments` in their message. */
async function countParked(...fragments: string[]): Promise<number> {
  return (await queryParked(fragments, true)).count;
}

/** Timer fires per started timer: every timer of a closed run must have fired exactly once. */
function firesPerTimer(events: HistoryEvent[]): number[] {
  const fires = new Map<number, number>();
  for (const e of events) if (e.type === 'TimerStarted') fires.set(e.eventId, 0);
  for (const e of events)
    if (e.type === 'TimerFired') fires.set(e.startedEventId, (fires.get(e.startedEventId) ?? 0) + 1);
  return [...fires.values()];
}

async function runIdOf(workflowId: string): Promise<string> {
  return (await env.client.workflow.getHandle(workflowId).describe()).runId;
}

describe('long timers through the due-time index and the sweeper', () => {
  it('fires a 30-day timer when it is due, not a day earlier', async () => {
    const handle = await env.client.workflow.start(workflows.sleeper, {
      taskQueue: 'long',
      workflowId: 'sleep-30-days',
      args: ['30 days'],
    });
    const runId = await runIdOf('sleep-30-days');
    await eventually(async () => (await parkedFor(runId)).includes('fireTimer'));
    const started = (await handle.fetchHistory()).events.find((e) => e.type === 'TimerStarted');
    if (started?.type !== 'TimerStarted') throw new Error('no TimerStarted');
    expect(started.durationMs).toBe(30 * DAY);

    // 29 days on: not yet within SQS's reach, so the sweeper leaves it parked.
    await advanceTo(started.fireTime - DAY);
    expect(await parkedFor(runId)).toContain('fireTimer');
    expect((await handle.describe()).status).toBe('Running');

    // Three seconds before it is due: the sweeper hands it to SQS with the rest as its delay.
    const outcome = await advanceTo(started.fireTime - 3_000);
    expect(outcome.moved).toBeGreaterThanOrEqual(1);
    expect(await parkedFor(runId)).not.toContain('fireTimer');
    const slept = await handle.result();
    expect(slept).toBeGreaterThanOrEqual(30 * DAY);
    const { events } = await handle.fetchHistory();
    const fired = events.find((e) => e.type === 'TimerFired')!;
    expect(fired.eventTime).toBeGreaterThanOrEqual(started.fireTime);
    expect(firesPerTimer(events)).toEqual([1]);
  }, 60_000);

  it('retries a failed activity after its 2-hour backoff, not before', async () => {
    const key = 'backoff-2h';
    const handle = await env.client.workflow.start(workflows.retriedAfterBackoff, {
      taskQueue: 'long',
      workflowId: key,
      args: [key],
    });
    const runId = await runIdOf(key);
    await eventually(async () => (await parkedFor(runId)).includes('activity'));
    const failed = (await handle.fetchHistory()).events.find((e) => e.type === 'ActivityTaskFailed');
    if (failed?.type !== 'ActivityTaskFailed' || failed.nextAttemptTime === undefined)
      throw new Error('no retrying ActivityTaskFailed');
    expect(failed.nextAttemptTime - failed.eventTime).toBe(2 * HOUR);

    await advanceTo(failed.nextAttemptTime - 20 * MINUTE);
    expect(await parkedFor(runId)).toContain('activity');
    expect(activities.attempts.get(key)).toEqual([1]);

    await advanceTo(failed.nextAttemptTime - 3_000);
    expect(await handle.result()).toBe(`${key} done on attempt 2`);
    expect(activities.attempts.get(key)).toEqual([1, 2]);
    const completed = (await handle.fetchHistory()).events.find((e) => e.type === 'ActivityTaskCompleted')!;
    expect(completed.eventTime).toBeGreaterThanOrEqual(failed.nextAttemptTime);
  }, 60_000);

  it('times a run out when its 1-year execution timeout passes', async () => {
    const handle = await env.client.workflow.start(workflows.waitsForever, {
      taskQueue: 'long',
      workflowId: 'waits-a-year',
      workflowExecutionTimeout: '365 days',
    });
    const runId = await runIdOf('waits-a-year');
    await eventually(async () => (await parkedFor(runId)).includes('runTimeout'));
    const startTime = (await handle.fetchHistory()).events[0]!.eventTime;

    // The testing API's way: env.sleep advances the manual clock at once, then sweeps.
    await env.sleep('364 days');
    expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(startTime + 364 * DAY);
    expect(await parkedFor(runId)).toContain('runTimeout');
    expect((await handle.describe()).status).toBe('Running');

    await advanceTo(startTime + 365 * DAY + MINUTE);
    await expect(handle.result()).rejects.toThrow(/timed out|timeout/i);
    expect((await handle.describe()).status).toBe('TimedOut');
    const close = (await handle.fetchHistory()).events.at(-1)!;
    expect(close).toMatchObject({ type: 'WorkflowExecutionTimedOut', timeoutType: 'Execution' });
    expect(close.eventTime).toBeGreaterThanOrEqual(startTime + 365 * DAY);
  }, 60_000);

  /**
   * Starts `runs` runs of `timers` timers each, due `inMs` from now (the i-th of a run `i × stepMs`
   * later), and waits until all of them are parked.
   */
  async function parkTimers(prefix: string, runs: number, timers: number, inMs: number, stepMs = 0) {
    // At the start of a minute: every timer of the batch falls in that one minute.
    const dueAt = Math.ceil((stack().clock.now() + inMs) / MINUTE) * MINUTE;
    const handles = await Promise.all(
      Array.from({ length: runs }, (_, i) =>
        env.client.workflow.start(workflows.manyTimers, {
          taskQueue: 'long',
          workflowId: `${prefix}-${i}`,
          args: [timers, dueAt, stepMs],
        }),
      ),
    );
    // The timers of these runs still in the index (their messages name the run's workflow id).
    const parkedTimers = () => countParked(`"workflowId":"${prefix}-`, '"type":"fireTimer"');
    await eventually(async () => (await parkedTimers()) === runs * timers, 120_000);
    const fireTimes = await Promise.all(
      handles.map(async (h) =>
        (await h.fetchHistory()).events.flatMap((e) => (e.type === 'TimerStarted' ? [e.fireTime] : [])),
      ),
    );
    const all = fireTimes.flat();
    return { handles, parkedTimers, firstFireTime: Math.min(...all), lastFireTime: Math.max(...all) };
  }

  /** Every run returns its timer count, and every timer fired exactly once in its history. */
  async function expectAllFiredOnce(
    handles: { result(): Promise<unknown>; fetchHistory(): Promise<{ events: HistoryEvent[] }> }[],
    timers: number,
  ) {
    expect(await Promise.all(handles.map((h) => h.result()))).toEqual(handles.map(() => timers));
    for (const handle of handles) {
      expect(firesPerTimer((await handle.fetchHistory()).events)).toEqual(
        Array.from({ length: timers }, () => 1),
      );
    }
  }

  it('fires 1,000 timers due in the same minute, each exactly once', async () => {
    // Each run's ten timers a second apart: all due within the same minute, as a burst of runs
    // started together would be, without every timer of a run firing in the same instant.
    const { handles, parkedTimers, firstFireTime, lastFireTime } = await parkTimers(
      'thousand',
      100,
      10,
      20 * DAY,
      1_000,
    );
    expect(Math.floor(firstFireTime / MINUTE)).toBe(Math.floor(lastFireTime / MINUTE));
    stack().clock.advance(Math.max(0, firstFireTime - stack().clock.now()));
    expect(await sweepAll()).toBeGreaterThanOrEqual(1_000);
    expect(await parkedTimers()).toBe(0);
    await expectAllFiredOnce(handles, 10);
  }, 240_000);

  it('loses nothing when a sweeper dies mid-page, and its duplicates fire nothing twice', async () => {
    const { handles, parkedTimers, lastFireTime } = await parkTimers('crash', 12, 10, 25 * DAY);
    // The sweeper's invocation dies right after its fifth batch of messages reached SQS: part of
    // what it read is forwarded, nothing of it deleted yet or only some.
    let sends = 0;
    let killed = false;
    const sqs = stack().runtime.sqs;
    sqs.middlewareStack.add(
      (next) => async (args) => {
        const invocation = currentInvocation();
        if (!invocation?.functionName.endsWith('-sweeper') || killed) return next(args);
        const out = await next(args);
        if (++sends === 5) {
          killed = true;
          invocation.kill('killed mid-page by the long-timer test');
        }
        return out;
      },
      { step: 'initialize', name: 'killSweeperMidPage' },
    );
    try {
      stack().clock.advance(Math.max(0, lastFireTime - stack().clock.now()));
      await expect(stack().sweep()).rejects.toThrow(/Runtime exited/);
      expect(killed).toBe(true);
      expect(await parkedTimers()).toBeGreaterThan(0);
    } finally {
      sqs.middlewareStack.remove('killSweeperMidPage');
    }
    expect(await sweepAll()).toBeGreaterThan(0);
    expect(await parkedTimers()).toBe(0);
    await expectAllFiredOnce(handles, 10);
  }, 100_000);

  it('loses and doubles nothing when two sweepers overlap', async () => {
    const { handles, parkedTimers, lastFireTime } = await parkTimers('overlap', 12, 10, 25 * DAY);
    stack().clock.advance(Math.max(0, lastFireTime - stack().clock.now()));
    const [a, b] = await Promise.all([stack().sweep(), stack().sweep()]);
    expect(a.complete && b.complete).toBe(true);
    expect(a.moved + b.moved).toBeGreaterThanOrEqual(120);
    expect(await parkedTimers()).toBe(0);
    await expectAllFiredOnce(handles, 10);
  }, 100_000);

  it('stops a sweep that runs out of time between pages; the next sweep carries on', async () => {
    const { handles, parkedTimers, lastFireTime } = await parkTimers('budget', 2, 10, 21 * DAY);
    stack().clock.advance(Math.max(0, lastFireTime - stack().clock.now()));
    expect(await stack().runtime.dispatch.sweepDue({ stopBy: Date.now() })).toEqual({
      moved: 0,
      complete: false,
      stuck: [],
    });
    expect(await parkedTimers()).toBe(20);
    expect(await sweepAll()).toBeGreaterThanOrEqual(20);
    await expectAllFiredOnce(handles, 10);
  }, 60_000);

  it('leaves a parked task it cannot hand on where it is, reports it, and holds up nothing behind it', async () => {
    const { dynamodb, environment } = stack().runtime;
    const table = environment.CAIRN_EXECUTIONS_TABLE;
    // Due long ago, so they head their shards: a message that does not parse, and a task for a
    // task queue that has no queue (its worker is gone).
    const ref = { namespace: 'default', workflowId: 'gone', runId: 'gone-run' };
    const unroutable = {
      task: { kind: 'activity', ref, taskQueue: 'no-such-queue', scheduledEventId: 5, attempt: 2 },
      dueTime: 1,
    };
    // And a task of another namespace in this one's index, as a worker confined to its namespace's
    // keys could write: the sweeper hands it on to no one.
    const forged = {
      ...unroutable,
      task: { ...unroutable.task, taskQueue: 'long', ref: { ...ref, namespace: 'other' } },
    };
    const junk = [
      { pk: { S: dueIndexPk('default', 0) }, sk: { S: '000000000000001#junk' }, task: { S: '{ not a task' } },
      {
        pk: { S: dueIndexPk('default', 2) },
        sk: { S: '000000000000001#forged' },
        task: { S: JSON.stringify(forged) },
      },
      {
        pk: { S: dueIndexPk('default', 1) },
        sk: { S: '000000000000001#unroutable' },
        task: { S: JSON.stringify(unroutable) },
      },
    ];
    for (const Item of junk) await dynamodb.send(new PutItemCommand({ TableName: table, Item }));
    try {
      const { handles, parkedTimers, lastFireTime } = await parkTimers('behind-junk', 4, 10, 22 * DAY);
      const outcome = await advanceTo(lastFireTime);
      expect(outcome).toMatchObject({ complete: true, stuck: 3 });
      expect(outcome.moved).toBeGreaterThanOrEqual(40);
      expect(await parkedTimers()).toBe(0);
      expect(await countParked('{ not a task')).toBe(1);
      expect(await countParked('"taskQueue":"no-such-queue"')).toBe(1);
      expect(await countParked('"namespace":"other"')).toBe(1);
      await expectAllFiredOnce(handles, 10);
    } finally {
      for (const { pk, sk } of junk)
        await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { pk, sk } }));
    }
  }, 60_000);

  it('parks a task dispatched twice (a retried stream batch) as one item', async () => {
    const ref = { namespace: 'default', workflowId: 'parked-twice', runId: 'parked-twice-run' };
    const item = {
      task: { kind: 'system' as const, ref, op: { type: 'fireTimer' as const, startedEventId: 5 } },
      dueTime: stack().clock.now() + 40 * DAY,
    };
    await stack().runtime.dispatch.dispatch([item]);
    await stack().runtime.dispatch.dispatch([item]);
    const parked = await queryParked(['"runId":"parked-twice-run"']);
    expect(parked.tasks).toHaveLength(1);
    expect(JSON.parse(parked.tasks[0]!)).toEqual(item);
    // Not a run of this stack: take it out again rather than let a later sweep fire it.
    const { dynamodb, environment } = stack().runtime;
    for (const Key of parked.keys)
      await dynamodb.send(new DeleteItemCommand({ TableName: environment.CAIRN_EXECUTIONS_TABLE, Key }));
    expect(await countParked('"runId":"parked-twice-run"')).toBe(0);
  });

  /** The expiry (epoch seconds) of each history item of a run, by sort key. */
  async function historyExpiries(runId: string): Promise<number[]> {
    const { dynamodb, environment } = stack().runtime;
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: environment.CAIRN_HISTORY_TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: historyPk('default', runId) } },
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []).map((item) => Number(item.expiresAt!.N));
  }

  it("renews an open run through its start day's shared sweep, not a timer of its own, and leaves a closed one alone", async () => {
    const open = await env.client.workflow.start(workflows.waitsForever, {
      taskQueue: 'long',
      workflowId: 'renewed-while-open',
    });
    const closed = await env.client.workflow.start(workflows.waitsForever, {
      taskQueue: 'long',
      workflowId: 'closed-before-renewal',
    });
    const [openRun, closedRun] = await Promise.all([
      runIdOf('renewed-while-open'),
      runIdOf('closed-before-renewal'),
    ]);
    await closed.terminate('done early');
    const startTime = (await open.fetchHistory()).events[0]!.eventTime;
    const day = Math.floor(startTime / DAY) * DAY;
    const sweeps = () => queryParked(['"type":"renewOpenRuns"', `"startedFrom":${day}`]);
    await eventually(async () => (await sweeps()).tasks.length === 1);
    // Both runs' starts parked the one sweep of their day, and neither a renewal timer of its own.
    expect(await parkedFor(openRun)).not.toContain('expireRun');
    expect(await parkedFor(closedRun)).not.toContain('expireRun');
    const sweep = JSON.parse((await sweeps()).tasks[0]!) as { dueTime: number };
    const openBefore = await historyExpiries(openRun);
    const closedBefore = await historyExpiries(closedRun);
    // Due no later than two weeks before the open run's first items expire.
    expect(sweep.dueTime).toBeLessThanOrEqual(Math.min(...openBefore) * 1000 - 14 * DAY);

    await advanceTo(sweep.dueTime + MINUTE);
    // The sweep found the open run and renewed it: from now on it has its own renewal timer.
    await eventually(async () => (await parkedFor(openRun)).includes('expireRun'), 30_000);
    const openAfter = await historyExpiries(openRun);
    expect(Math.min(...openAfter)).toBeGreaterThan(Math.max(...openBefore));
    expect(Math.min(...openAfter) * 1000).toBeGreaterThanOrEqual(sweep.dueTime + 80 * DAY);
    expect(await historyExpiries(closedRun)).toEqual(closedBefore);
    expect(await parkedFor(closedRun)).not.toContain('expireRun');
    expect((await sweeps()).tasks).toEqual([]);
    await open.terminate('test over');
  }, 90_000);
});
