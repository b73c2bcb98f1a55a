// Waiting clients under load, on the local stack through the real handlers: a burst of runs, each
// awaited with `result()`, while the API function is capped at 8 concurrent invocations and
// throttles beyond (as Lambda does with reserved concurrency). Results must reach every client:
// the API answers result polls briefly (`API_FUNCTION.resultWaitMs`) and the client backs off and
// retries throttled requests, instead of each waiting client pinning an invocation.
import { Client } from 'cairnflow/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/stack.ts';
import * as activities from './load/activities.ts';
import * as workflows from './load/workflows.ts';

const BURST = 300;
const API_CONCURRENCY = 8;
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    workers: [{ taskQueue: 'load', workflows, activities }],
    apiConcurrency: API_CONCURRENCY,
    logLevel: 'error',
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('a burst of waiting clients', () => {
  it(`delivers all ${BURST} results of ${BURST} ten-step workflows started at once and each awaited with result()`, async () => {
    const api = stack.functions.get('cairn-local-api')!;
    // Generous enough that a throttled start or poll comes through; bounded all the same.
    const client = new Client({ endpoint: stack.endpoint, retry: { maxAttempts: 12 } });
    const t0 = Date.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: BURST }, async (_, i) => {
        const handle = await client.workflow.start(workflows.tenSteps, {
          taskQueue: 'load',
          workflowId: `burst-${i}`,
          args: [i],
        });
        return handle.result();
      }),
    );
    const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
    expect(failed.slice(0, 3)).toEqual([]);
    expect(outcomes.map((o) => (o as PromiseFulfilledResult<number>).value)).toEqual(
      Array.from({ length: BURST }, (_, i) => i + 10),
    );
    // The cap held, and it was reached: the clients' backoff carried them through the throttling.
    expect(api.peakConcurrency).toBeLessThanOrEqual(API_CONCURRENCY);
    expect(api.throttles).toBeGreaterThan(0);
    console.log(
      `burst of ${BURST}: all results in ${Math.round((Date.now() - t0) / 1000)} s; ` +
        `${api.invocations} API invocations (mean ${Math.round(api.billedMs / api.invocations)} ms), ` +
        `${api.throttles} throttled`,
    );
  }, 600_000);
});
