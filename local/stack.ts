import { join, resolve } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { handler as apiHandler } from '../functions/api.ts';
import { handler as routerHandler } from '../functions/router.ts';
import { type SweepOutcome, handler as sweeperHandler } from '../functions/sweeper.ts';
import { handler as systemHandler } from '../functions/system.ts';
import { ACCOUNT_CONCURRENCY, API_FUNCTION, MAPPINGS, ROUTER_FUNCTION } from '../sdk/backend/definitions.ts';
import {
  type CloudRuntime,
  overrideReadScope,
  overrideRuntimeClock,
  runtimeFromEnvironment,
} from '../sdk/runtime/from-environment.ts';
import type { WorkerDefinition } from '../sdk/runtime/worker-registry.ts';
import type { WorkerHandler } from '../sdk/worker/create-worker.ts';
import type { UiFiles } from '../web/ui-assets.ts';
import { createQueues, type LocalQueue, type TaskQueueQueues } from './create-queues.ts';
import { createResources } from './create-resources.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { matchesFilter } from './event-filter.ts';
import { sendStreamFailure, streamFailureRecord } from './failure-destination.ts';
import type { LocalFaultHooks } from './fault-hooks.ts';
import { startFauxqs } from './fauxqs.ts';
import { currentInvocation, LocalFunction } from './function-host.ts';
import { startHttpGateway } from './http-gateway.ts';
import { startInvokeServer } from './invoke-server.ts';
import { LocalClock, type LocalClockMode } from './local-clock.ts';
import { restorePayloads, savePayloads } from './payload-snapshot.ts';
import { resendScheduleWakes } from './schedule-wakes.ts';
import { SqsMapping } from './sqs-mapping.ts';
import { StreamMapping } from './stream-mapping.ts';
import { WorkerFunctions } from './worker-functions.ts';

/**
 * A worker the stack hosts: a definition (workflows + activities), or the handler a worker entry
 * exports (`export const handler = createWorker(...)`, the very function the CDK deploys).
 */
export type LocalWorker = WorkerDefinition | WorkerHandler;

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** The workers to host, each as its own function (the same `createWorker` handler as in the cloud). */
  workers: LocalWorker[];
  /**
   * A directory that keeps the stack's state (DynamoDB's tables and stream, offloaded payloads)
   * across restarts. Queued messages do not outlive the SQS emulator; the router reads the
   * persisted stream from its start again (DynamoDB keeps stream records 24 hours), and since
   * every consumer is idempotent on run and event id, whatever was queued is dispatched again.
   * @default - in memory: everything is gone at stop
   */
  stateDir?: string;
  /** @default 'cairn-local' */
  prefix?: string;
  /** Port of the HTTP API on 127.0.0.1. @default a free port */
  port?: number;
  /** Function timeout; queue visibility timeouts are six times this, as in the cloud. @default 30 */
  functionTimeoutSeconds?: number;
  /** Concurrency of each event-source-driven function (router, system, sweeper, workers). @default 8 */
  concurrency?: number;
  /**
   * Concurrency of the API function: beyond it a request is throttled at once, as Lambda throttles
   * a synchronous invoke (the gateway answers 500; the client retries with backoff). Set it to the
   * Engine's `apiReservedConcurrency` to host what the CDK deploys.
   * @default API_FUNCTION.reservedConcurrency ?? ACCOUNT_CONCURRENCY (definitions.ts), as deployed
   */
  apiConcurrency?: number;
  /** How often the router polls an idle shard. @default 50 (Lambda: ~250) */
  streamPollIntervalMs?: number;
  /** How often the sweeper runs. @default 60_000, as the cloud schedule */
  sweepIntervalMs?: number;
  /**
   * The time every handler of the stack reads (API, router, system, sweeper, workers): event times,
   * timer and timeout due times, retry backoffs, retention. `manual`: the system time plus an offset
   * that `stack.clock.advance(ms)` moves forward, so a test can bring a 30-day timer due and run the
   * sweeper at once (`stack.sweep()`); SQS delays (at most 15 minutes) and visibility timeouts
   * still pass in real time in the emulator. `system`: the system clock, as in the cloud.
   * @default 'system'
   */
  clock?: LocalClockMode;
  /** @default 'warn' */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * How the handlers' log lines read on stderr: `json`, one JSON object per line with the keys the
   * cloud's lines have (`timestamp`, `level`, `message`, `workflowId`, `runId`, …); `text`, one
   * readable line (`cairn dev`'s default).
   * @default 'json'
   */
  logFormat?: 'json' | 'text';
  /** The web UI to serve at the HTTP API's `/` (`cairn dev` passes `await loadUi()`). @default none */
  ui?: UiFiles;
  /** Fault injection for chaos runs (`local/fault-injector.ts`). @default none */
  faults?: LocalFaultHooks;
}

