// How long the API asks a client waiting on an open run to pause before its next result poll: a run
// that started moments ago is asked about again soon (a short workflow closes within a few hundred
// milliseconds), an older one at the configured pause.
import { condition } from 'cairnflow/workflow';
import { afterEach, expect, it } from 'vitest';
import { createWorkerRegistry } from '../../sdk/runtime/worker-registry.ts';
import { WorkflowService } from '../../sdk/runtime/workflow-service.ts';
import { MemoryEngine } from '../../sdk/testing/memory-engine.ts';

async function waitsForever(): Promise<void> {
  await condition(() => false);
}

const engines: MemoryEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.shutdown()));
});

it('asks a client to poll a young run again after half its age, from 50 ms up to the configured pause', async () => {
  const engine = new MemoryEngine({ startTime: 1_000_000 });
  engines.push(engine);
  engine.addWorker(createWorkerRegistry({ taskQueue: 'waits', workflows: { waitsForever } }));
  const service = new WorkflowService(engine.deps, {
    resultWait: { maxWaitMs: 0, retryAfterMs: 250, minRetryAfterMs: 50 },
  });
  const { runId } = await service.start({
    namespace: 'default',
    workflowId: 'young',
    workflowType: 'waitsForever',
    taskQueue: 'waits',
    input: [],
  });
  const pause = async () => {
    const outcome = await service.result('default', 'young', runId, 0);
    return outcome.status === 'Running' ? outcome.retryAfterMs : outcome.status;
  };
  expect(await pause()).toBe(50);
  engine.clock.advanceTo(engine.clock.now() + 300);
  expect(await pause()).toBe(150);
  engine.clock.advanceTo(engine.clock.now() + 1_000);
  expect(await pause()).toBe(250);
  // Without a floor, the configured pause holds from the start.
  const plain = new WorkflowService(engine.deps, { resultWait: { maxWaitMs: 0, retryAfterMs: 250 } });
  const second = await plain.start({
    namespace: 'default',
    workflowId: 'plain',
    workflowType: 'waitsForever',
    taskQueue: 'waits',
    input: [],
  });
  const outcome = await plain.result('default', 'plain', second.runId, 0);
  expect(outcome.status === 'Running' && outcome.retryAfterMs).toBe(250);
});
