import { TestWorkflowEnvironment } from 'cairnflow/testing';
import type { WritePurpose } from '../sdk/backend/dynamodb/metered-client.ts';
import { activityProbe, localBenchActivities } from './local/activities.ts';
import {
  describeModel,
  describePath,
  modelStepMs,
  modelWorkflowMs,
  type StepPath,
} from './local/aws-latency-model.ts';
import { CloseWatcher } from './local/closes.ts';
import {
  type Counters,
  describeKinds,
  diff,
  StackMeter,
  sqsRequests,
  totalInvocations,
} from './local/meter.ts';
import {
  drain,
  measureLatency,
  measureStepWindows,
  measureThroughput,
  median,
  type Rig,
  runMany,
  STEPS,
  type StepWindow,
  trackActivityStarts,
} from './local/phases.ts';
import { configuredMemoryMb, PRICES } from './local/prices.ts';
import { measureRawRates, type RawRates } from './local/raw-puts.ts';
import { LOCAL_BENCH_TASK_QUEUE, localSequentialSteps } from './local/workflows.ts';
import { nowMs, percentile } from './measure.ts';
import type { BenchResult } from './results.ts';

/** Workflows of the per-step cost phase, and how many run at once. */
const COST_WORKFLOWS = 20;
const COST_LANES = 4;
/** Sequential workflows of the latency phase: at least 10, at most 30, for about 25 s. */
const LATENCY = { minRuns: 10, maxRuns: 30, budgetMs: 25_000 };
/** Concurrent workflows of the throughput phase and its window. */
const THROUGHPUT = { lanes: 32, warmupMs: 3_000, windowMs: 20_000 };
const RAW_PUT_CONCURRENCY = 16;
/** Each wait for a quiet stack: the watchdogs (5 s) plus queue and host latency, with room. */
const DRAIN_TIMEOUT_MS = 20_000;

/** The sweeper runs once a minute whatever the load: a fixed cost, not a per-step one. */
const isSweeper = (fn: string) => fn.endsWith('-sweeper');

interface Cost {
  dynamodb: number;
  sqs: number;
  lambda: number;
  s3: number;
  total: number;
}

/** USD of a window's counts at {@link PRICES}, with Lambda duration at each function's configured memory. */
function costOf(counts: Counters): Cost {
  const dynamodb = counts.writeUnits * PRICES.dynamoDbWriteUnit + counts.readUnits * PRICES.dynamoDbReadUnit;
  const sqs = sqsRequests(counts) * PRICES.sqsRequest;
  let lambda = totalInvocations(counts, isSweeper) * PRICES.lambdaRequest;
  for (const [fn, ms] of Object.entries(counts.billedMs)) {
    if (!isSweeper(fn)) lambda += ms * (configuredMemoryMb(fn) / 1024) * PRICES.lambdaArmPerGbMs;
  }
  const s3 = counts.s3Puts * PRICES.s3Put + counts.s3Gets * PRICES.s3Get;
  return { dynamodb, sqs, lambda, s3, total: dynamodb + sqs + lambda + s3 };
}

function shortName(fn: string): string {
  return fn.replace(/^cairn-local-/, '');
}

/** "worker-bench-local 2.1 x 35 ms @1024 MB, router 1.0 x 3 ms @512 MB, ...", per step. */
function describeInvocations(counts: Counters, steps: number): string {
  return Object.entries(counts.invocations)
    .filter(([fn, count]) => count > 0 && !isSweeper(fn))
    .map(
      ([fn, count]) =>
        `${shortName(fn)} ${(count / steps).toFixed(2)} x ${(counts.billedMs[fn]! / count).toFixed(0)} ms @${configuredMemoryMb(fn)} MB`,
    )
    .join(', ');
}

