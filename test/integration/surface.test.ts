import { randomBytes } from 'node:crypto';
import { Context } from 'cairnflow/activity';
import { WorkflowFailedError, WorkflowUpdateFailedError } from 'cairnflow/client';
import {
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  TerminatedFailure,
  TimeoutFailure,
} from 'cairnflow/common';
import { describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../examples/codec/aes-gcm-codec.ts';
import { testEnv } from '../support/env.ts';
import * as workflows from './workflows/surface.ts';

function activities(journal: string[] = []) {
  return {
    async double(n: number) {
      return n * 2;
    },
    async waitForCancel() {
      const context = Context.current();
      for (let i = 0; i < 1000; i++) {
        context.heartbeat(i);
        try {
          await context.sleep('1s');
        } catch {
          journal.push(`waitForCancel saw ${context.cancellationSignal.reason?.name ?? 'abort'}`);
          throw context.cancellationSignal.reason;
        }
      }
      return 'never cancelled';
    },
    async record(entry: string) {
      journal.push(entry);
    },
  };
}

async function setup(options: { journal?: string[]; dataConverter?: { payloadCodecs: AesGcmCodec[] } } = {}) {
  return testEnv({
    dataConverter: options.dataConverter,
    workers: [{ taskQueue: 'surface', workflows, activities: activities(options.journal) }],
  });
}

describe('updates', () => {
  it('rejects an update in its validator without a trace in history, and returns an accepted one’s result', async () => {
    const env = await setup();
    const handle = await env.client.workflow.start(workflows.cart, {
      taskQueue: 'surface',
      workflowId: 'cart',
    });
    expect(await handle.query(workflows.items)).toEqual({});
    const before = (await handle.fetchHistory()).events;
    const rejected = await handle
      .executeUpdate(workflows.addItem, { args: ['apple', 50] })
      .catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((rejected as Error).message).toMatch(/quantity 50 out of range 1..10/);
    expect((await handle.fetchHistory()).events).toEqual(before);
    expect(await handle.executeUpdate(workflows.addItem, { args: ['apple', 3] })).toBe(3);
    expect(await handle.executeUpdate(workflows.addItem, { args: ['pear', 2] })).toBe(5);
    const types = (await handle.fetchHistory()).events.map((e) => e.type);
    expect(types.filter((t) => t === 'WorkflowExecutionUpdateAccepted')).toHaveLength(2);
    expect(types.filter((t) => t === 'WorkflowExecutionUpdateCompleted')).toHaveLength(2);
    await handle.signal(workflows.checkout);
    expect(await handle.result()).toEqual({ apple: 3, pear: 2 });
  });
});

describe('child workflows', () => {
  it('composes a parent result from its children', async () => {
    const env = await setup();
    expect(
      await env.client.workflow.execute(workflows.parentSum, {
        taskQueue: 'surface',
        workflowId: 'sum',
        args: [[1, 2, 3]],
      }),
    ).toBe(12);
    const child = await env.client.workflow.getHandle('sum-child-1').describe();
    expect(child.status).toBe('Completed');
    expect(child.parent).toMatchObject({ workflowId: 'sum' });
  });

  it('surfaces a failed child as ChildWorkflowFailure with its cause', async () => {
    const env = await setup();
    const error = (await env.client.workflow
      .execute(workflows.parentSum, { taskQueue: 'surface', workflowId: 'sum-bad', args: [[1, -5]] })
      .catch((e: unknown) => e)) as WorkflowFailedError;
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const childFailure = error.cause as ChildWorkflowFailure;
    expect(childFailure).toBeInstanceOf(ChildWorkflowFailure);
    expect(childFailure.workflowType).toBe('childDoubler');
    expect(childFailure.workflowId).toBe('sum-bad-child-1');
    expect(childFailure.cause).toBeInstanceOf(ApplicationFailure);
    expect((childFailure.cause as ApplicationFailure).type).toBe('NegativeInput');
  });

  it('signals a child through its handle', async () => {
    const env = await setup();
    expect(
      await env.client.workflow.execute(workflows.parentSignalsChild, {
        taskQueue: 'surface',
        workflowId: 'p',
      }),
    ).toBe('pinged by parent');
  });

  it('terminates children when the parent closes (default parent close policy)', async () => {
    const env = await setup();
    const parent = await env.client.workflow.start(workflows.parentOfSleeper, {
      taskQueue: 'surface',
      workflowId: 'parent',
    });
    await env.sleep('1 hour');
    await parent.terminate('operator');
    await env.sleep('1 minute');
    const child = await env.client.workflow.getHandle('parent-sleeper').describe();
    expect(child.status).toBe('Terminated');
    const error = (await parent.result().catch((e: unknown) => e)) as WorkflowFailedError;
    expect(error.cause).toBeInstanceOf(TerminatedFailure);
  });
});

describe('external workflows', () => {
  it('signals and cancels other workflows by id, and reports a missing one', async () => {
    const env = await setup();
    const target = await env.client.workflow.start(workflows.pingable, {
      taskQueue: 'surface',
      workflowId: 'target',
    });
    const victim = await env.client.workflow.start(workflows.longSleeper, {
      taskQueue: 'surface',
      workflowId: 'victim',
    });
    const result = await env.client.workflow.execute(workflows.externalCaller, {
      taskQueue: 'surface',
      workflowId: 'caller',
      args: ['target', 'victim'],
    });
    expect(result).toMatch(
      /^missing target: External workflow not reachable: ExternalWorkflowExecutionNotFound/,
    );
    expect(await target.result()).toBe('pinged by external');
    expect(
      (await victim.result().catch((e: WorkflowFailedError) => e.cause)) instanceof CancelledFailure,
    ).toBe(true);
  });
});

describe('continue-as-new', () => {
  it('counts to 35 across four runs, the client following the chain to the last one', async () => {
    const env = await setup();
    const handle = await env.client.workflow.start(workflows.counter, {
      taskQueue: 'surface',
      workflowId: 'counter',
      args: [0, 35],
    });
    expect(await handle.result()).toEqual({ count: 35, runs: 4 });
    const runs = env.allHistories().filter((h) => h.state.workflowId === 'counter');
    expect(runs.map((r) => r.state.status).sort()).toEqual([
      'Completed',
      'ContinuedAsNew',
      'ContinuedAsNew',
      'ContinuedAsNew',
    ]);
    const latest = await env.client.workflow.getHandle('counter').describe();
    expect(latest.status).toBe('Completed');
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
  });
});

describe('cancellation scopes', () => {
  it('cancels slow work with withTimeout', async () => {
    const env = await setup();
    expect(
      await env.client.workflow.execute(workflows.raceWithTimeout, {
        taskQueue: 'surface',
        workflowId: 'scope-timeout',
      }),
    ).toBe('timed out by scope');
  });

  it('delivers a cancellation to a heartbeating activity and waits for it (WAIT_CANCELLATION_COMPLETED)', async () => {
    const journal: string[] = [];
    const env = await setup({ journal });
    const result = await env.client.workflow.execute(workflows.cancelActivityScope, {
      taskQueue: 'surface',
      workflowId: 'scope-act',
    });
    expect(result).toBe('activity cancelled');
    expect(journal).toEqual(['waitForCancel saw CancelledFailure']);
    const { events } = await env.client.workflow.getHandle('scope-act').fetchHistory();
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['ActivityTaskCancelRequested', 'ActivityTaskCanceled']),
    );
  });
});

