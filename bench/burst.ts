import { SQSClient } from '@aws-sdk/client-sqs';
import { Client } from 'cairnflow/client';
import { proxyActivities } from 'cairnflow/workflow';
import { type LocalStack, startLocalStack } from '../local/stack.ts';
import { queueDepth, taskQueueUrls } from './local/queue-depth.ts';
import { nowMs } from './measure.ts';
import type { BenchResult } from './results.ts';

/**
 * A burst on the local stack through the real handlers: `BURST_WORKFLOWS` ten-step workflows
 * started at once, each awaited by its own `result()`, with the API function at the concurrency
 * the CDK deploys (throttled beyond, as Lambda is). It reports whether every client got its
 * result, how long the burst took, how the clients were throttled and retried, and the deepest the
 * task queues got. `CAIRN_BENCH_BURST` sets the number of workflows (default 10,000),
 * `CAIRN_BENCH_BURST_STEPS` the activities each runs one after another (default 10). Progress goes
 * to stderr every 30 seconds.
 */

const BURST_WORKFLOWS = Number(process.env.CAIRN_BENCH_BURST ?? 10_000);
/** The whole burst must finish in this; past it the stage reports what had arrived and fails. */
const DEADLINE_MS = 25 * 60_000;
const STEPS = Number(process.env.CAIRN_BENCH_BURST_STEPS ?? 10);
const PROGRESS_MS = 30_000;
const SAMPLE_MS = 1_000;

const { burstStep } = proxyActivities<{ burstStep(n: number): Promise<number> }>({
  startToCloseTimeout: '1 minute',
});

async function burstSteps(seed: number, steps: number): Promise<number> {
  let value = seed;
  for (let i = 0; i < steps; i++) value = await burstStep(value);
  return value;
}

/** Samples every queue's depth (visible + in flight + delayed) once a second; keeps the peak. */
function watchQueues(stack: LocalStack) {
  const sqs = new SQSClient({ region: 'us-east-1', useQueueUrlAsEndpoint: false });
  const urls = taskQueueUrls(stack);
  const peak = { depth: 0, at: 0 };
  const t0 = nowMs();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const depth = await queueDepth(sqs, urls, true).catch(() => 0);
      if (depth > peak.depth) Object.assign(peak, { depth, at: nowMs() - t0 });
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  return {
    peak,
    stop: async () => {
      stopped = true;
      await loop;
      sqs.destroy();
    },
  };
}

/** Counts the clients' HTTP answers by status, so throttling and retries show. */
function countingFetch() {
  const byStatus = new Map<number, number>();
  let requests = 0;
  const fetcher: typeof fetch = async (input, init) => {
    requests++;
    const response = await fetch(input, init);
    byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
    return response;
  };
  return { fetcher, byStatus, requests: () => requests };
}

export async function benchBurst(): Promise<BenchResult[]> {
  const stack = await startLocalStack({
    workers: [
      {
        taskQueue: 'burst',
        workflows: { burstSteps },
        activities: { burstStep: async (n: number) => n + 1 },
      },
    ],
    logLevel: 'error',
    prefix: 'cairn-bench-burst',
  });
  const queues = watchQueues(stack);
  try {
    const counted = countingFetch();
    // Every client retries as long as the deadline leaves room: a burst of this size waits in turn.
    const client = new Client({
      endpoint: stack.endpoint,
      fetch: counted.fetcher,
      retry: { maxAttempts: 60 },
    });
    const api = stack.functions.get('cairn-bench-burst-api')!;
    const t0 = nowMs();
    const startedAt: number[] = [];
    const doneAt: number[] = [];
    const deadline = new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), DEADLINE_MS));
    const outcomes = Array.from({ length: BURST_WORKFLOWS }, async (_, i) => {
      const handle = await client.workflow.start(burstSteps, {
        taskQueue: 'burst',
        workflowId: `burst-${i}`,
        args: [i, STEPS],
      });
      startedAt.push(nowMs() - t0);
      const value = await handle.result();
      doneAt.push(nowMs() - t0);
      if (value !== i + STEPS) throw new Error(`burst-${i} returned ${value}, expected ${i + STEPS}`);
    });
    const progress = setInterval(() => {
      const s = ((nowMs() - t0) / 1000).toFixed(0);
      process.stderr.write(`[burst ${s}s] ${startedAt.length} started, ${doneAt.length} results\n`);
    }, PROGRESS_MS);
    const settled = await Promise.race([Promise.allSettled(outcomes), deadline]);
    clearInterval(progress);
    const elapsedS = (nowMs() - t0) / 1000;
    const failures =
      settled === 'deadline'
        ? [`deadline of ${DEADLINE_MS / 1000} s passed`]
        : settled.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
    for (const failure of failures.slice(0, 5)) process.stderr.write(`burst: ${failure}\n`);
    const status = (code: number) => counted.byStatus.get(code) ?? 0;
    const throttledAnswers = status(429) + status(500) + status(502) + status(503) + status(504);
    doneAt.sort((a, b) => a - b);
    const p = (q: number) => doneAt[Math.min(doneAt.length - 1, Math.floor(q * doneAt.length))] ?? Number.NaN;
    const note = `${BURST_WORKFLOWS} workflows of ${STEPS} sequential activities started at once, each awaited with result(); API concurrency as deployed`;
    return [
      {
        name: 'burst.results_delivered',
        value: doneAt.length,
        unit: 'results',
        target: { op: '>=', value: BURST_WORKFLOWS },
        note,
      },
      {
        name: 'burst.client_failures',
        value: failures.length,
        unit: 'clients',
        target: { op: '<=', value: 0 },
      },
      {
        name: 'burst.elapsed_s',
        value: elapsedS,
        unit: 's',
        note: 'first start sent to last result received',
      },
      { name: 'burst.all_started_s', value: Math.max(0, ...startedAt) / 1000, unit: 's' },
      { name: 'burst.result_p50_s', value: p(0.5) / 1000, unit: 's' },
      { name: 'burst.result_p99_s', value: p(0.99) / 1000, unit: 's' },
      { name: 'burst.steps_per_s', value: (doneAt.length * STEPS) / elapsedS, unit: 'steps/s' },
      {
        name: 'burst.http_requests',
        value: counted.requests(),
        unit: 'requests',
        note: 'every HTTP request the clients sent, retries and result polls included',
      },
      {
        name: 'burst.throttled_answers',
        value: throttledAnswers,
        unit: 'answers',
        note: '429 and gateway 5xx answers the clients retried with backoff',
      },
      {
        name: 'burst.api_throttles',
        value: api.throttles,
        unit: 'invocations',
        note: 'invokes refused at the API concurrency',
      },
      { name: 'burst.api_invocations', value: api.invocations, unit: 'invocations' },
      { name: 'burst.api_peak_concurrency', value: api.peakConcurrency, unit: 'invocations' },
      {
        name: 'burst.peak_queue_depth',
        value: queues.peak.depth,
        unit: 'messages',
        note: `deepest sum over the task and system queues (visible + in flight + delayed), sampled each second; at ${Math.round(queues.peak.at / 1000)} s`,
      },
    ];
  } finally {
    await queues.stop();
    await stack.stop();
  }
}