/** The median window, figure by figure, and whether every window had the same counts. */
function summarizeWindows(windows: StepWindow[]) {
  const figure = (pick: (counts: Counters) => number, given?: number[]) => {
    const values = given ?? windows.map((window) => pick(window.counts));
    return { median: median(values), constant: Math.min(...values) === Math.max(...values) };
  };
  const invocationsBy = (counts: Counters) =>
    Object.entries(counts.invocations)
      .filter(([, count]) => count > 0)
      .map(([fn, count]) => `${shortName(fn)} ${count}`)
      .join(' + ');
  return {
    writes: figure((c) => c.ddbWriteRequests),
    writeUnits: figure((c) => c.writeUnits),
    reads: figure((c) => c.ddbReadRequests),
    messages: figure((c) => c.messages),
    sqs: figure(sqsRequests),
    sends: figure((c) => c.sqsSends),
    receives: figure((c) => c.sqsReceives),
    deletes: figure((c) => c.sqsDeletes),
    invocations: figure((c) => totalInvocations(c)),
    invocationsBy: invocationsBy(windows[Math.floor(windows.length / 2)]!.counts),
    messagesBy: describeKinds(windows[Math.floor(windows.length / 2)]!.counts.messagesByKind),
    streamHops: figure(
      () => 0,
      windows.map((w) => w.streamHops),
    ),
    sqsHops: figure(
      () => 0,
      windows.map((w) => w.sqsHops),
    ),
    gapMs: median(windows.map((w) => w.gapMs)),
    commitMs: median(windows.map((w) => w.hops.commitMs)),
    streamMs: median(windows.map((w) => w.hops.streamMs)),
    routeAndQueueMs: median(windows.map((w) => w.hops.routeAndQueueMs)),
    workerBeforeActivityMs: median(windows.map((w) => w.hops.workerBeforeActivityMs)),
  };
}

/**
 * The engine on the embedded AWS stack (DynamoDB Local, the fauxqs SQS/S3 emulator, the real Lambda
 * handlers in the local Lambda host), one stack start for all of it:
 *
 * 1. One warm-up workflow, then one workflow alone on the stack with a snapshot at each activity's
 *    start and end: the writes, messages and invocations between two activities, and the hops.
 * 2. Per-step cost: 20 workflows of 10 sequential trivial activities (4 at a time), started and
 *    their results fetched over HTTP, until every start-to-close watchdog has fired and been
 *    handled; totals divided by the 200 activity steps, priced at on-demand prices.
 * 3. Latency: sequential workflows, start → result through the HTTP client (p50, p99).
 * 4. Throughput: 32 workflows always in flight; activity steps per second over a 20 s window.
 * 5. DynamoDB Local's own ceiling, on the idle stack: conditional puts of fresh keys at 16
 *    concurrent, then strongly consistent one-item queries.
 *
 * Every loop is bounded in count or time; the whole run takes about 90 s.
 */