describe('versioning', () => {
  it('takes a deprecated patch unconditionally and records its marker', async () => {
    const env = await setup();
    expect(
      await env.client.workflow.execute(workflows.deprecated, { taskQueue: 'surface', workflowId: 'dep' }),
    ).toBe('v2 path');
    const { events } = await env.client.workflow.getHandle('dep').fetchHistory();
    expect(events.some((e) => e.type === 'MarkerRecorded')).toBe(true);
  });
});

describe('search attributes, memo and list', () => {
  it('shows start-time and upserted attributes in describe, and lists exactly the matching runs', async () => {
    const env = await setup();
    const start = (id: string, customer: string) =>
      env.client.workflow.start(workflows.tagged, {
        taskQueue: 'surface',
        workflowId: id,
        args: [customer],
        searchAttributes: {
          Region: customer === 'acme' ? 'eu' : 'us',
          Priority: customer === 'acme' ? 5 : 1,
        },
        memo: { owner: `${customer}-team`, createdAt: new Date('2026-01-02T03:04:05Z') },
      });
    const a = await start('t-1', 'acme');
    await start('t-2', 'globex');
    await start('t-3', 'acme');
    await a.signal(workflows.finish);
    await a.result();
    const description = await env.client.workflow.getHandle('t-3').describe();
    expect(description.searchAttributes).toEqual({
      Region: 'eu',
      Priority: 5,
      CustomerId: 'acme',
      Stage: 'waiting',
    });
    expect(description.memo).toEqual({ owner: 'acme-team', createdAt: new Date('2026-01-02T03:04:05Z') });
    const ids = async (query: string) => {
      const found: string[] = [];
      for await (const run of env.client.workflow.list({ query, pageSize: 1 })) found.push(run.workflowId);
      return found.sort();
    };
    expect(await ids("CustomerId = 'acme' AND ExecutionStatus = 'Running'")).toEqual(['t-3']);
    expect(await ids("CustomerId = 'acme'")).toEqual(['t-1', 't-3']);
    expect(await ids("Stage = 'done' OR (Region = 'us' AND Priority < 3)")).toEqual(['t-1', 't-2']);
    expect(await ids("WorkflowId STARTS_WITH 't-' AND WorkflowType = 'tagged'")).toEqual([
      't-1',
      't-2',
      't-3',
    ]);
    await expect(ids('CustomerId = ')).rejects.toThrow(/Invalid list query at position/);
  });
});

