import { Context } from 'cairnflow/activity';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../support/env.ts';
import * as workflows from './workflows/core.ts';

describe('describe of a pending activity', () => {
  it('shows its last heartbeat details and time while it runs', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const activities = {
      async heartbeatingStep(beats: number) {
        Context.current().heartbeat({ done: beats - 1, of: beats });
        await released;
        return `finished ${beats} beats on attempt ${Context.current().info.attempt}`;
      },
    };
    const env = await testEnv({ workers: [{ taskQueue: 'core', workflows, activities }] });
    const handle = await env.client.workflow.start(workflows.heartbeats, {
      taskQueue: 'core',
      workflowId: 'described-beats',
      args: [3],
    });
    const deadline = Date.now() + 10_000;
    let pending = (await handle.describe()).pendingActivities[0];
    while (pending?.lastHeartbeatTime === undefined) {
      if (Date.now() > deadline) throw new Error('describe never showed the heartbeat');
      await new Promise((resolve) => setTimeout(resolve, 20));
      pending = (await handle.describe()).pendingActivities[0];
    }
    expect(pending).toMatchObject({ activityType: 'heartbeatingStep', attempt: 1 });
    expect(JSON.parse(pending.heartbeatDetails!.data)).toEqual({ done: 2, of: 3 });
    release();
    expect(await handle.result()).toBe('finished 3 beats on attempt 1');
    expect((await handle.describe()).pendingActivities).toEqual([]);
  });
});
