// Waiting clients under load, on the local stack through the real handlers: a burst of runs, each
// awaited with `result()`, while the API function is capped at 8 concurrent invocations and
// throttles beyond (as Lambda does with reserved concurrency). Results must reach every client:
// the API answers result polls briefly (`API_FUNCTION.resultWaitMs`) and the client backs off and
// retries throttled requests, instead of each waiting client pinning an invocation.
import { Client } from 'cairnflow/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/stack.ts';
import { eventually } from '../../support/local-env.ts';
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
    // Generous: 8 concurrent invocations serve 300 clients on a shared machine; bounded all the same.
    const client = new Client({ endpoint: stack.endpoint, retry: { maxAttempts: 20 } });
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

/** Sends one API request the way a retrying client resends it: the same body, request id included. */
async function post(path: string, body: object) {
  const response = await fetch(`${stack.endpoint}/v1/namespaces/default${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const json = (value: unknown) => ({ metadata: { encoding: 'json/plain' }, data: JSON.stringify(value) });

describe('requests resent with their request id, through the real handlers and DynamoDB', () => {
  it('starts one run for a start sent twice, even after the first run closed and the policy allows another', async () => {
    const start = {
      workflowId: 'resent-start',
      workflowType: 'tenSteps',
      taskQueue: 'load',
      input: [json(1)],
      requestId: 'start-req-1',
    };
    const first = await post('/workflows', start);
    expect(first.status).toBe(201);
    const client = new Client({ endpoint: stack.endpoint });
    expect(await client.workflow.getHandle('resent-start', first.body.runId).result()).toBe(11);

    const again = await post('/workflows', start);
    expect(again).toEqual({ status: 201, body: { runId: first.body.runId, started: true } });
    // A start with another request id is a new start, as ALLOW_DUPLICATE allows.
    const other = await post('/workflows', { ...start, requestId: 'start-req-2' });
    expect(other.status).toBe(201);
    expect(other.body.runId).not.toBe(first.body.runId);
  }, 60_000);

  it('records a signal sent twice with one request id once', async () => {
    const client = new Client({ endpoint: stack.endpoint });
    // Open until told to finish (a ten-step run may already be done when the signal comes).
    const handle = await client.workflow.start(workflows.untilFinished, {
      taskQueue: 'load',
      workflowId: 'resent-signal',
    });
    const signal = { input: [json('x')], requestId: 'signal-req-1' };
    // No handler for 'poke': the signal is recorded in history all the same.
    expect((await post('/workflows/resent-signal/signals/poke', signal)).status).toBe(204);
    expect((await post('/workflows/resent-signal/signals/poke', signal)).status).toBe(204);
    await handle.signal(workflows.finish);
    await handle.result();
    const { events } = await handle.fetchHistory();
    const signals = events.filter((e) => e.type === 'WorkflowExecutionSignaled');
    expect(signals.map((e) => (e as { signalName: string }).signalName)).toEqual(['poke', 'finish']);
    await eventually(async () => (await handle.describe()).status === 'Completed');
  }, 60_000);
});
