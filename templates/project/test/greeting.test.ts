// Time-skipping tests: a day of waiting passes in milliseconds.
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as activities from '../src/activities.js';
import * as workflows from '../src/workflows.js';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    workers: [{ taskQueue: 'greetings', workflows, activities }],
  });
});

afterAll(async () => {
  await env?.teardown();
});

it('delivers the greeting after a day of waiting', async () => {
  const started = await env.currentTimeMs();
  const result = await env.client.workflow.execute(workflows.greeting, {
    taskQueue: 'greetings',
    workflowId: 'greeting-ada',
    args: ['ada'],
  });
  expect(result).toBe('delivered: Hello, ada!');
  expect((await env.currentTimeMs()) - started).toBeGreaterThanOrEqual(86_400_000);
});

it('delivers at once when signalled, and answers queries while it waits', async () => {
  const handle = await env.client.workflow.start(workflows.greeting, {
    taskQueue: 'greetings',
    workflowId: 'greeting-grace',
    args: ['grace', '30 days'],
  });
  await env.sleep('1 hour');
  expect(await handle.query(workflows.stage)).toBe('waiting');
  await handle.signal(workflows.deliverNow);
  expect(await handle.result()).toBe('delivered: Hello, grace!');
});
