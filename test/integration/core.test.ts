import { Context } from 'cairnflow/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from 'cairnflow/client';
import { CancelledFailure } from 'cairnflow/common';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../support/env.ts';
import * as workflows from './workflows/core.ts';

function activities(log: string[]) {
  return {
    async slowStep(label: string, firstAttemptMs: number) {
      const { attempt } = Context.current().info;
      log.push(`slowStep attempt ${attempt}`);
      if (attempt === 1) await Context.current().sleep(firstAttemptMs);
      return `${label} done on attempt ${attempt}`;
    },
    async heartbeatingStep(beats: number, everyMs: number) {
      const context = Context.current();
      const { attempt, heartbeatDetails } = context.info;
      const from = typeof heartbeatDetails === 'number' ? heartbeatDetails : 0;
      log.push(`heartbeatingStep attempt ${attempt} from ${from}`);
      for (let beat = from; beat < beats; beat++) {
        // Attempt 1 stalls after two beats: no heartbeat for 30 s.
        if (attempt === 1 && beat === 2) await context.sleep('30s');
        await context.sleep(everyMs);
        context.heartbeat(beat + 1);
      }
      return `finished ${beats} beats on attempt ${attempt}`;
    },
    async cleanup(label: string) {
      log.push(`cleanup ${label}`);
    },
    async echo(value: string) {
      return value;
    },
  };
}

async function setup() {
  const log: string[] = [];
  const env = await testEnv({ workers: [{ taskQueue: 'core', workflows, activities: activities(log) }] });
  return { env, log };
}

describe('activity timeouts', () => {
  it('fails an attempt that exceeds its start-to-close timeout and retries it', async () => {
    const { env, log } = await setup();
    const handle = await env.client.workflow.start(workflows.slowThenFast, {
      taskQueue: 'core',
      workflowId: 'slow',
      args: ['job', 60_000],
    });
    expect(await handle.result()).toBe('job done on attempt 2');
    expect(log).toEqual(['slowStep attempt 1', 'slowStep attempt 2']);
    const { events } = await handle.fetchHistory();
    const timedOut = events.find((e) => e.type === 'ActivityTaskTimedOut');
    expect(timedOut).toMatchObject({ timeoutType: 'StartToClose', attempt: 1, retryState: 'InProgress' });
  });

  it('fails an attempt that stops heartbeating, and the next attempt resumes from the last heartbeat details', async () => {
    const { env, log } = await setup();
    const handle = await env.client.workflow.start(workflows.heartbeats, {
      taskQueue: 'core',
      workflowId: 'beats',
      args: [5],
    });
    expect(await handle.result()).toBe('finished 5 beats on attempt 2');
    expect(log).toEqual(['heartbeatingStep attempt 1 from 0', 'heartbeatingStep attempt 2 from 2']);
    const { events } = await handle.fetchHistory();
    expect(events.find((e) => e.type === 'ActivityTaskTimedOut')).toMatchObject({
      timeoutType: 'Heartbeat',
      attempt: 1,
    });
  });
});

describe('timers and workflow time', () => {
  it('fires timers in due order and advances Date.now() by exactly the skipped time', async () => {
    const { env } = await setup();
    const before = await env.currentTimeMs();
    const result = await env.client.workflow.execute(workflows.timerOrder, {
      taskQueue: 'core',
      workflowId: 'timers',
    });
    expect(result.order).toEqual(['a', 'c', 'b']);
    expect(result.elapsed).toEqual([60_000, 3 * 3_600_000, 2 * 86_400_000]);
    expect((await env.currentTimeMs()) - before).toBe(2 * 86_400_000);
  });

  it('makes setTimeout inside a workflow a durable timer', async () => {
    const { env } = await setup();
    expect(
      await env.client.workflow.execute(workflows.timeoutTimer, {
        taskQueue: 'core',
        workflowId: 'set-timeout',
      }),
    ).toBe(60_000);
  });

  it('gives workflow time and a per-run seeded Math.random, identical on replay', async () => {
    const { env } = await setup();
    const start = await env.currentTimeMs();
    const values = await env.client.workflow.execute(workflows.deterministicValues, {
      taskQueue: 'core',
      workflowId: 'det',
    });
    expect(values.now).toBe(start);
    expect(values.random).toBeGreaterThanOrEqual(0);
    expect(values.random).toBeLessThan(1);
    expect(values.info).toBe('deterministicValues');
  });
});

