import { InvalidArgumentError, ScheduleOverlapPolicy } from 'cairnflow/client';
import type { InProcessConnection } from 'cairnflow/testing';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../support/env.ts';
import * as workflows from './workflows/schedules.ts';

const START = Date.parse('2026-01-05T00:00:00Z');

async function setup(startTime = START) {
  const env = await testEnv({ startTime, workers: [{ taskQueue: 'sched', workflows, activities: {} }] });
  return env;
}

async function runsOf(env: Awaited<ReturnType<typeof setup>>, prefix: string) {
  const runs = [];
  for await (const run of env.client.workflow.list()) if (run.workflowId.startsWith(prefix)) runs.push(run);
  return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
}

describe('client.schedule', () => {
  it('starts exactly 24 runs of a */5 cron over two hours, each with the prefix and its scheduled time as id', async () => {
    const env = await setup();
    await env.client.schedule.create({
      scheduleId: 'every-5',
      spec: { cronExpressions: ['*/5 * * * *'] },
      action: {
        type: 'startWorkflow',
        workflowType: workflows.tick,
        args: ['t'],
        taskQueue: 'sched',
        workflowId: 'five',
      },
    });
    await env.sleep('2 hours');
    const runs = await runsOf(env, 'five-');
    expect(runs).toHaveLength(24);
    const expected = Array.from(
      { length: 24 },
      (_, i) => `five-${new Date(START + (i + 1) * 5 * 60_000).toISOString().replace('.000Z', 'Z')}`,
    );
    expect(runs.map((r) => r.workflowId)).toEqual(expected);
    await env.sleep('1 second');
    expect((await runsOf(env, 'five-')).every((r) => r.status === 'Completed')).toBe(true);
    const description = await env.client.schedule.getHandle('every-5').describe();
    expect(description.info.numActions).toBe(24);
    expect(description.info.recentActions).toHaveLength(10);
    expect(description.info.recentActions.at(-1)?.action.workflow.workflowId).toBe(expected.at(-1));
    expect(description.info.nextActionTimes[0]).toEqual(new Date(START + 125 * 60_000));
    expect(description.info.runningActions).toEqual([]);
  });

  it('SKIP drops a fire while the last run still runs; BUFFER_ONE holds one and starts it when that run closes', async () => {
    const env = await setup();
    const create = (scheduleId: string, overlap: ScheduleOverlapPolicy) =>
      env.client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '10 minutes' }] },
        // Each run takes 25 minutes: two fires land while it runs.
        action: {
          type: 'startWorkflow',
          workflowType: 'busy',
          args: [25 * 60_000],
          taskQueue: 'sched',
          workflowId: scheduleId,
        },
        policies: { overlap },
      });
    await create('skip', ScheduleOverlapPolicy.SKIP);
    await create('buffer', ScheduleOverlapPolicy.BUFFER_ONE);
    await env.sleep('61 minutes');
    const at = (prefix: string, runs: { workflowId: string }[]) =>
      runs.map((r) => r.workflowId.slice(prefix.length + 12, prefix.length + 17));
    const skip = await runsOf(env, 'skip-');
    // Fires at :10 (runs to :35), :20 and :30 skipped, :40 (to 1:05), :50 and 1:00 skipped.
    expect(at('skip', skip)).toEqual(['00:10', '00:40']);
    const skipped = await env.client.schedule.getHandle('skip').describe();
    expect(skipped.info.numActionsSkippedOverlap).toBe(4);
    expect(skipped.info.runningActions).toHaveLength(1);
    const buffer = await runsOf(env, 'buffer-');
    // :10 runs to :35; :20 is held (and :30 dropped) and starts at :35, running to 1:00, when the held :40 starts.
    expect(at('buffer', buffer)).toEqual(['00:10', '00:20', '00:40']);
    expect(buffer[1]!.startTime).toEqual(new Date(START + 35 * 60_000));
    expect(buffer[2]!.startTime).toEqual(new Date(START + 60 * 60_000));
  });

  it('a paused schedule starts nothing, and resumes from the time it is unpaused', async () => {
    const env = await setup();
    const handle = await env.client.schedule.create({
      scheduleId: 'pausable',
      spec: { intervals: [{ every: '1 hour' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'tick',
        args: ['p'],
        taskQueue: 'sched',
        workflowId: 'pausable',
      },
      state: { paused: true, note: 'not yet' },
    });
    await env.sleep('210 minutes');
    expect(await runsOf(env, 'pausable-')).toHaveLength(0);
    expect((await handle.describe()).state).toMatchObject({ paused: true, note: 'not yet' });
    await handle.unpause('go');
    await env.sleep('2 hours');
    const runs = await runsOf(env, 'pausable-');
    expect(runs.map((r) => r.startTime)).toEqual([
      new Date(START + 4 * 3_600_000),
      new Date(START + 5 * 3_600_000),
    ]);
    await handle.pause('stop again');
    await env.sleep('3 hours');
    expect(await runsOf(env, 'pausable-')).toHaveLength(2);
    expect((await handle.describe()).state).toMatchObject({ paused: true, note: 'stop again' });
  });

  it('after an outage, catches up only on fires within the catch-up window', async () => {
    const env = await setup();
    const handle = await env.client.schedule.create({
      scheduleId: 'catchup',
      spec: { intervals: [{ every: '10 minutes' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'tick',
        args: ['c'],
        taskQueue: 'sched',
        workflowId: 'catchup',
      },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '25 minutes' },
    });
    // The outage: the engine does not run for two hours (no worker, no ticks), then comes back.
    const { engine } = env.nativeConnection as InProcessConnection;
    engine.clock.advanceTo(START + 2 * 3_600_000);
    await env.sleep('1 second');
    const runs = await runsOf(env, 'catchup-');
    // Fires due 0:10 … 2:00; back at 2:00: only 1:40, 1:50 and 2:00 are within 25 minutes.
    expect(runs.map((r) => r.workflowId.slice(-9, -4)).sort()).toEqual(['01:40', '01:50', '02:00']);
    const info = (await handle.describe()).info;
    expect(info.numActionsMissedCatchupWindow).toBe(9);
    expect(info.numActions).toBe(3);
  });

  it('backfill takes every action the spec calls for in a past range; trigger takes one now', async () => {
    const env = await setup();
    const handle = await env.client.schedule.create({
      scheduleId: 'daily',
      spec: { calendars: [{ hour: 6, comment: 'six every morning' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'tick',
        args: ['d'],
        taskQueue: 'sched',
        workflowId: 'daily',
      },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    });
    await handle.backfill([
      { start: new Date('2025-12-01T00:00:00Z'), end: new Date('2025-12-04T06:00:00Z') },
    ]);
    await env.sleep('1 minute');
    await handle.trigger();
    await env.sleep('1 minute');
    const runs = await runsOf(env, 'daily-');
    expect(runs.map((r) => r.workflowId).sort()).toEqual([
      'daily-2025-12-01T06:00:00Z',
      'daily-2025-12-02T06:00:00Z',
      'daily-2025-12-03T06:00:00Z',
      'daily-2025-12-04T06:00:00Z',
      'daily-2026-01-05T00:01:00Z',
    ]);
    expect((await handle.describe()).info.nextActionTimes[0]).toEqual(new Date('2026-01-05T06:00:00Z'));
  });

  it('remainingActions limits the scheduled actions, then the schedule stops', async () => {
    const env = await setup();
    const handle = await env.client.schedule.create({
      scheduleId: 'three',
      spec: { intervals: [{ every: '1 hour' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'tick',
        args: ['r'],
        taskQueue: 'sched',
        workflowId: 'three',
      },
      state: { remainingActions: 3 },
    });
    expect((await handle.describe()).info.nextActionTimes).toHaveLength(3);
    await env.sleep('10 hours');
    expect(await runsOf(env, 'three-')).toHaveLength(3);
    const description = await handle.describe();
    expect(description.state.remainingActions).toBe(0);
    expect(description.info.nextActionTimes).toEqual([]);
  });

  it('fires at 09:00 Europe/Berlin every day across both daylight-saving changes of 2026', async () => {
    const start = Date.parse('2026-03-27T00:00:00Z');
    const env = await setup(start);
    await env.client.schedule.create({
      scheduleId: 'berlin',
      spec: {
        cronExpressions: ['0 9 * * *'],
        timezone: 'Europe/Berlin',
        startAt: new Date(start),
        endAt: new Date('2026-03-31T00:00:00Z'),
      },
      action: {
        type: 'startWorkflow',
        workflowType: 'tick',
        args: ['b'],
        taskQueue: 'sched',
        workflowId: 'berlin',
      },
    });
    await env.sleep('4 days');
    // CET (UTC+1) until 29 March 02:00, CEST (UTC+2) after.
    expect((await runsOf(env, 'berlin-')).map((r) => r.workflowId)).toEqual([
      'berlin-2026-03-27T08:00:00Z',
      'berlin-2026-03-28T08:00:00Z',
      'berlin-2026-03-29T07:00:00Z',
      'berlin-2026-03-30T07:00:00Z',
    ]);
    const handle = env.client.schedule.getHandle('berlin');
    await handle.update((previous) => ({
      ...previous,
      spec: { ...previous.spec, startAt: undefined, endAt: new Date('2026-10-28T00:00:00Z') },
    }));
    // Sleep through to the autumn change (25 October 03:00 CEST → 02:00 CET).
    await env.sleep(Date.parse('2026-10-24T00:00:00Z') - (await env.currentTimeMs()));
    const before = (await runsOf(env, 'berlin-')).length;
    await env.sleep('4 days');
    expect((await runsOf(env, 'berlin-')).slice(before).map((r) => r.workflowId)).toEqual([
      'berlin-2026-10-24T07:00:00Z',
      'berlin-2026-10-25T08:00:00Z',
      'berlin-2026-10-26T08:00:00Z',
      'berlin-2026-10-27T08:00:00Z',
    ]);
  });

  it('a time in the hour that spring-forward skips runs right after the gap, once', async () => {
    const start = Date.parse('2026-03-28T00:00:00Z');
    const env = await setup(start);
    await env.client.schedule.create({
      scheduleId: 'gap',
      spec: { calendars: [{ hour: 2, minute: 30 }], timezone: 'Europe/Berlin' },
      action: {
        type: 'startWorkflow',
        workflowType: 'tick',
        args: ['g'],
        taskQueue: 'sched',
        workflowId: 'gap',
      },
    });
    await env.sleep('2 days');
    expect((await runsOf(env, 'gap-')).map((r) => r.workflowId)).toEqual([
      'gap-2026-03-28T01:30:00Z', // 02:30 CET
      'gap-2026-03-29T01:00:00Z', // 02:30 does not exist: 03:00 CEST
    ]);
  });

  it('pauseOnFailure pauses the schedule when a run it started fails', async () => {
    const env = await setup();
    const handle = await env.client.schedule.create({
      scheduleId: 'fragile',
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: 'broken', taskQueue: 'sched', workflowId: 'fragile' },
      policies: { pauseOnFailure: true },
    });
    await env.sleep('5 hours');
    expect(await runsOf(env, 'fragile-')).toHaveLength(1);
    expect((await handle.describe()).state).toMatchObject({ paused: true });
  });

  it('refuses a bad cron expression, time zone or calendar with a typed error saying what is wrong', async () => {
    const env = await setup();
    const action = { type: 'startWorkflow', workflowType: 'tick', taskQueue: 'sched' } as const;
    await expect(
      env.client.schedule.create({ scheduleId: 'bad', spec: { cronExpressions: ['61 * * * *'] }, action }),
    ).rejects.toThrow(/cronExpressions\[0\] '61 \* \* \* \*'.*minute/);
    await expect(
      env.client.schedule.create({ scheduleId: 'bad', spec: { cronExpressions: ['* * *'] }, action }),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(
      env.client.schedule.create({
        scheduleId: 'bad',
        spec: { intervals: [{ every: '1h' }], timezone: 'Mars/Olympus' },
        action,
      }),
    ).rejects.toThrow(/Unknown time zone 'Mars\/Olympus'/);
    await expect(
      env.client.schedule.create({ scheduleId: 'bad', spec: { calendars: [{ hour: 25 }] }, action }),
    ).rejects.toThrow(/hour range 25–25 must lie within 0–23/);
    await expect(env.client.schedule.getHandle('nope').describe()).rejects.toThrow(/Schedule nope not found/);
    const names = [];
    for await (const s of env.client.schedule.list()) names.push(s.scheduleId);
    expect(names).toEqual([]);
  });

  it('lists and deletes schedules; a deleted schedule starts nothing more', async () => {
    const env = await setup();
    for (const id of ['b-sched', 'a-sched']) {
      await env.client.schedule.create({
        scheduleId: id,
        spec: { intervals: [{ every: '1 hour' }] },
        action: {
          type: 'startWorkflow',
          workflowType: 'tick',
          args: [id],
          taskQueue: 'sched',
          workflowId: id,
        },
      });
    }
    const listed = [];
    for await (const s of env.client.schedule.list()) listed.push(s);
    expect(listed.map((s) => s.scheduleId)).toEqual(['a-sched', 'b-sched']);
    expect(listed[0]!.info.nextActionTimes[0]).toEqual(new Date(START + 3_600_000));
    await env.client.schedule.getHandle('a-sched').delete();
    await env.sleep('2 hours');
    expect(await runsOf(env, 'a-sched-')).toHaveLength(0);
    expect(await runsOf(env, 'b-sched-')).toHaveLength(2);
  });
});

describe('cronSchedule', () => {
  it('runs three times in three periods under one workflow id', async () => {
    const env = await setup();
    await env.client.workflow.start(workflows.cronRun, {
      taskQueue: 'sched',
      workflowId: 'hourly',
      cronSchedule: '0 * * * *',
    });
    await env.sleep('210 minutes');
    const runs = await runsOf(env, 'hourly');
    expect(runs.every((r) => r.workflowId === 'hourly')).toBe(true);
    const closed = runs.filter((r) => r.status === 'Completed');
    expect(closed).toHaveLength(3);
    for (const [i, run] of closed.entries()) {
      const result = await env.client.workflow.getHandle('hourly', run.runId).result();
      expect(result).toBe(`hourly ran at ${new Date(START + (i + 1) * 3_600_000).toISOString()}`);
    }
    // The fourth run waits for 04:00.
    expect(runs.filter((r) => r.status === 'Running')).toHaveLength(1);
  });

  it('a child with cronSchedule runs in each period under its workflow id', async () => {
    const env = await setup();
    await env.client.workflow.start(workflows.cronParent, {
      taskQueue: 'sched',
      workflowId: 'parent',
      args: ['30 * * * *'],
    });
    await env.sleep('165 minutes');
    const children = (await runsOf(env, 'cron-child')).filter((r) => r.status === 'Completed');
    const results = [];
    for (const run of children)
      results.push(await env.client.workflow.getHandle('cron-child', run.runId).result());
    expect(results).toEqual(
      [0, 1, 2].map(
        (h) => `cron-child ran at ${new Date(START + h * 3_600_000 + 30 * 60_000).toISOString()}`,
      ),
    );
    expect((await env.client.workflow.getHandle('parent').describe()).status).toBe('Running');
  });

  it('keeps the schedule when a cron run continues as new', async () => {
    const env = await setup();
    await env.client.workflow.start(workflows.cronContinuing, {
      taskQueue: 'sched',
      workflowId: 'continuing',
      args: [0],
      cronSchedule: '0 * * * *',
    });
    await env.sleep('150 minutes');
    const runs = await runsOf(env, 'continuing');
    expect(runs.map((r) => r.status).sort()).toEqual(['Completed', 'Completed', 'ContinuedAsNew', 'Running']);
    const results = [];
    for (const run of runs.filter((r) => r.status === 'Completed'))
      results.push(await env.client.workflow.getHandle('continuing', run.runId).result());
    // The continued run finishes at once; the chain's next run, at 02:00, takes the input it was given.
    expect(results.sort()).toEqual([
      `round 1 at ${new Date(START + 3_600_000).toISOString()}`,
      `round 1 at ${new Date(START + 2 * 3_600_000).toISOString()}`,
    ]);
  });

  it('refuses a bad cronSchedule with a message saying what is wrong', async () => {
    const env = await setup();
    await expect(
      env.client.workflow.start(workflows.cronRun, {
        taskQueue: 'sched',
        workflowId: 'bad',
        cronSchedule: '* * * * * * * *',
      }),
    ).rejects.toThrow(/cronSchedule '\* \* \* \* \* \* \* \*' has 8 fields/);
  });
});