/** A running embedded stack. */
export interface LocalStack {
  /** Base URL of the HTTP API. */
  endpoint: string;
  runtime: CloudRuntime;
  functions: Map<string, LocalFunction<unknown, unknown>>;
  queues: {
    system: LocalQueue;
    perTaskQueue: TaskQueueQueues[];
    /** The router's failure destination: a record of each stream batch it gave up on, as in the cloud. */
    routerFailures: { name: string; url: string };
  };
  /** Stream records the router gave up on (each batch also goes to `queues.routerFailures`). */
  discardedStreamRecords: DynamoDBRecord[];
  /** The handlers' clock; `advance` moves it on a stack started with `clock: 'manual'`. */
  clock: LocalClock;
  /**
   * Runs the sweeper now, as one invocation of its function (the schedule's every-minute run goes
   * on beside it): parked tasks due within SQS's delay horizon move to their queues.
   */
  sweep(): Promise<SweepOutcome>;
  /** Swaps the handler of a hosted task queue's worker (a reloaded worker entry). */
  replaceWorker(handler: WorkerHandler): void;
  /**
   * Adds a worker to the running stack (its queues, function and mappings); the returned function
   * stops it again. One worker per task queue, as in the cloud: a second running one is refused.
   */
  attachWorker(worker: LocalWorker): Promise<() => Promise<void>>;
  /** Makes a worker's task queue known (queues, function) before it runs; see `WorkerFunctions.register`. */
  registerWorker(worker: LocalWorker): Promise<void>;
  stop(): Promise<void>;
}

/** The HTTP API's port is taken (another `cairn dev`, or another server). */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly port: number) {
    super(
      `Port ${port} on 127.0.0.1 is already in use (another cairn dev?). Stop it, or choose another port with --port <n>.`,
    );
  }
}

let running: LocalStack | undefined;

