import {
  Client,
  InvalidArgumentError,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
} from 'cairnflow/client';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../functions/api/handler.ts';
import { startHttpGateway } from '../../local/http-gateway.ts';
import * as workflows from './workflows/schedules.ts';

const START = Date.parse('2026-01-05T00:00:00Z');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An in-memory engine behind the real API handler, served over HTTP on 127.0.0.1. */
async function startApi() {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    startTime: START,
    workers: [{ taskQueue: 'sched', workflows, activities: {} }],
  });
  cleanups.push(() => env.teardown());
  const gateway = await startHttpGateway({ handler: createApiHandler(env.engine.service) });
  cleanups.push(() => gateway.stop());
  return { env, url: gateway.url, client: new Client({ endpoint: gateway.url }) };
}

const action = {
  type: 'startWorkflow',
  workflowType: 'tick',
  args: ['h'],
  taskQueue: 'sched',
  workflowId: 'h',
} as const;

describe('schedules over the HTTP API', () => {
  it('answers a bad cron expression or time zone with 400 and a message saying what is wrong; the client throws InvalidArgumentError', async () => {
    const { url, client } = await startApi();
    const post = (body: unknown) =>
      fetch(`${url}/v1/namespaces/default/schedules`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const wireAction = { type: 'startWorkflow', workflowType: 'tick', workflowId: 'x', taskQueue: 'sched' };
    const badCron = await post({
      scheduleId: 'x',
      spec: { cronExpressions: ['*/5 * * *'] },
      action: wireAction,
    });
    expect(badCron.status).toBe(400);
    expect((await badCron.json()).error).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/cronExpressions\[0\] '\*\/5 \* \* \*' has 4 fields/),
    });
    const badZone = await post({
      scheduleId: 'x',
      spec: { cronExpressions: ['0 9 * * *'], timezone: 'Europe/Berlln' },
      action: wireAction,
    });
    expect(badZone.status).toBe(400);
    expect((await badZone.json()).error.message).toMatch(/Unknown time zone 'Europe\/Berlln'/);
    const badOverlap = await post({
      scheduleId: 'x',
      spec: { intervals: [{ everyMs: 60_000 }] },
      action: wireAction,
      policies: { overlap: 'SOMETIMES' },
    });
    expect(badOverlap.status).toBe(400);
    expect((await badOverlap.json()).error.message).toMatch(/policies\.overlap/);

    const created = client.schedule.create({
      scheduleId: 'x',
      spec: { cronExpressions: ['0 25 * * *'] },
      action,
    });
    await expect(created).rejects.toThrow(InvalidArgumentError);
    await expect(created).rejects.toThrow(/hour: 25/);
    await expect(
      client.workflow.start('tick', { taskQueue: 'sched', workflowId: 'c', cronSchedule: 'every day' }),
    ).rejects.toThrow(/cronSchedule 'every day'/);
  });

  it('creates, describes, pauses, triggers, backfills, updates, lists and deletes a schedule through the client over HTTP', async () => {
    const { env, client } = await startApi();
    const handle = await client.schedule.create({
      scheduleId: 'hourly',
      spec: { intervals: [{ every: '1 hour', offset: '15 minutes' }] },
      action,
      memo: { owner: 'ops' },
    });
    await expect(
      client.schedule.create({ scheduleId: 'hourly', spec: { intervals: [{ every: '1h' }] }, action }),
    ).rejects.toThrow(ScheduleAlreadyRunning);
    await env.sleep('2 hours');
    let description = await handle.describe();
    expect(description.info.recentActions.map((a) => a.action.workflow.workflowId)).toEqual([
      'h-2026-01-05T00:15:00Z',
      'h-2026-01-05T01:15:00Z',
    ]);
    expect(description.info.nextActionTimes[0]).toEqual(new Date('2026-01-05T02:15:00Z'));
    expect(description.spec.intervals).toEqual([{ every: 3_600_000, offset: 900_000 }]);
    expect(description.memo).toEqual({ owner: 'ops' });
    expect(description.action.args).toEqual(['h']);

    await handle.pause('maintenance');
    await env.sleep('2 hours');
    expect((await handle.describe()).info.numActions).toBe(2);
    await handle.trigger();
    // Backfilled runs may overlap the triggered one (the default, SKIP, would drop them).
    await handle.backfill({
      start: new Date('2026-01-04T21:00:00Z'),
      end: new Date('2026-01-04T23:00:00Z'),
      overlap: ScheduleOverlapPolicy.ALLOW_ALL,
    });
    await env.sleep('1 minute');
    description = await handle.describe();
    expect(description.state).toMatchObject({ paused: true, note: 'maintenance' });
    expect(description.info.numActions).toBe(5);

    await handle.update((previous) => ({
      ...previous,
      spec: { cronExpressions: ['0 12 * * *'] },
      state: { paused: false },
    }));
    description = await handle.describe();
    expect(description.spec.cronExpressions).toEqual(['0 12 * * *']);
    expect(description.info.nextActionTimes[0]).toEqual(new Date('2026-01-05T12:00:00Z'));

    const listed = [];
    for await (const s of client.schedule.list()) listed.push(s);
    expect(listed).toMatchObject([
      { scheduleId: 'hourly', action: { workflowType: 'tick' }, state: { paused: false } },
    ]);
    await handle.delete();
    await expect(handle.describe()).rejects.toThrow(ScheduleNotFoundError);
    await expect(handle.delete()).rejects.toThrow(ScheduleNotFoundError);
  });

  it('documents the schedule routes in the OpenAPI document', async () => {
    const { url } = await startApi();
    const document = await (await fetch(`${url}/v1/openapi.json`)).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/namespaces/{namespace}/schedules',
        '/v1/namespaces/{namespace}/schedules/{scheduleId}',
        '/v1/namespaces/{namespace}/schedules/{scheduleId}/update',
        '/v1/namespaces/{namespace}/schedules/{scheduleId}/patch',
      ]),
    );
    expect(document.paths['/v1/namespaces/{namespace}/schedules/{scheduleId}'].delete.operationId).toBe(
      'deleteSchedule',
    );
    expect(document.components.schemas.CreateScheduleRequest).toBeDefined();
    expect(document.components.schemas.ScheduleDescription).toBeDefined();
  });
});
