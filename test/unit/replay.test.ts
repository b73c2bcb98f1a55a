import { readFileSync, writeFileSync } from 'node:fs';
import { DeterminismViolationError } from 'cairnflow/common';
import { describe, expect, it } from 'vitest';
import { createApprovalActivities } from '../../examples/approval/activities.ts';
import * as approvalWorkflows from '../../examples/approval/workflows.ts';
import { createLoanActivities } from '../../examples/loan/activities.ts';
import * as loanWorkflows from '../../examples/loan/workflows.ts';
import { createOrderActivities } from '../../examples/order-saga/activities.ts';
import * as sagaWorkflows from '../../examples/order-saga/workflows.ts';
import type { HistoryEvent } from '../../sdk/engine/events.ts';
import { replayHistory } from '../../sdk/testing/replay.ts';
import { testEnv } from '../support/env.ts';
import { v1, v2Broken, v2Patched } from './workflows/versions.ts';

const echo = {
  async echo(value: string) {
    return value;
  },
};

async function recordV1(workflowId: string, until: 'sleeping' | 'done') {
  const env = await testEnv({ workers: [{ taskQueue: 'greet', workflows: v1, activities: echo }] });
  const handle = await env.client.workflow.start('greeter', {
    taskQueue: 'greet',
    workflowId,
    args: ['ada'],
  });
  if (until === 'done') await handle.result();
  else await env.sleep('1 minute');
  return { env, handle, events: (await handle.fetchHistory()).events };
}

describe('replay', () => {
  it('reproduces the recorded commands with the same code', async () => {
    const { events } = await recordV1('same-code', 'done');
    await expect(replayHistory({ workflows: v1 }, events)).resolves.toBeUndefined();
  });

  it('raises DeterminismViolationError naming the event, the recorded and the issued command', async () => {
    const { events } = await recordV1('changed-code', 'done');
    const error = (await replayHistory({ workflows: v2Broken }, events).catch(
      (e: unknown) => e,
    )) as DeterminismViolationError;
    expect(error).toBeInstanceOf(DeterminismViolationError);
    const scheduled = events.find((e) => e.type === 'ActivityTaskScheduled')!;
    expect(error.eventId).toBe(scheduled.eventId);
    expect(error.expected).toBe('ScheduleActivityTask(seq 1, echo)');
    expect(error.actual).toBe('StartTimer(seq 1)');
    expect(error.message).toContain(`at event ${scheduled.eventId}`);
  });

  it('fails the workflow task of a live run whose code changed, leaving history untouched and the reason in describe', async () => {
    const { env, handle, events } = await recordV1('live-change', 'sleeping');
    // Swap the worker's code under the running workflow, as a bad deploy would (a new process: cold cache).
    const worker = env.engine.workers.get('greet')!;
    worker.workflows.set('greeter', v2Broken.greeter);
    worker.cache.delete(`default/${(await handle.describe()).runId}`);
    await env.sleep('2 hours');
    const description = await handle.describe();
    expect(description.status).toBe('Running');
    expect(description.workflowTaskFailure?.cause).toBe('NonDeterminism');
    expect(description.workflowTaskFailure?.failure.message).toMatch(/Determinism violation at event \d+/);
    const after = (await handle.fetchHistory()).events;
    // Only the timer's firing was added; no task outcome was written on top of the violation.
    expect(after.slice(0, events.length)).toEqual(events);
    expect(after.slice(events.length).map((e) => e.type)).toEqual(['TimerFired', 'WorkflowTaskScheduled']);
    // Fixing the code (back to v1) lets the run finish.
    worker.workflows.set('greeter', v1.greeter);
    expect(await handle.result()).toBe('hello ada');
  });

  it('keeps old runs on the old path with patched(), while new runs take the new one', async () => {
    const { events } = await recordV1('patch-old', 'done');
    await expect(replayHistory({ workflows: v2Patched }, events)).resolves.toBeUndefined();
    const env = await testEnv({ workers: [{ taskQueue: 'greet', workflows: v2Patched, activities: echo }] });
    const fresh = await env.client.workflow.execute('greeter', {
      taskQueue: 'greet',
      workflowId: 'patch-new',
      args: ['bob'],
    });
    expect(fresh).toBe('hi bob');
  });
});

/** Golden histories of the examples: a change that breaks running workflows fails here. */
const golden = {
  'loan-approved': {
    workflows: loanWorkflows,
    record: async () => {
      const env = await testEnv({
        workers: [
          {
            taskQueue: 'loans',
            workflows: loanWorkflows,
            activities: createLoanActivities({ scores: { ada: 700 }, flakyCalls: 1 }),
          },
        ],
      });
      const args = [
        { applicationId: 'g-1', applicant: { name: 'ada', ssn: '123-45-6789', email: 'a@x' }, amount: 1000 },
      ] as const;
      const handle = await env.client.workflow.start(loanWorkflows.loanApplication, {
        taskQueue: 'loans',
        workflowId: 'golden-loan',
        args: [...args],
      });
      await handle.result();
      return (await handle.fetchHistory()).events;
    },
  },
  'saga-compensated': {
    workflows: sagaWorkflows,
    record: async () => {
      const services = { stock: { lamp: 1 }, journal: [] as string[], shippingDown: true };
      const env = await testEnv({
        workers: [
          { taskQueue: 'orders', workflows: sagaWorkflows, activities: createOrderActivities(services) },
        ],
      });
      const order = { orderId: 'g-2', sku: 'lamp', quantity: 1, amount: 10, address: 'x' };
      const handle = await env.client.workflow.start(sagaWorkflows.orderSaga, {
        taskQueue: 'orders',
        workflowId: 'golden-saga',
        args: [order],
      });
      await handle.result().catch(() => undefined);
      return (await handle.fetchHistory()).events;
    },
  },
  'approval-signalled': {
    workflows: approvalWorkflows,
    record: async () => {
      const env = await testEnv({
        workers: [
          { taskQueue: 'approvals', workflows: approvalWorkflows, activities: createApprovalActivities() },
        ],
      });
      const handle = await env.client.workflow.start(approvalWorkflows.approval, {
        taskQueue: 'approvals',
        workflowId: 'golden-approval',
        args: [{ requestId: 'g-3', description: 'x', approvers: ['carol'] }],
      });
      await env.sleep('3 days');
      await handle.signal(approvalWorkflows.decide, { approve: false, by: 'carol', comment: 'no budget' });
      await handle.result();
      return (await handle.fetchHistory()).events;
    },
  },
};

describe('golden histories', () => {
  for (const [name, { workflows, record }] of Object.entries(golden)) {
    it(`replays the recorded ${name} history with today's code`, async () => {
      const path = new URL(`../fixtures/golden/${name}.history.json`, import.meta.url);
      if (process.env.CAIRN_UPDATE_GOLDEN === '1')
        writeFileSync(path, `${JSON.stringify(await record(), null, 1)}\n`);
      const events = JSON.parse(readFileSync(path, 'utf8')) as HistoryEvent[];
      expect(events.at(-1)?.type).toMatch(/^WorkflowExecution(Completed|Failed)$/);
      await replayHistory({ workflows }, events);
    });
  }
});