export async function benchLocalStack(): Promise<BenchResult[]> {
  const began = nowMs();
  const log = (message: string) =>
    process.stderr.write(`[bench local ${((nowMs() - began) / 1000).toFixed(1)}s] ${message}\n`);
  log('starting the local stack');
  const env = await TestWorkflowEnvironment.createLocal({
    workers: [
      {
        taskQueue: LOCAL_BENCH_TASK_QUEUE,
        workflows: { localSequentialSteps },
        activities: localBenchActivities,
      },
    ],
    logLevel: 'error',
  });
  try {
    const stack = env.localStack!;
    const rig: Rig = {
      env,
      meter: new StackMeter(stack),
      closes: new CloseWatcher(stack, env.namespace),
      log,
    };
    trackActivityStarts();

    log('warm-up workflow, then one workflow alone: what happens between two activities');
    await runMany(rig, 1, 1);
    if (!(await drain(rig, 5_000, { watchdogs: false }))) log('warning: the stack did not go quiet');
    const measured = await measureStepWindows(rig);
    const windows = summarizeWindows(measured.windows);
    const startPath = measured.start;
    await drainOrWarn(rig, DRAIN_TIMEOUT_MS);

    log(`per-step cost: ${COST_WORKFLOWS} workflows, ${COST_LANES} at a time, until the watchdogs fired`);
    const costBefore = rig.meter.snapshot();
    const costRuns = await runMany(rig, COST_WORKFLOWS, COST_LANES);
    for (const { handle } of costRuns) {
      const result = await handle.result();
      if (result !== (STEPS * (STEPS - 1)) / 2) throw new Error(`Wrong result ${result}`);
    }
    await drainOrWarn(rig, DRAIN_TIMEOUT_MS);
    const costCounts = diff(rig.meter.snapshot(), costBefore);
    const costSteps = COST_WORKFLOWS * STEPS;

    log('latency: sequential workflows, start → result over HTTP');
    const latency = await measureLatency(rig, LATENCY);

    log(`throughput: ${THROUGHPUT.lanes} workflows in flight for ${THROUGHPUT.windowMs / 1000} s`);
    const throughput = await measureThroughput(rig, THROUGHPUT);

    // Last, on a JVM as warm as the engine had it, once the throughput run's watchdogs are done.
    await drainOrWarn(rig, DRAIN_TIMEOUT_MS);
    log(
      `DynamoDB Local alone: conditional puts, then consistent queries, at ${RAW_PUT_CONCURRENCY} concurrent`,
    );
    const raw = await measureRawRates(process.env.AWS_ENDPOINT_URL_DYNAMODB!, {
      concurrency: RAW_PUT_CONCURRENCY,
    });
    log('done; stopping the stack');

    return results({ raw, windows, startPath, costCounts, costSteps, latency, throughput });
  } finally {
    activityProbe.onStart = undefined;
    activityProbe.onEnd = undefined;
    await env.teardown();
  }

  async function drainOrWarn(rig: Rig, timeoutMs: number) {
    if (!(await drain(rig, timeoutMs))) log(`warning: the stack was not quiet after ${timeoutMs} ms`);
  }
}

/** The history store's writes of the cost phase by purpose: per run for start, close and retention; per write for appends. */
function perRun(counts: Counters, runs: number): BenchResult[] {
  const usage = (purpose: WritePurpose) =>
    counts.byPurpose[purpose] ?? { writeUnits: 0, writeRequests: 0, readUnits: 0, readRequests: 0 };
  const { start, append, close, retention } = {
    start: usage('start'),
    append: usage('append'),
    close: usage('close'),
    retention: usage('retention'),
  };
  const perAppend = append.writeRequests ? append.writeUnits / append.writeRequests : 0;
  return [
    {
      name: 'local.run.start_wcu',
      value: start.writeUnits / runs,
      unit: 'WCU',
      note: `write units of creating a run: two conditional puts, the workflow-id claim (which also lists the run in the byStart index, so its index entry is billed too) and then the first batch (no transaction, which would bill each item twice); no visibility record of its own (a run whose summary would take its claim past 1 KB writes one after the commit instead). Per run over ${runs} runs; ${(start.writeRequests / runs).toFixed(2)} write requests per run`,
    },
    {
      name: 'local.run.close_wcu',
      value: close.writeUnits / runs,
      unit: 'WCU',
      note: `write units of closing a run: the closing batch's conditional put, and no visibility record while the claim lists the run (a list reads the close from the run's head), per run; ${(close.writeRequests / runs).toFixed(2)} write requests per run`,
    },
    {
      name: 'local.run.retention_writes',
      value: retention.writeRequests / runs,
      unit: 'requests',
      note: `write requests the expiry of a closed run makes (setting the items' TTL), per run; ${(retention.writeUnits / runs).toFixed(2)} WCU and ${(retention.readRequests / runs).toFixed(2)} read requests per run`,
    },
    { name: 'local.run.retention_wcu', value: retention.writeUnits / runs, unit: 'WCU' },
    {
      name: 'local.run.other_wcu',
      value: counts.otherWriteUnits / runs,
      unit: 'WCU',
      note: "write units outside the history store, per run: the dispatch adapter's due-time index (tasks due after SQS's 15-minute delay). Here only the retention's renewal sweep of a day's starts: every run of a namespace and day parks the same task, which a process writes once (sdk/backend/retention.ts); a run still open when it comes due (start + 76 days) then gets a renewal timer of its own",
    },
    {
      name: 'local.step.append_wcu',
      value: perAppend,
      unit: 'WCU',
      note: `write units of one ordinary append (a step's conditional put of one batch item), over ${append.writeRequests} appends; 1 means the item fits one write unit (1 KB)`,
    },
  ];
}

