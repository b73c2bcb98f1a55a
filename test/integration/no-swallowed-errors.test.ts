// Failures the engine once swallowed: a transient error while starting a child, a dead letter that
// could not be recorded, a warm replay that failed for another reason than non-determinism; and
// cancellation listeners that settled work left behind on its scope.
import type { SQSEvent } from 'aws-lambda';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import {
  CancellationScope,
  condition,
  defineSignal,
  executeChild,
  proxyActivities,
  setHandler,
  sleep,
} from 'cairnflow/workflow';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHistoryStore } from '../../sdk/backend/memory/history-store.ts';
import type { Replayer } from '../../sdk/engine/replayer.ts';
import type { Logger, RuntimeDeps } from '../../sdk/runtime/deps.ts';
import { newRun } from '../../sdk/runtime/start-workflow.ts';
import { createWorkerRegistry } from '../../sdk/runtime/worker-registry.ts';
import { cacheKey, loadReplayer } from '../../sdk/runtime/workflow-task.ts';
import { processSqsBatch } from '../../sdk/worker/sqs-batch.ts';

// ---- Workflows under test ----

const { twice } = proxyActivities<{ twice(n: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });
const tick = defineSignal('tick');

/** Waits a minute first: a redelivered start of it finds it still running. */
async function kid(n: number): Promise<number> {
  await sleep('1 minute');
  return twice(n);
}

async function parent(n: number): Promise<number> {
  return executeChild(kid, { workflowId: 'the-kid', args: [n] });
}

/** Cancellation listeners on the root scope, read where workflow code can see them (private state). */
function rootListeners(): number {
  return (CancellationScope.current() as unknown as { listeners: Set<unknown> }).listeners.size;
}

/** Runs activities, conditions and children one after another, then says how many listeners remain. */
async function longLived(rounds: number): Promise<number[]> {
  let ticks = 0;
  setHandler(tick, () => {
    ticks++;
  });
  const before = rootListeners();
  for (let i = 0; i < rounds; i++) {
    await twice(i);
    await executeChild(kid, { workflowId: `kid-${i}`, args: [i] });
  }
  await condition(() => ticks >= 1);
  return [before, rootListeners()];
}

/** Two workflow tasks with an activity between them: the second replays warm from the first. */
async function warm(n: number): Promise<number> {
  const a = await twice(n);
  return twice(a);
}

const workflows = { kid, parent, longLived, warm };
const activities = {
  async twice(n: number) {
    return n * 2;
  },
};

// ---- Fixtures ----

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = (level, message, fields) => {
    lines.push({ level, message, fields });
  };
  return { lines, logger };
}

async function environment(logger?: Logger) {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workers: [{ taskQueue: 'q', workflows, activities }],
    logger,
  });
  cleanups.push(() => env.teardown());
  return env;
}

/** An error as the AWS SDK throws a throttled call (not a Cairn error: nothing says it is permanent). */
function throttled(): Error {
  return Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
    name: 'ThrottlingException',
  });
}

// ---- Tests ----

describe('startChild', () => {
  it('retries a transient error after the child was created, instead of failing the child start for good', async () => {
    const env = await environment();
    const store = env.engine.store;
    // GIVEN the child's creation lands but its answer is lost (the system task fails and is
    // redelivered), and the first look-up of the existing child on redelivery is throttled
    const createRun = store.createRun.bind(store);
    let lost = false;
    store.createRun = async (run, ...rest) => {
      await createRun(run, ...rest);
      if (run.state.workflowId === 'the-kid' && !lost) {
        lost = true;
        throw throttled();
      }
    };
    const getCurrentRunId = store.getCurrentRunId.bind(store);
    let throttles = 0;
    store.getCurrentRunId = async (namespace, workflowId) => {
      if (workflowId === 'the-kid' && lost && throttles++ === 0) throw throttled();
      return getCurrentRunId(namespace, workflowId);
    };

    // WHEN the parent starts its child
    const result = await env.client.workflow.execute(parent, { taskQueue: 'q', workflowId: 'p', args: [21] });

    // THEN the child ran once and the parent got its result: no StartChildWorkflowExecutionFailed
    expect(result).toBe(42);
    expect(throttles).toBeGreaterThan(0);
    const { events } = await env.client.workflow.getHandle('p').fetchHistory();
    expect(events.map((e) => e.type)).not.toContain('StartChildWorkflowExecutionFailed');
    const kids = [];
    for await (const run of env.client.workflow.list({ query: "WorkflowId = 'the-kid'" })) kids.push(run);
    expect(kids).toHaveLength(1);
  });
});

describe('a dead letter that cannot be recorded', () => {
  it('is logged as an error, and the message is still reported failed', async () => {
    const { lines, logger } = recordingLogger();
    const body = JSON.stringify({
      task: {
        kind: 'workflow',
        ref: { namespace: 'default', workflowId: 'w', runId: 'r' },
        taskQueue: 'q',
        scheduledEventId: 2,
      },
    });
    const event = {
      Records: [{ messageId: 'm-1', body, attributes: { ApproximateReceiveCount: '5' } }],
    } as unknown as SQSEvent;

    const response = await processSqsBatch(
      event,
      async () => {
        throw new Error('workflow task failed');
      },
      logger,
      async () => {
        throw throttled();
      },
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    const line = lines.find((l) => l.level === 'error');
    expect(line?.message).toBe('could not record a dead-lettered task on its run');
    expect(line?.fields).toMatchObject({
      messageId: 'm-1',
      runId: 'r',
      taskError: 'Error: workflow task failed',
      error: 'ThrottlingException: Rate of requests exceeds the allowed throughput',
    });
  });
});

describe('a warm replay that fails for another reason than non-determinism', () => {
  it('falls back to a full replay and says so in the log', async () => {
    const { lines, logger } = recordingLogger();
    const store = new MemoryHistoryStore();
    const worker = createWorkerRegistry({ taskQueue: 'q', workflows, activities });
    const run = newRun(
      { namespace: 'default', workflowId: 'warm', workflowType: 'warm', taskQueue: 'q', input: [] },
      'run-1',
      Date.now(),
    );
    await store.createRun(run, 'ALLOW_DUPLICATE');
    // GIVEN a warm state of the run that fails to apply the next events (not a determinism error)
    const stale = {
      lastEventId: run.state.nextEventId - 1,
      replay: async () => {
        throw new RangeError('cached state no longer fits');
      },
    };
    worker.cache.set(cacheKey('default', 'run-1'), stale as unknown as Replayer);
    const deps = { store, logger } as unknown as RuntimeDeps;

    // WHEN the next task loads the run
    const replayer = await loadReplayer(deps, worker, run.state, []);

    // THEN it replayed from the start, and the log says why the warm state was dropped
    expect(replayer).not.toBe(stale);
    expect(worker.cache.get(cacheKey('default', 'run-1'))).toBeUndefined();
    const line = lines.find((l) => l.message === 'warm replay failed; replaying the run from its start');
    expect(line).toMatchObject({
      level: 'warn',
      fields: { workflowId: 'warm', runId: 'run-1', error: 'RangeError: cached state no longer fits' },
    });
  });
});

describe('cancellation listeners', () => {
  it('leave their scope when their activity, child or condition settles', async () => {
    const env = await environment();
    const handle = await env.client.workflow.start(longLived, {
      taskQueue: 'q',
      workflowId: 'long',
      args: [20],
    });
    await handle.signal(tick);
    const [before, after] = await handle.result();
    // Forty settled operations and a met condition leave nothing behind on the root scope.
    expect(after).toBe(before);
  });
});
