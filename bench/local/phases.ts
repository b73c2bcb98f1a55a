import { readFileSync } from 'node:fs';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { WorkflowHandle } from 'cairnflow/client';
import type { TestWorkflowEnvironment } from 'cairnflow/testing';
import { nowMs, percentile } from '../measure.ts';
import { activityProbe } from './activities.ts';
import type { StepPath } from './aws-latency-model.ts';
import type { CloseWatcher } from './closes.ts';
import { type Counters, diff, type StackMeter, type TimelineEntry } from './meter.ts';
import { queueDepth, taskQueueUrls } from './queue-depth.ts';
import { LOCAL_BENCH_TASK_QUEUE, localSequentialSteps, START_TO_CLOSE_MS } from './workflows.ts';

/** Activities per benchmark workflow. */
export const STEPS = 10;
/** Longest any one workflow may take before the benchmark gives up on it. */
const RUN_TIMEOUT_MS = 60_000;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the phases share. */
export interface Rig {
  env: TestWorkflowEnvironment;
  meter: StackMeter;
  closes: CloseWatcher;
  log: (message: string) => void;
}

let sequence = 0;

/** Starts one 10-activity workflow over HTTP; resolves when the router sees it close. */
export async function runToClose(rig: Rig): Promise<{ handle: WorkflowHandle<number>; ms: number }> {
  const started = nowMs();
  const handle = await rig.env.client.workflow.start(localSequentialSteps, {
    taskQueue: LOCAL_BENCH_TASK_QUEUE,
    workflowId: `local-bench-${++sequence}`,
    args: [STEPS],
  });
  const closed = await rig.closes.waitForClose(handle.firstExecutionRunId!, RUN_TIMEOUT_MS);
  return { handle, ms: closed - started };
}

/** Runs `count` workflows, at most `lanes` at once. */
export async function runMany(rig: Rig, count: number, lanes: number) {
  const runs: Awaited<ReturnType<typeof runToClose>>[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < count) {
        next++;
        runs.push(await runToClose(rig));
      }
    }),
  );
  return runs;
}

/** Latest activity start seen (`nowMs`), for waiting out the start-to-close watchdogs. */
let lastActivityStart = 0;
export function trackActivityStarts(): void {
  activityProbe.onStart = () => {
    lastActivityStart = nowMs();
  };
  activityProbe.onEnd = undefined;
}

/**
 * Waits until the stack is quiet: no message is visible, in flight or delayed in any queue, no
 * function has run for 300 ms and, with `watchdogs`, every start-to-close watchdog of the
 * activities so far has come due. Returns false if that did not happen by `timeoutMs`.
 */
export async function drain(rig: Rig, timeoutMs: number, { watchdogs = true } = {}): Promise<boolean> {
  const stack = rig.env.localStack!;
  const urls = taskQueueUrls(stack);
  const sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: process.env.AWS_ENDPOINT_URL_SQS,
    useQueueUrlAsEndpoint: false,
  });
  const queued = (includeDelayed: boolean) => queueDepth(sqs, urls, includeDelayed);
  const deadline = nowMs() + timeoutMs;
  try {
    while (nowMs() < deadline) {
      const watchdogsDue = !watchdogs || nowMs() > lastActivityStart + START_TO_CLOSE_MS + 500;
      if (watchdogsDue && rig.meter.idleMs() >= 300 && (await queued(watchdogs)) === 0) return true;
      await sleep(100);
    }
    return false;
  } finally {
    sqs.destroy();
  }
}

// --- 3. between one activity's completion and the next one's start ------------------------------

export interface StepWindow {
  counts: Counters;
  /** Activity i's end → activity i+1's start. */
  gapMs: number;
  /**
   * Stream and SQS hops on the path from activity i's end to activity i+1's start: none when the
   * same worker invocation ran both (eager execution); else the router's stream hop and the task
   * messages (activity, workflow) the next start waited for.
   */
  streamHops: number;
  sqsHops: number;
  /** The hops inside the gap, in order; NaN where the timeline lacks the hop (0 on the eager path). */
  hops: {
    commitMs: number;
    streamMs: number;
    routeAndQueueMs: number;
    workerBeforeActivityMs: number;
  };
}

