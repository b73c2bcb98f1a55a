import { Client } from 'cairnflow/client';
import { condition, defineSignal, setHandler } from 'cairnflow/workflow';
import { startLocalStack } from '../local/stack.ts';
import { API_FUNCTION } from '../sdk/backend/definitions.ts';
import { PRICES } from './local/prices.ts';
import type { BenchResult } from './results.ts';

/**
 * What a client waiting on `result()` costs per hour, measured on the local stack: clients wait on
 * runs that stay open for a fixed window, and the API function's invocations and billed
 * milliseconds during it are priced at Lambda's and API Gateway's rates. Beside it, the same for
 * the long poll it replaces (each waiting client held one 20-second invocation after another),
 * from that design's own numbers: 180 invocations an hour, each billed its 20 s.
 */

const release = defineSignal('release');

async function waitForRelease(): Promise<string> {
  let released = false;
  setHandler(release, () => {
    released = true;
  });
  await condition(() => released);
  return 'released';
}

const CLIENTS = 20;
const WINDOW_MS = 60_000;
/** API Gateway HTTP API: USD per request (first 300 million a month). */
const HTTP_API_REQUEST = 1 / 1e6;
const API_GB = API_FUNCTION.memorySize / 1024;

function costPerHour(invocationsPerHour: number, billedMsPerHour: number): number {
  return (
    invocationsPerHour * (PRICES.lambdaRequest + HTTP_API_REQUEST) +
    billedMsPerHour * API_GB * PRICES.lambdaArmPerGbMs
  );
}

export async function benchWaitingClients(): Promise<BenchResult[]> {
  const stack = await startLocalStack({
    workers: [{ taskQueue: 'waiting', workflows: { waitForRelease } }],
    logLevel: 'error',
    prefix: 'cairn-bench-wait',
  });
  try {
    // A client each, as separate processes would be: one client's polls of many runs share requests.
    const handles = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        new Client({ endpoint: stack.endpoint }).workflow.start(waitForRelease, {
          taskQueue: 'waiting',
          workflowId: `waiting-${i}`,
        }),
      ),
    );
    const api = stack.functions.get('cairn-bench-wait-api')!;
    const before = { invocations: api.invocations, billedMs: api.billedMs };
    const results = handles.map((handle) => handle.result());
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const invocations = api.invocations - before.invocations;
    const billedMs = api.billedMs - before.billedMs;
    await Promise.all(handles.map((handle) => handle.signal(release)));
    await Promise.all(results);

    const clientHours = (CLIENTS * WINDOW_MS) / 3_600_000;
    const perHour = { invocations: invocations / clientHours, billedMs: billedMs / clientHours };
    const longPoll = { invocations: 3600 / 20, billedMs: 3_600_000 };
    return [
      {
        name: 'waiting_client_api_invocations_per_hour',
        value: perHour.invocations,
        unit: 'invocations',
        note: `${CLIENTS} clients awaiting result() of open runs for their first ${WINDOW_MS / 1000} s on the local stack; a poll's pause grows to a tenth of the wait, so past 100 s it is 360 an hour (the long poll made 180)`,
      },
      {
        name: 'waiting_client_api_billed_seconds_per_hour',
        value: perHour.billedMs / 1000,
        unit: 's',
        note: 'API function time billed per waiting client-hour (the long poll: 3,600 s)',
      },
      {
        name: 'waiting_client_usd_per_hour',
        value: costPerHour(perHour.invocations, perHour.billedMs),
        unit: 'USD',
        note: `Lambda (arm64, ${API_FUNCTION.memorySize} MB) + HTTP API requests per waiting client-hour, ${PRICES.asOf}`,
      },
      {
        name: 'waiting_client_usd_per_hour_long_poll',
        value: costPerHour(longPoll.invocations, longPoll.billedMs),
        unit: 'USD',
        note: 'The same for the 20-second long poll this replaced (computed, not measured)',
      },
    ];
  } finally {
    await stack.stop();
  }
}
