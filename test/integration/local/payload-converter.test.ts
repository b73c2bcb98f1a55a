// A Temporal-style payload converter named by payloadConverterPath on the local stack: the worker's
// handler and the HTTP client both run it, and history holds its JSON as text.
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as activities from '../temporal-style/converter-activities.ts';
import { echoMeasurement } from '../temporal-style/converter-workflows.ts';

const pathOf = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const dataConverter = { payloadConverterPath: pathOf('../temporal-style/payload-converter.ts') };

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createLocal({ dataConverter });
}, 60_000);

afterAll(async () => {
  expect(await testEnv?.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

describe('payloadConverterPath on the local stack', () => {
  it('runs the converter in the worker and the client over HTTP', async () => {
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue: 'converter-local',
      workflowsPath: pathOf('../temporal-style/converter-workflows.ts'),
      activities,
      dataConverter,
    });
    const handle = await testEnv.client.workflow.start(echoMeasurement, {
      taskQueue: 'converter-local',
      workflowId: 'measure-local',
      args: [{ pattern: /x+/m, reading: Number.POSITIVE_INFINITY, takenAt: new Date(0) }],
    });
    const { echoed, seen } = await worker.runUntil(handle.result());
    expect(seen).toBe('x+/m true false true');
    expect(echoed.pattern).toEqual(/x+/m);
    expect(echoed.reading).toBe(Number.POSITIVE_INFINITY);
    const { events } = await handle.fetchHistory();
    const started = events[0];
    if (started?.type !== 'WorkflowExecutionStarted') throw new Error('no start event');
    expect(started.input[0]?.metadata).toEqual({ encoding: 'json/plain', format: 'extended' });
  });
});