function results({
  raw,
  windows,
  startPath,
  costCounts,
  costSteps,
  latency,
  throughput,
}: {
  raw: RawRates;
  windows: ReturnType<typeof summarizeWindows>;
  /** The start's path, from the start request to the first activity's start. */
  startPath: StepPath;
  costCounts: Counters;
  costSteps: number;
  latency: Awaited<ReturnType<typeof measureLatency>>;
  throughput: Awaited<ReturnType<typeof measureThroughput>>;
}): BenchResult[] {
  const per = (value: number) => value / costSteps;
  const cost = costOf(costCounts);
  const perMillion = (usd: number) => per(usd) * 1e6;
  const writesPerStep = per(costCounts.ddbWriteRequests);
  const ceiling = raw.putsPerSecond / writesPerStep;
  const underLoad = (value: number) => value / throughput.steps;
  const loadWrites = underLoad(throughput.counts.ddbWriteRequests);
  const loadReads = underLoad(throughput.counts.ddbReadRequests);
  // Seconds of DynamoDB Local capacity one step takes, if requests were all it did.
  const requestCeiling = 1 / (loadWrites / raw.putsPerSecond + loadReads / raw.queriesPerSecond);
  const workerInvocations = Object.entries(throughput.counts.invocations).filter(([fn]) =>
    fn.includes('-worker-'),
  );
  const workerMeanMs =
    workerInvocations.reduce((sum, [fn]) => sum + throughput.counts.billedMs[fn]!, 0) /
    workerInvocations.reduce((sum, [, count]) => sum + count, 0);
  const resultLag = latency.clientMs.map((ms, i) => ms - latency.engineMs[i]!);
  const exact = (figure: { constant: boolean }) =>
    figure.constant ? 'the same in all 9 windows' : 'median of 9 windows, which differed';
  const lambdaGbMs = Object.entries(costCounts.billedMs)
    .filter(([fn]) => !isSweeper(fn))
    .reduce((sum, [fn, ms]) => sum + ms * (configuredMemoryMb(fn) / 1024), 0);
  const retries = activityProbe.retries;
  const path: StepPath = {
    writes: windows.writes.median,
    reads: windows.reads.median,
    streamHops: windows.streamHops.median,
    sqsHops: windows.sqsHops.median,
    // Only a worker invocation that starts in the gap is on the path (the router's is counted as its hop).
    invocations: windows.sqsHops.median > 0 ? 1 : 0,
  };

  return [
    // --- 1. per activity step -------------------------------------------------------------------
    {
      name: 'local.step.dynamodb_wcu',
      value: per(costCounts.writeUnits),
      unit: 'WCU',
      target: { op: '<=', value: 1.5 },
      note: `DynamoDB write request units per activity step from ReturnConsumedCapacity (GSI and transaction units included), over ${costSteps} steps (${costSteps / STEPS} workflows of ${STEPS} sequential trivial activities, ${COST_LANES} at a time, each started and its result fetched once over HTTP, watched until every start-to-close watchdog had fired and been handled); ${writesPerStep.toFixed(2)} write requests per step`,
    },
    {
      name: 'local.step.dynamodb_rcu',
      value: per(costCounts.readUnits),
      unit: 'RCU',
      note: `DynamoDB read request units per step (strongly consistent reads); ${per(costCounts.ddbReadRequests).toFixed(2)} read requests per step`,
    },
    {
      name: 'local.step.dynamodb_write_requests',
      value: writesPerStep,
      unit: 'requests',
      target: { op: '<=', value: 1.3 },
    },
    {
      name: 'local.step.dynamodb_read_requests',
      value: per(costCounts.ddbReadRequests),
      unit: 'requests',
      target: { op: '<=', value: 1.5 },
    },
    {
      name: 'local.step.s3_requests',
      value: per(costCounts.s3Puts + costCounts.s3Gets),
      unit: 'requests',
      note: 'trivial payloads stay inline in history (S3 offload starts at 64 KB)',
    },
    {
      name: 'local.step.sqs_requests',
      value: per(sqsRequests(costCounts)),
      unit: 'requests',
      target: { op: '<=', value: 0.3 },
      note: `${per(costCounts.sqsSends).toFixed(2)} SendMessageBatch (counted by the dispatch adapter; ${per(costCounts.messages).toFixed(2)} messages; tasks dispatched: ${describeKinds(costCounts.messagesByKind, costSteps, 2)}) + ${per(costCounts.sqsReceives).toFixed(2)} ReceiveMessage + ${per(costCounts.sqsDeletes).toFixed(2)} DeleteMessageBatch per step. Receives and deletes are made by the local event source mapping, which counts nothing, so they are derived from the invocations it makes: one receive per SQS-triggered invocation, one delete per started 10 messages it handled; empty long polls are a fixed per-queue cost, not counted`,
    },
    {
      name: 'local.step.lambda_invocations',
      value: per(totalInvocations(costCounts, isSweeper)),
      unit: 'invocations',
      target: { op: '<=', value: 0.3 },
      note: `per step: ${describeInvocations(costCounts, costSteps)} (mean billed duration measured in the local host: wall time of the real handler against DynamoDB Local and the SQS emulator on this machine); the once-a-minute sweeper is a fixed cost and left out`,
    },
    { name: 'local.step.lambda_gb_ms', value: per(lambdaGbMs), unit: 'GB-ms' },
    {
      name: 'local.step.activity_retries',
      value: retries,
      unit: 'attempts',
      note: 'activity attempts after the first in the whole local run: 0 means no watchdog fired on a live attempt and no task failed',
    },
    // --- 1b. per run: what a start, a close and retention cost, and a step's own write ----------
    ...perRun(costCounts, costSteps / STEPS),
    // --- 2. cost ------------------------------------------------------------------------------------
    {
      name: 'local.cost.usd_per_million_steps',
      value: perMillion(cost.total),
      unit: 'USD',
      target: { op: '<=', value: 2 },
      note: `at public on-demand prices (${PRICES.asOf}): DynamoDB $0.625/M write and $0.125/M read request units; SQS $0.40/M requests (64 KB chunks); Lambda arm64 $0.0000000133 per ms at 1 GB + $0.20/M requests, at the memory the constructs configure (lib/engine.ts, lib/worker.ts) and the measured mean durations; S3 $0.005/1,000 PUT, $0.0004/1,000 GET; stream reads by Lambda are free. Step Functions Standard: $25/M transitions`,
    },
    { name: 'local.cost.dynamodb_usd_per_million_steps', value: perMillion(cost.dynamodb), unit: 'USD' },
    { name: 'local.cost.sqs_usd_per_million_steps', value: perMillion(cost.sqs), unit: 'USD' },
    { name: 'local.cost.lambda_usd_per_million_steps', value: perMillion(cost.lambda), unit: 'USD' },
    { name: 'local.cost.s3_usd_per_million_steps', value: perMillion(cost.s3), unit: 'USD' },
    // --- 3. between one activity's completion and the next one's start ---------------------------
    {
      name: 'local.step.writes_between_activities',
      value: windows.writes.median,
      unit: 'writes',
      note: `DynamoDB write requests from one activity's return to the next one's start, one workflow alone on the stack (${exact(windows.writes)}; ${windows.writeUnits.median} WCU). The floor under the guarantees is 1: the result must be in history before anything acts on it (never lost once a handler returned), and one conditional put can carry the result, the workflow task it wakes and the next ActivityTaskScheduled${windows.writes.median <= 1 ? ' (the worker fast path does exactly that)' : '; the measured count is above it'}`,
    },
    {
      name: 'local.step.messages_between_activities',
      value: windows.messages.median,
      unit: 'messages',
      note: `SQS messages sent in the same window (${exact(windows.messages)}): ${windows.messagesBy}. 0 on the eager path: the worker that committed the result runs the next activity itself, and the message that started its chain is the backstop should it die (its visibility timeout), so neither a task nor a per-attempt watchdog message is sent`,
    },
    {
      name: 'local.step.sqs_requests_between_activities',
      value: windows.sqs.median,
      unit: 'requests',
      note: `${windows.sends.median} sends + ${windows.receives.median} receive + ${windows.deletes.median} delete (${exact(windows.sqs)})`,
    },
    {
      name: 'local.step.invocations_between_activities',
      value: windows.invocations.median,
      unit: 'invocations',
      note: `${windows.invocationsBy} (${exact(windows.invocations)}). 0 on the eager path (the router still reads the committed batch from the stream, off the path, and sends nothing for a claimed activity); 2 when the router and a worker invocation must carry the next task`,
    },
    {
      name: 'local.step.reads_between_activities',
      value: windows.reads.median,
      unit: 'reads',
      note: `DynamoDB read requests in the window (${exact(windows.reads)})`,
    },
    {
      name: 'local.step.gap_ms',
      value: windows.gapMs,
      unit: 'ms',
      note: `median time from one activity's return to the next one's start, one workflow alone: commit ${windows.commitMs.toFixed(0)} ms (result + inline workflow task + one conditional put) → stream to router ${windows.streamMs.toFixed(0)} ms (local mapping polls every 50 ms; Lambda's ~250 ms) → router + SQS to worker ${windows.routeAndQueueMs.toFixed(0)} ms → worker reads before the activity runs ${windows.workerBeforeActivityMs.toFixed(0)} ms`,
    },
    {
      name: 'local.step.stream_hops_between_activities',
      value: windows.streamHops.median,
      unit: 'hops',
      target: { op: '<=', value: 0 },
      note: `stream hops on the path from one activity's return to the next one's start, one workflow alone (${exact(windows.streamHops)}): 0 when the worker that committed the result ran the next activity itself (eager execution), 1 when the router had to send its task`,
    },
    {
      name: 'local.step.sqs_hops_between_activities',
      value: windows.sqsHops.median,
      unit: 'hops',
      target: { op: '<=', value: 0 },
      note: `task messages (activity, workflow) the next activity's start waited for (${exact(windows.sqsHops)}); watchdog and other system messages are off the path`,
    },
    {
      name: 'aws_model.step_ms',
      value: modelStepMs(path),
      unit: 'ms',
      note: `a model, not a measurement: the measured path between two activities (${describePath(path)}) at assumed AWS costs (${describeModel()}); trivial activities`,
    },
    {
      name: 'aws_model.workflow_10_step_ms',
      value: modelWorkflowMs(STEPS, path, startPath),
      unit: 'ms',
      note: `the same model for a ${STEPS}-step sequential workflow: its start as measured from the start request to the first activity's start (${describePath(startPath)}: the claim and the first batch, the first workflow task sent by the start itself, the API's and the worker's invocations) plus ${STEPS} modelled steps; the client's result wait left out`,
    },
    { name: 'local.step.hop.commit_ms', value: windows.commitMs, unit: 'ms' },
    { name: 'local.step.hop.stream_to_router_ms', value: windows.streamMs, unit: 'ms' },
    { name: 'local.step.hop.router_to_worker_ms', value: windows.routeAndQueueMs, unit: 'ms' },
    { name: 'local.step.hop.worker_to_activity_ms', value: windows.workerBeforeActivityMs, unit: 'ms' },
    // --- 4. latency and throughput --------------------------------------------------------------
    {
      name: 'local.latency.p50_ms',
      value: percentile(latency.clientMs, 50),
      unit: 'ms',
      target: { op: '<=', value: 250 },
      note: `${latency.clientMs.length} sequential ${STEPS}-activity workflows, start → result through the HTTP client (client.workflow.start, then handle.result())`,
    },
    { name: 'local.latency.p99_ms', value: percentile(latency.clientMs, 99), unit: 'ms' },
    {
      name: 'local.latency.engine_p50_ms',
      value: median(latency.engineMs),
      unit: 'ms',
      note: 'the same runs, start request → the closing batch committed (the engine alone, without the wait for the result)',
    },
    {
      name: 'local.latency.result_wait_p50_ms',
      value: median(resultLag),
      unit: 'ms',
      note: "client latency minus the engine's: how late the API's result long poll notices the close (it re-reads the run at growing intervals)",
    },
    {
      name: 'local.throughput.steps_per_s',
      value: throughput.stepsPerSecond,
      unit: 'steps/s',
      target: { op: '>=', value: 300 },
      note: `${THROUGHPUT.lanes} ${STEPS}-activity workflows always in flight (started over HTTP; a close is noticed at its commit, on the runtime's DynamoDB client, so no result long poll holds one of the local API's 8 concurrency slots); ${throughput.steps} activity starts in a ${throughput.windowMs / 1000} s window after ${THROUGHPUT.warmupMs / 1000} s of warm-up, ${throughput.workflowsClosed} workflows closed in it`,
    },
    {
      name: 'local.throughput.fraction_of_dynamodb_local',
      value: throughput.stepsPerSecond / ceiling,
      unit: 'fraction',
      note: `steps/s ÷ (raw conditional puts/s ÷ write requests per step) = ${throughput.stepsPerSecond.toFixed(0)} ÷ (${raw.putsPerSecond.toFixed(0)} ÷ ${writesPerStep.toFixed(2)} = ${ceiling.toFixed(0)}): the share of DynamoDB Local's write ceiling the engine reaches; the rest is the engine's own overhead (reads, invocations, polling)`,
    },
    {
      name: 'local.throughput.fraction_of_dynamodb_local_requests',
      value: throughput.stepsPerSecond / requestCeiling,
      unit: 'fraction',
      note: `the same against every DynamoDB request a step makes under load (${loadWrites.toFixed(2)} writes at ${raw.putsPerSecond.toFixed(0)}/s + ${loadReads.toFixed(2)} reads at ${raw.queriesPerSecond.toFixed(0)}/s → at most ${requestCeiling.toFixed(0)} steps/s): how close the engine runs to DynamoDB Local once its reads are counted too`,
    },
    {
      name: 'local.throughput.worker_queue_wait_p50_ms',
      value: percentile(throughput.workerDwellMs, 50),
      unit: 'ms',
      note: `under load, a worker task message's send → the worker handler starting on it (SQS delivery plus the wait for one of the local host's 8 concurrency slots per function); p90 ${percentile(throughput.workerDwellMs, 90).toFixed(0)} ms; worker invocations took ${workerMeanMs.toFixed(0)} ms on average under load`,
    },
    {
      name: 'local.throughput.machine_cpu_busy',
      value: throughput.machineBusy * 100,
      unit: '%',
      note: `all CPUs of the machine over the throughput window (/proc/stat); this Node process (bench, Lambda host, SQS emulator) used ${(throughput.nodeCpuMs / throughput.steps).toFixed(1)} ms CPU per step, DynamoDB Local's JVM most of the rest`,
    },
    {
      name: 'local.throughput.dynamodb_requests_per_step',
      value: (throughput.counts.ddbReadRequests + throughput.counts.ddbWriteRequests) / throughput.steps,
      unit: 'requests',
      note: `under load: ${(throughput.counts.ddbWriteRequests / throughput.steps).toFixed(2)} writes + ${(throughput.counts.ddbReadRequests / throughput.steps).toFixed(2)} reads per step, all against the one DynamoDB Local`,
    },
    // --- 5. DynamoDB Local itself -----------------------------------------------------------------
    {
      name: 'local.dynamodb_local.conditional_puts_per_s',
      value: raw.putsPerSecond,
      unit: 'puts/s',
      note: `PutItem with attribute_not_exists(pk) on fresh keys (~1 KB items) in a scratch table, ${RAW_PUT_CONCURRENCY} concurrent, ${raw.ms / 1000} s after 2 s of warm-up, on the idle stack after the engine's runs (the JVM as warm as the engine had it)`,
    },
    {
      name: 'local.dynamodb_local.consistent_queries_per_s',
      value: raw.queriesPerSecond,
      unit: 'queries/s',
      note: `strongly consistent one-item Query of those items (the shape of the engine's head read), ${RAW_PUT_CONCURRENCY} concurrent, ${raw.ms / 2000} s after 1 s of warm-up`,
    },
  ];
}