describe('payloads', () => {
  it('round-trips undefined, Date, Uint8Array and BigInt, and rejects a function clearly', async () => {
    const env = await setup();
    const value = {
      missing: undefined,
      list: [1, undefined, 3],
      when: new Date('2026-05-06T07:08:09Z'),
      bytes: new Uint8Array([1, 2, 255]),
      big: 12345678901234567890n,
    };
    const echoed = (await env.client.workflow.execute(workflows.echoWorkflow, {
      taskQueue: 'surface',
      workflowId: 'echo',
      args: [value],
    })) as typeof value;
    expect(echoed).toEqual({ list: [1, undefined, 3], when: value.when, bytes: value.bytes, big: value.big });
    expect(echoed.when).toBeInstanceOf(Date);
    await expect(
      env.client.workflow.start(workflows.echoWorkflow, {
        taskQueue: 'surface',
        workflowId: 'echo-fn',
        args: [() => 1],
      }),
    ).rejects.toThrow(/Cannot serialize a function/);
  });

  it('encrypts every payload that reaches history with the AES-GCM codec', async () => {
    const codec = new AesGcmCodec('k1', randomBytes(32));
    const env = await setup({ dataConverter: { payloadCodecs: [codec] } });
    const secret = 'card 4111-1111-1111-1111';
    const handle = await env.client.workflow.start(workflows.cart, {
      taskQueue: 'surface',
      workflowId: 'secret-cart',
      args: [],
    });
    expect(await handle.executeUpdate(workflows.addItem, { args: [secret, 2] })).toBe(2);
    await handle.signal(workflows.checkout);
    expect(await handle.result()).toEqual({ [secret]: 2 });
    const stored = JSON.stringify(env.allHistories().map((h) => h.events));
    expect(stored).not.toContain('4111');
    expect(stored).toContain('binary/encrypted');
    // The client decodes what it fetches.
    const { events } = await handle.fetchHistory();
    expect(JSON.stringify(events)).toContain('4111');
  });
});

describe('workflow timeouts and termination', () => {
  it('times out a run that exceeds workflowRunTimeout', async () => {
    const env = await setup();
    const handle = await env.client.workflow.start(workflows.sleepsLong, {
      taskQueue: 'surface',
      workflowId: 'run-timeout',
      workflowRunTimeout: '1 day',
    });
    const error = (await handle.result().catch((e: unknown) => e)) as WorkflowFailedError;
    expect(error.cause).toBeInstanceOf(TimeoutFailure);
    expect((await handle.describe()).status).toBe('TimedOut');
  });

  it('times out the whole chain with workflowExecutionTimeout', async () => {
    const env = await setup();
    const handle = await env.client.workflow.start(workflows.sleepsLong, {
      taskQueue: 'surface',
      workflowId: 'exec-timeout',
      workflowExecutionTimeout: '36 hours',
    });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const { events } = await handle.fetchHistory();
    expect(events.at(-1)).toMatchObject({ type: 'WorkflowExecutionTimedOut', timeoutType: 'Execution' });
  });

  it('keeps a closed run for the retention period: a long run’s close extends what would expire sooner', async () => {
    const env = await setup();
    const short = await env.client.workflow.start(workflows.sleepsLong, {
      taskQueue: 'surface',
      workflowId: 'retained-short',
    });
    const long = await env.client.workflow.start(workflows.pingable, {
      taskQueue: 'surface',
      workflowId: 'retained-long',
    });
    await short.terminate('done');
    await env.sleep('61 days');
    await long.terminate('done');
    await env.sleep('1 second');
    // Items get their expiry when written (backend/retention.ts): a short run's already covers it.
    const { runId: shortRunId } = await short.describe();
    expect(env.engine.store.expiries.get(`default/${shortRunId}`)).toBeUndefined();
    const { runId, closeTime } = await long.describe();
    expect(env.engine.store.expiries.get(`default/${runId}`)).toBe(closeTime!.getTime() + 30 * 86_400_000);
  });

  it('terminates with a reason that shows in history', async () => {
    const env = await setup();
    const handle = await env.client.workflow.start(workflows.sleepsLong, {
      taskQueue: 'surface',
      workflowId: 'term',
    });
    await handle.terminate('no longer needed');
    const { events } = await handle.fetchHistory();
    expect(events.at(-1)).toMatchObject({ type: 'WorkflowExecutionTerminated', reason: 'no longer needed' });
  });
});