describe('determinism enforcement', () => {
  it.each([
    ['fetch', /fetch is not available in workflow code: do network I\/O in an activity/],
    ['randomUUID', /crypto.randomUUID is not available in workflow code: use uuid4\(\)/],
    ['setInterval', /setInterval is not available in workflow code/],
    ['readFile', /fs.readFileSync is not available in workflow code: do file I\/O in an activity/],
    ['spawn', /child_process.spawnSync is not available in workflow code: run processes in an activity/],
  ] as const)(
    'refuses %s inside workflow code with an error naming the API, visible in describe',
    async (api, message) => {
      const { env } = await setup();
      const handle = await env.client.workflow.start(workflows.forbidden, {
        taskQueue: 'core',
        workflowId: `forbidden-${api}`,
        args: [api],
      });
      await env.sleep('1 second');
      const description = await handle.describe();
      expect(description.status).toBe('Running');
      expect(description.workflowTaskFailure?.failure.message).toMatch(message);
      expect(description.workflowTaskFailure?.cause).toBe('WorkflowError');
      await handle.terminate('test over');
    },
  );
});

describe('cancellation', () => {
  it('surfaces a cancellation inside a sleeping workflow, which cleans up in a non-cancellable scope', async () => {
    const { env, log } = await setup();
    const handle = await env.client.workflow.start(workflows.sleepyCleanup, {
      taskQueue: 'core',
      workflowId: 'cancel-me',
    });
    await env.sleep('1 hour');
    await handle.cancel();
    expect(await handle.result()).toBe('cancelled and cleaned up');
    expect(log).toEqual(['cleanup after-cancel']);
    const { events } = await handle.fetchHistory();
    expect(events.map((e) => e.type)).toContain('TimerCanceled');
  });

  it('closes a workflow that lets the cancellation propagate as Canceled', async () => {
    const { env } = await setup();
    const handle = await env.client.workflow.start(workflows.sleeper, {
      taskQueue: 'core',
      workflowId: 'cancel-propagates',
    });
    await handle.cancel();
    const error = (await handle.result().catch((e: unknown) => e)) as WorkflowFailedError;
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(error.cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status).toBe('Canceled');
  });
});

describe('workflow ids', () => {
  it('refuses a second start while a workflow with the same id runs', async () => {
    const { env } = await setup();
    await env.client.workflow.start(workflows.sleeper, { taskQueue: 'core', workflowId: 'only-once' });
    await expect(
      env.client.workflow.start(workflows.sleeper, { taskQueue: 'core', workflowId: 'only-once' }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });

  it('allows reuse after close by default but not under REJECT_DUPLICATE', async () => {
    const { env } = await setup();
    await env.client.workflow.execute(workflows.deterministicValues, {
      taskQueue: 'core',
      workflowId: 'reuse',
    });
    await env.client.workflow.execute(workflows.deterministicValues, {
      taskQueue: 'core',
      workflowId: 'reuse',
    });
    await expect(
      env.client.workflow.start(workflows.deterministicValues, {
        taskQueue: 'core',
        workflowId: 'reuse',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });

  it('terminates the running run in the write that starts its successor under TERMINATE_IF_RUNNING', async () => {
    const { env } = await setup();
    const first = await env.client.workflow.start(workflows.sleeper, {
      taskQueue: 'core',
      workflowId: 'replace',
    });
    const second = await env.client.workflow.start(workflows.sleeper, {
      taskQueue: 'core',
      workflowId: 'replace',
      workflowIdReusePolicy: 'TERMINATE_IF_RUNNING',
    });
    expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    const old = env.client.workflow.getHandle('replace', first.firstExecutionRunId);
    expect((await old.describe()).status).toBe('Terminated');
    const { events } = await old.fetchHistory();
    expect(events.at(-1)).toMatchObject({
      type: 'WorkflowExecutionTerminated',
      reason: 'Terminated by a start with TERMINATE_IF_RUNNING',
    });
    expect((await env.client.workflow.getHandle('replace').describe()).status).toBe('Running');
  });

  it('reports a failure thrown by the workflow as WorkflowFailedError', async () => {
    const { env } = await setup();
    const error = await env.client.workflow
      .execute(workflows.failsWith, { taskQueue: 'core', workflowId: 'fails', args: ['nope'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause.message).toBe('nope');
  });
});
