import { ScheduleOverlapPolicy } from 'cairnflow/client';
import type { InProcessConnection } from 'cairnflow/testing';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../support/env.ts';
import * as workflows from './workflows/schedules.ts';

// Monday 5 January 2026, 00:00 UTC.
const START = Date.parse('2026-01-05T00:00:00Z');
const MINUTE = 60_000;

async function setup() {
  return testEnv({ startTime: START, workers: [{ taskQueue: 'sched', workflows, activities: {} }] });
}
type Env = Awaited<ReturnType<typeof setup>>;

async function runsOf(env: Env, prefix: string) {
  const runs = [];
  for await (const run of env.client.workflow.list())
    if (run.workflowId.startsWith(`${prefix}-`)) runs.push(run);
  return runs.sort((a, b) => a.workflowId.localeCompare(b.workflowId));
}

/** A schedule every 10 minutes whose runs take 25 minutes, under `overlap`. */
function overlapping(env: Env, scheduleId: string, overlap: ScheduleOverlapPolicy) {
  return env.client.schedule.create({
    scheduleId,
    spec: { intervals: [{ every: '10 minutes' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'busy',
      args: [25 * MINUTE],
      taskQueue: 'sched',
      workflowId: scheduleId,
    },
    policies: { overlap },
  });
}

const minuteOf = (id: string) => id.slice(-9, -4);

describe('overlap policies', () => {
  it('BUFFER_ALL holds every fire and starts them in turn as each run closes', async () => {
    const env = await setup();
    const handle = await overlapping(env, 'all', ScheduleOverlapPolicy.BUFFER_ALL);
    await env.sleep('61 minutes');
    const runs = await runsOf(env, 'all');
    expect(runs.map((r) => minuteOf(r.workflowId))).toEqual(['00:10', '00:20', '00:30']);
    expect(runs.map((r) => r.startTime.getTime() - START)).toEqual([10 * MINUTE, 35 * MINUTE, 60 * MINUTE]);
    const description = await handle.describe();
    // 00:40, 00:50 and 01:00 wait their turn.
    expect(description.info.numActionsSkippedOverlap).toBe(0);
    expect(description.info.runningActions).toHaveLength(1);
  });

  it('CANCEL_OTHER cancels the running run and starts the new one once it has closed', async () => {
    const env = await setup();
    await overlapping(env, 'cancel', ScheduleOverlapPolicy.CANCEL_OTHER);
    await env.sleep('41 minutes');
    const runs = await runsOf(env, 'cancel');
    expect(runs.map((r) => [minuteOf(r.workflowId), r.status])).toEqual([
      ['00:10', 'Canceled'],
      ['00:20', 'Canceled'],
      ['00:30', 'Canceled'],
      ['00:40', 'Running'],
    ]);
    for (const run of runs.slice(1)) expect(run.startTime.getTime() % (10 * MINUTE)).toBe(0);
  });

  it('TERMINATE_OTHER terminates the running run and starts the new one at once', async () => {
    const env = await setup();
    await overlapping(env, 'term', ScheduleOverlapPolicy.TERMINATE_OTHER);
    await env.sleep('31 minutes');
    const runs = await runsOf(env, 'term');
    expect(runs.map((r) => [minuteOf(r.workflowId), r.status])).toEqual([
      ['00:10', 'Terminated'],
      ['00:20', 'Terminated'],
      ['00:30', 'Running'],
    ]);
  });

  it('ALLOW_ALL starts every fire whatever runs', async () => {
    const env = await setup();
    await overlapping(env, 'any', ScheduleOverlapPolicy.ALLOW_ALL);
    await env.sleep('31 minutes');
    const runs = await runsOf(env, 'any');
    expect(runs.map((r) => [minuteOf(r.workflowId), r.status])).toEqual([
      ['00:10', 'Running'],
      ['00:20', 'Running'],
      ['00:30', 'Running'],
    ]);
  });
});

describe('schedule specs', () => {
  const action = (workflowId: string) =>
    ({
      type: 'startWorkflow',
      workflowType: 'tick',
      args: [workflowId],
      taskQueue: 'sched',
      workflowId,
    }) as const;

  it('leaves out the times a skip calendar matches', async () => {
    const env = await setup();
    await env.client.schedule.create({
      scheduleId: 'hourly',
      spec: { cronExpressions: ['0 * * * *'], skip: [{ hour: { start: 2, end: 3 }, minute: '*' }] },
      action: action('hourly'),
    });
    await env.sleep('5 hours');
    expect((await runsOf(env, 'hourly')).map((r) => minuteOf(r.workflowId))).toEqual([
      '01:00',
      '04:00',
      '05:00',
    ]);
  });

  it('fires a calendar with weekday names on weekdays only', async () => {
    const env = await setup();
    await env.client.schedule.create({
      scheduleId: 'weekdays',
      spec: { calendars: [{ hour: 9, dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY' }] }] },
      action: action('weekdays'),
    });
    await env.sleep('7 days');
    expect((await runsOf(env, 'weekdays')).map((r) => r.workflowId.slice('weekdays-'.length))).toEqual([
      '2026-01-05T09:00:00Z',
      '2026-01-06T09:00:00Z',
      '2026-01-07T09:00:00Z',
      '2026-01-08T09:00:00Z',
      '2026-01-09T09:00:00Z',
    ]);
    const description = await env.client.schedule.getHandle('weekdays').describe();
    expect(description.spec.calendars?.[0]?.dayOfWeek).toEqual([{ start: 'MONDAY', end: 'FRIDAY', step: 1 }]);
  });

  it('delays each fire by a jitter that stays below the bound and names the run by its scheduled time', async () => {
    const env = await setup();
    await env.client.schedule.create({
      scheduleId: 'jittery',
      spec: { intervals: [{ every: '1 hour' }], jitter: '10 minutes' },
      action: action('jittery'),
    });
    await env.sleep('6 hours');
    const runs = await runsOf(env, 'jittery');
    expect(runs).toHaveLength(5);
    const delays = runs.map(
      (run) => run.startTime.getTime() - Date.parse(run.workflowId.slice('jittery-'.length)),
    );
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(0);
    for (const delay of delays) expect(delay).toBeLessThan(10 * MINUTE);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it("reads Temporal's cron forms: a year field, CRON_TZ and @every; and honours startAt and endAt", async () => {
    const env = await setup();
    const next = async (
      scheduleId: string,
      spec: Parameters<Env['client']['schedule']['create']>[0]['spec'],
    ) => {
      await env.client.schedule.create({ scheduleId, spec, action: action(scheduleId) });
      return (await env.client.schedule.getHandle(scheduleId).describe()).info.nextActionTimes.map((t) =>
        t.toISOString(),
      );
    };
    expect((await next('yearly', { cronExpressions: ['0 12 1 1 * 2027'] }))[0]).toBe(
      '2027-01-01T12:00:00.000Z',
    );
    expect((await next('tokyo', { cronExpressions: ['CRON_TZ=Asia/Tokyo 0 9 * * *'] }))[0]).toBe(
      '2026-01-06T00:00:00.000Z',
    );
    expect((await next('every', { cronExpressions: ['@every 90m'] })).slice(0, 2)).toEqual([
      '2026-01-05T01:30:00.000Z',
      '2026-01-05T03:00:00.000Z',
    ]);
    expect(
      await next('window', {
        intervals: [{ every: '1 day' }],
        startAt: new Date('2026-01-10T00:00:00Z'),
        endAt: new Date('2026-01-12T00:00:00Z'),
      }),
    ).toEqual(['2026-01-10T00:00:00.000Z', '2026-01-11T00:00:00.000Z', '2026-01-12T00:00:00.000Z']);
  });

  it('applies an updated spec from the time of the update, without catching up on its earlier times', async () => {
    const env = await setup();
    const handle = await env.client.schedule.create({
      scheduleId: 'changed',
      spec: { intervals: [{ every: '1 hour' }] },
      action: action('changed'),
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    });
    await env.sleep('90 minutes');
    await handle.update((previous) => ({ ...previous, spec: { intervals: [{ every: '10 minutes' }] } }));
    await env.sleep('25 minutes');
    expect((await runsOf(env, 'changed')).map((r) => minuteOf(r.workflowId))).toEqual([
      '01:00',
      '01:40',
      '01:50',
    ]);
    expect((await handle.describe()).info.numActionsMissedCatchupWindow).toBe(0);
  });

  it('a tick that crashes after starting its run but before its write is redelivered and starts no second run', async () => {
    const env = await setup();
    const { engine } = env.nativeConnection as InProcessConnection;
    const store = engine.deps.schedules;
    const put = store.putSchedule.bind(store);
    let crashes = 0;
    // The first write after a run was started fails, as a Lambda dying between the two would.
    store.putSchedule = async (record, expected) => {
      if (record.numActions === 1 && crashes === 0) {
        crashes++;
        throw new Error('crash between the start and the write');
      }
      return put(record, expected);
    };
    await env.client.schedule.create({
      scheduleId: 'crashy',
      spec: { intervals: [{ every: '1 hour' }] },
      action: action('crashy'),
    });
    await env.sleep('150 minutes');
    expect(crashes).toBe(1);
    expect((await runsOf(env, 'crashy')).map((r) => minuteOf(r.workflowId))).toEqual(['01:00', '02:00']);
    expect((await env.client.schedule.getHandle('crashy').describe()).info.numActions).toBe(2);
  });
});