/**
 * One workflow on an otherwise idle stack, with a counter snapshot and a timestamp at each
 * activity's start and end, and a timeline of invocations and writes: each window from one
 * activity's end to the next one's start shows what the engine does between two steps.
 */
export async function measureStepWindows(rig: Rig): Promise<{ windows: StepWindow[]; start: StepPath }> {
  const starts: { t: number; counts: Counters }[] = [];
  const ends: { t: number; counts: Counters }[] = [];
  activityProbe.onStart = (index) => {
    lastActivityStart = nowMs();
    starts[index] = { t: lastActivityStart, counts: rig.meter.snapshot() };
  };
  activityProbe.onEnd = (index) => {
    ends[index] = { t: nowMs(), counts: rig.meter.snapshot() };
  };
  const timeline: TimelineEntry[] = [];
  rig.meter.timeline = timeline;
  const before = { t: nowMs(), counts: rig.meter.snapshot() };
  try {
    await runToClose(rig);
  } finally {
    rig.meter.timeline = undefined;
    trackActivityStarts();
  }
  const first = (from: number, match: (entry: TimelineEntry) => boolean) =>
    timeline.find((entry) => entry.t >= from && match(entry))?.t ?? Number.NaN;
  // The start's path: from the start request to the first activity's start.
  const startCounts = diff(starts[0]!.counts, before.counts);
  const invoked = (fn: (name: string) => boolean) =>
    timeline.filter(
      (entry) =>
        entry.t >= before.t && entry.t < starts[0]!.t && entry.kind === 'invokeStart' && fn(entry.fn!),
    ).length;
  const start: StepPath = {
    writes: startCounts.ddbWriteRequests,
    reads: startCounts.ddbReadRequests,
    streamHops: invoked((name) => name.endsWith('-router')) > 0 ? 1 : 0,
    sqsHops: (startCounts.messagesByKind.workflow ?? 0) + (startCounts.messagesByKind.activity ?? 0),
    invocations: invoked((name) => name.endsWith('-api') || name.includes('-worker-')),
  };
  const windows: StepWindow[] = [];
  for (let i = 0; i + 1 < STEPS; i++) {
    const end = ends[i]!;
    const nextStart = starts[i + 1]!;
    const committed = first(end.t, (entry) => entry.kind === 'writeDone');
    const counts = diff(nextStart.counts, end.counts);
    // No worker invocation began in the gap: the one that ran activity i ran activity i+1 too.
    const sameInvocation = !timeline.some(
      (entry) =>
        entry.t > end.t &&
        entry.t < nextStart.t &&
        entry.kind === 'invokeStart' &&
        entry.fn!.includes('-worker-'),
    );
    if (sameInvocation) {
      windows.push({
        counts,
        gapMs: nextStart.t - end.t,
        streamHops: 0,
        sqsHops: 0,
        hops: {
          commitMs: committed - end.t,
          streamMs: 0,
          routeAndQueueMs: 0,
          workerBeforeActivityMs: nextStart.t - committed,
        },
      });
      continue;
    }
    const routed = first(committed, (entry) => entry.kind === 'invokeStart' && entry.fn!.endsWith('-router'));
    const worker = first(routed, (entry) => entry.kind === 'invokeStart' && entry.fn!.includes('-worker-'));
    windows.push({
      counts,
      gapMs: nextStart.t - end.t,
      streamHops: Number.isNaN(routed) ? 0 : 1,
      sqsHops: (counts.messagesByKind.activity ?? 0) + (counts.messagesByKind.workflow ?? 0),
      hops: {
        commitMs: committed - end.t,
        streamMs: routed - committed,
        routeAndQueueMs: worker - routed,
        workerBeforeActivityMs: nextStart.t - worker,
      },
    });
  }
  return { windows, start };
}

// --- 4. latency and throughput --------------------------------------------------------------------

export interface Latency {
  clientMs: number[];
  /** Start request → the closing batch committed (the engine's share of the client latency). */
  engineMs: number[];
}

