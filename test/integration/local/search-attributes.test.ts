// Temporal-shaped search attributes on the local stack: array values, [] and null removing one,
// typed keys, and list queries answered from DynamoDB's visibility records.
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { Worker } from 'cairnflow/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as workflows from '../temporal-style/search-attribute-workflows.ts';
import { OrderTotal } from '../temporal-style/search-attribute-workflows.ts';

let testEnv: TestWorkflowEnvironment;

beforeAll(async () => {
  testEnv = await TestWorkflowEnvironment.createLocal();
}, 60_000);

afterAll(async () => {
  expect(await testEnv?.verifyHistories()).toEqual([]);
  await testEnv?.teardown();
});

async function idsOf(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const run of testEnv.client.workflow.list({ query })) ids.push(run.workflowId);
  return ids.sort();
}

/** Polls until `read` returns what `expected` says, or fails after the deadline. */
async function eventually<T>(read: () => Promise<T>, expected: T, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await read();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(last).toEqual(expected);
}

describe('search attributes on the local stack', () => {
  it('upserts with arrays and typed keys remove attributes, and list queries follow', async () => {
    const { client, nativeConnection } = testEnv;
    const worker = await Worker.create({ connection: nativeConnection, taskQueue: 'attrs-local', workflows });
    await worker.runUntil(async () => {
      const untyped = await client.workflow.start(workflows.untypedAttributes, {
        taskQueue: 'attrs-local',
        workflowId: 'untyped-local',
        searchAttributes: { CustomIntField: [42], CustomBoolField: [true] },
      });
      const typed = await client.workflow.start(workflows.typedAttributes, {
        taskQueue: 'attrs-local',
        workflowId: 'typed-local',
        typedSearchAttributes: [{ key: OrderTotal, value: 99.5 }],
      });
      await eventually(async () => (await untyped.describe()).searchAttributes, { CustomIntField: 43 });
      await eventually(async () => (await typed.describe()).searchAttributes, { Stage: 'packed' });
      await eventually(() => idsOf('CustomIntField = 43'), ['untyped-local']);
      await eventually(() => idsOf("Stage = 'packed'"), ['typed-local']);
      expect(await idsOf('OrderTotal = 99.5 OR CustomBoolField = true')).toEqual([]);
      await untyped.terminate('done');
      await typed.terminate('done');
    });
  });
});
