import { TestWorkflowEnvironment, type TimeSkippingOptions } from 'cairnflow/testing';
import { afterEach, expect } from 'vitest';

const open: TestWorkflowEnvironment[] = [];

/**
 * A time-skipping environment for one test. After the test, every history it recorded is replayed
 * with the same code (identical commands, invariants intact), then the environment is torn down.
 */
export async function testEnv(options: TimeSkippingOptions): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping(options);
  open.push(env);
  return env;
}

afterEach(async () => {
  const envs = open.splice(0);
  try {
    for (const env of envs) expect(await env.verifyHistories()).toEqual([]);
  } finally {
    await Promise.all(envs.map((env) => env.teardown()));
  }
});