/**
 * Starts the embedded AWS stack on 127.0.0.1: DynamoDB Local, the SQS/S3 emulator, the tables,
 * bucket and queues from the same definitions the CDK deploys, and a local Lambda host that runs
 * the real handlers (API, router, system, sweeper, one worker per task queue) with the event source
 * mappings' semantics. One stack per process: the handlers read their configuration from the
 * process environment, as Lambda functions do.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  if (running) throw new Error('A local stack is already running in this process; stop it first');
  const prefix = options.prefix ?? 'cairn-local';
  const timeoutSeconds = options.functionTimeoutSeconds ?? 30;
  const concurrency = options.concurrency ?? 8;
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  const clock = new LocalClock(options.clock ?? 'system');
  // Each local invocation shares reads only with itself, as a Lambda container does.
  overrideReadScope(() => currentInvocation());
  cleanups.push(async () => overrideReadScope(undefined));
  // The handlers build their runtime from here on: a manual clock must be in place before.
  if (clock.mode === 'manual') {
    overrideRuntimeClock(clock);
    cleanups.push(async () => overrideRuntimeClock(undefined));
  }
  try {
    const stateDir = options.stateDir ? resolve(options.stateDir) : undefined;
    const dynamo = await startDynamoDbLocal({ dbPath: stateDir && join(stateDir, 'dynamodb') });
    cleanups.push(() => dynamo.stop());
    const fauxqs = await startFauxqs();
    cleanups.push(() => fauxqs.stop());
    const region = 'us-east-1';
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const dynamodb = new DynamoDBClient({ region, endpoint: dynamo.endpoint, credentials });
    const s3 = new S3Client({ region, endpoint: fauxqs.endpoint, credentials, forcePathStyle: true });
    const sqs = new SQSClient({
      region,
      endpoint: fauxqs.endpoint,
      credentials,
      useQueueUrlAsEndpoint: false,
    });
    const streams = new DynamoDBStreamsClient({ region, endpoint: dynamo.endpoint, credentials });
    const resources = await createResources({ dynamodb, s3 }, prefix);
    const taskQueues = options.workers.map((worker) => worker.taskQueue);
    const duplicate = taskQueues.find((queue, i) => taskQueues.indexOf(queue) !== i);
    if (duplicate)
      throw new Error(`Two workers serve task queue '${duplicate}'; each task queue has one worker`);
    if (stateDir) {
      const payloads = join(stateDir, 'payloads');
      await restorePayloads(s3, resources.payloadBucket, payloads);
      cleanups.push(() => savePayloads(s3, resources.payloadBucket, payloads));
    }
    const queues = await createQueues(sqs, prefix, taskQueues, timeoutSeconds);

    const functions = new Map<string, LocalFunction<unknown, unknown>>();
    const host = <E, R>(
      name: string,
      handler: (event: E) => Promise<R>,
      functionTimeout = timeoutSeconds,
      invoke: { concurrency: number; throttle?: boolean } = { concurrency },
    ) => {
      const fn = new LocalFunction<E, R>(name, handler, { timeoutMs: functionTimeout * 1000, ...invoke });
      functions.set(name, fn as LocalFunction<unknown, unknown>);
      return fn;
    };
    const workers = new WorkerFunctions({
      sqs,
      prefix,
      timeoutSeconds,
      concurrency,
      functions,
      perTaskQueue: queues.perTaskQueue,
      deliveryHook: options.faults?.sqsDelivery,
      // The handlers read the task queues that have a worker from their environment, as in Lambda.
      onChange: (workerFunctions) => {
        process.env.CAIRN_WORKER_FUNCTIONS = JSON.stringify(workerFunctions);
        // The handlers' runtime is built afresh for the new environment: it halts killed ones too.
        haltKilledInvocations(runtimeFromEnvironment(), options.faults);
      },
    });
    for (const worker of options.workers) workers.host(worker);
    const invokeServer = await startInvokeServer(functions);
    cleanups.push(() => invokeServer.stop());

    Object.assign(process.env, {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: fauxqs.endpoint,
      AWS_ENDPOINT_URL_S3: fauxqs.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: invokeServer.endpoint,
      CAIRN_PREFIX: prefix,
      CAIRN_HISTORY_TABLE: resources.historyTable,
      CAIRN_EXECUTIONS_TABLE: resources.executionsTable,
      CAIRN_PAYLOAD_BUCKET: resources.payloadBucket,
      CAIRN_WORKER_FUNCTIONS: JSON.stringify(workers.workerFunctions),
      CAIRN_LOG_LEVEL: options.logLevel ?? 'warn',
      CAIRN_LOG_FORMAT: options.logFormat ?? 'json',
      // CloudWatch metrics mean nothing here, and EMF lines on stdout would drown `cairn dev`'s console.
      CAIRN_METRICS: 'off',
    });
    const runtime = runtimeFromEnvironment();
    if (stateDir) await resendScheduleWakes(runtime);
    haltKilledInvocations(runtime, options.faults);

    // The API is hosted as deployed (definitions.ts): its timeout is API Gateway's, not the workers'.
    const api = host(`${prefix}-api`, apiHandler, API_FUNCTION.timeoutSeconds, {
      concurrency: options.apiConcurrency ?? API_FUNCTION.reservedConcurrency ?? ACCOUNT_CONCURRENCY,
      throttle: true,
    });
    // The router too: its timeout bounds a stream batch's routing (a fan-out's messages), not a queue's visibility.
    const router = host(`${prefix}-router`, routerHandler, ROUTER_FUNCTION.timeoutSeconds);
    const system = host(`${prefix}-system`, systemHandler);
    const sweeper = host(`${prefix}-sweeper`, sweeperHandler);

    const discardedStreamRecords: DynamoDBRecord[] = [];
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: resources.historyTable }));
    const streamArn = table.Table!.LatestStreamArn!;
    const streamMapping = new StreamMapping({
      streams,
      streamArn,
      fn: router,
      batchSize: MAPPINGS.router.batchSize,
      maximumRetryAttempts: MAPPINGS.router.maximumRetryAttempts,
      bisectBatchOnError: MAPPINGS.router.bisectBatchOnError,
      pollIntervalMs: options.streamPollIntervalMs ?? 50,
      filter: (record) => matchesFilter(MAPPINGS.router.filterPattern, record),
      deliveryHook: options.faults?.streamDelivery,
      onDiscard: (records, error, shardId) => {
        discardedStreamRecords.push(...records);
        runtime.deps.logger('error', 'router gave up on stream records', { count: records.length, error });
        const record = streamFailureRecord(records, error, shardId, streamArn, router.name);
        sendStreamFailure(sqs, queues.routerFailures.url, record).catch((sendError: unknown) =>
          runtime.deps.logger('error', 'could not send stream records to the failure destination', {
            error: String(sendError),
          }),
        );
      },
    });
    const sqsMappings = [
      new SqsMapping({
        sqs,
        queueUrl: queues.system.url,
        queueArn: queues.system.arn,
        fn: system,
        batchSize: MAPPINGS.systemTasks.batchSize,
        visibilityTimeoutSeconds: queues.system.definition.visibilityTimeoutSeconds,
        pollers: 2,
        deliveryHook: options.faults?.sqsDelivery,
      }),
    ];
    streamMapping.start();
    for (const mapping of sqsMappings) mapping.start();
    workers.startAll();
    cleanups.push(async () => {
      await Promise.all([
        streamMapping.stop(),
        ...sqsMappings.map((mapping) => mapping.stop()),
        workers.stopAll(),
      ]);
    });
    const sweep = setInterval(
      () => void sweeper.invoke({}).catch(() => undefined),
      options.sweepIntervalMs ?? 60_000,
    );
    cleanups.push(async () => clearInterval(sweep));

    const gateway = await startHttpGateway({
      handler: (event) => api.invoke(event),
      port: options.port,
      ui: options.ui,
    }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EADDRINUSE' && options.port ? new PortInUseError(options.port) : error;
    });
    cleanups.push(() => gateway.stop());

    const stack: LocalStack = {
      endpoint: gateway.url,
      runtime,
      functions,
      queues,
      discardedStreamRecords,
      clock,
      sweep: () => sweeper.invoke({}),
      replaceWorker: (handler) => workers.replace(handler),
      attachWorker: (worker) => workers.attach(worker),
      registerWorker: async (worker) => {
        await workers.register(worker);
      },
      stop: async () => {
        await stopAll();
        running = undefined;
      },
    };
    running = stack;
    return stack;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * A killed invocation (fault tests, timeouts) makes no more AWS calls: each one it starts never
 * returns, as nothing reaches AWS from a runtime that died. Other invocations are untouched.
 */
const halted = new WeakSet<object>();

function haltKilledInvocations(runtime: CloudRuntime, faults: LocalFaultHooks | undefined): void {
  if (halted.has(runtime.dynamodb)) return;
  halted.add(runtime.dynamodb);
  const halt =
    <T>(next: (args: T) => Promise<unknown>) =>
    (args: T) =>
      currentInvocation()?.killed ? new Promise<never>(() => {}) : next(args);
  runtime.dynamodb.middlewareStack.add(halt as never, { step: 'initialize', name: 'haltKilledInvocations' });
  runtime.sqs.middlewareStack.add(halt as never, { step: 'initialize', name: 'haltKilledInvocations' });
  // Added after the halt, so a killed invocation's calls stop before any injected fault.
  faults?.instrumentRuntime?.(runtime);
}