/** Sequential workflows, start → result through the HTTP client, until `maxRuns` or `budgetMs`. */
export async function measureLatency(
  rig: Rig,
  { minRuns, maxRuns, budgetMs }: { minRuns: number; maxRuns: number; budgetMs: number },
): Promise<Latency> {
  const clientMs: number[] = [];
  const engineMs: number[] = [];
  const started = nowMs();
  while (clientMs.length < maxRuns && (clientMs.length < minRuns || nowMs() - started < budgetMs)) {
    const t0 = nowMs();
    const handle = await rig.env.client.workflow.start(localSequentialSteps, {
      taskQueue: LOCAL_BENCH_TASK_QUEUE,
      workflowId: `local-bench-latency-${++sequence}`,
      args: [STEPS],
    });
    const result = await handle.result();
    clientMs.push(nowMs() - t0);
    if (result !== (STEPS * (STEPS - 1)) / 2) throw new Error(`Wrong result ${result}`);
    engineMs.push((await rig.closes.waitForClose(handle.firstExecutionRunId!, RUN_TIMEOUT_MS)) - t0);
  }
  return { clientMs, engineMs };
}

export interface Throughput {
  stepsPerSecond: number;
  steps: number;
  workflowsClosed: number;
  windowMs: number;
  counts: Counters;
  /** Busy share of all the machine's CPUs over the window (from /proc/stat), 0..1, NaN if unknown. */
  machineBusy: number;
  /** This process's CPU time over the window (bench, local Lambda host, SQS emulator), ms. */
  nodeCpuMs: number;
  /** Worker task messages over the window: send → the worker's handler starting on it, ms. */
  workerDwellMs: number[];
}

function machineCpuTicks(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = fields[3]! + fields[4]!;
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * `lanes` workflows always in flight (each lane starts the next as soon as its last one closes);
 * steps are activity starts counted in a window after `warmupMs`.
 */
export async function measureThroughput(
  rig: Rig,
  { lanes, warmupMs, windowMs }: { lanes: number; warmupMs: number; windowMs: number },
): Promise<Throughput> {
  const started = nowMs();
  const from = started + warmupMs;
  const to = from + windowMs;
  let steps = 0;
  let workflowsClosed = 0;
  activityProbe.onStart = () => {
    const t = (lastActivityStart = nowMs());
    if (t >= from && t < to) steps++;
  };
  type Mark = { counts: Counters; ticks: ReturnType<typeof machineCpuTicks>; cpu: NodeJS.CpuUsage };
  let before: Mark | undefined;
  let after: Mark | undefined;
  let dwell: Record<string, number[]> = {};
  const boundaries = (async () => {
    await sleep(from - nowMs());
    before = { counts: rig.meter.snapshot(), ticks: machineCpuTicks(), cpu: process.cpuUsage() };
    rig.meter.takeDwellMs();
    await sleep(to - nowMs());
    dwell = rig.meter.takeDwellMs();
    after = { counts: rig.meter.snapshot(), ticks: machineCpuTicks(), cpu: process.cpuUsage(before.cpu) };
  })();
  try {
    await Promise.all([
      boundaries,
      ...Array.from({ length: lanes }, async () => {
        while (nowMs() < to) {
          await runToClose(rig);
          const closedAt = nowMs();
          if (closedAt >= from && closedAt < to) workflowsClosed++;
        }
      }),
    ]);
  } finally {
    trackActivityStarts();
  }
  const machineBusy =
    before!.ticks && after!.ticks
      ? (after!.ticks.busy - before!.ticks.busy) / (after!.ticks.total - before!.ticks.total)
      : Number.NaN;
  return {
    stepsPerSecond: steps / (windowMs / 1000),
    steps,
    workflowsClosed,
    windowMs,
    counts: diff(after!.counts, before!.counts),
    machineBusy,
    nodeCpuMs: (after!.cpu.user + after!.cpu.system) / 1000,
    workerDwellMs: Object.entries(dwell)
      .filter(([fn]) => fn.includes('-worker-'))
      .flatMap(([, values]) => values),
  };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
