import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { DynamoHistoryStore } from '../backend/dynamodb/history-store.ts';
import { DynamoScheduleStore } from '../backend/dynamodb/schedule-store.ts';
import { LambdaWorkerInvoker } from '../backend/lambda/worker-invoker.ts';
import type { Clock } from '../backend/ports.ts';
import { SqsTaskDispatch } from '../backend/sqs/task-dispatch.ts';
import { systemClock } from '../backend/system-clock.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { jsonLogger, type Logger, type RuntimeDeps } from './deps.ts';
import { EmfMetrics } from './emf-metrics.ts';
import { deferToInstalled } from './installed-logger.ts';
import { noMetrics } from './metrics.ts';
import { powertoolsLogger } from './powertools-logger.ts';
import { routerHasWork } from './route.ts';
import { reportCommittedBatch } from './run-metrics.ts';
import { textLogger } from './text-logger.ts';
import { traced } from './tracing.ts';

/** The environment every Cairn function reads, validated once where it enters. */
const environmentSchema = z.object({
  CAIRN_PREFIX: z.string().min(1),
  CAIRN_HISTORY_TABLE: z.string().min(1),
  CAIRN_EXECUTIONS_TABLE: z.string().min(1),
  CAIRN_PAYLOAD_BUCKET: z.string().min(1),
  /**
   * JSON object: task queue → name of the worker function serving it (for queries and updates, and
   * to refuse starts on a task queue no worker serves). Absent: the task queues are not known.
   */
  CAIRN_WORKER_FUNCTIONS: z.string().optional(),
  CAIRN_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /**
   * `powertools`: Powertools Logger's JSON lines (the cloud); `json`: the same keys, on stderr
   * (`cairn dev --json-logs`); `text`: readable lines for a terminal (`cairn dev`).
   */
  CAIRN_LOG_FORMAT: z.enum(['powertools', 'json', 'text']).default('powertools'),
  /** `emf`: CloudWatch Embedded Metric Format on stdout (the cloud); `off`: none (the local stack). */
  CAIRN_METRICS: z.enum(['emf', 'off']).default('emf'),
  /** The function's role in log lines and metrics (`cairn-api`, `cairn-worker`, …). */
  POWERTOOLS_SERVICE_NAME: z.string().min(1).default('cairn'),
  /** Days a closed run is kept (the Engine's `retention`). */
  CAIRN_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  AWS_REGION: z.string().default('us-east-1'),
});

export type CairnEnvironment = z.infer<typeof environmentSchema>;

/** A cloud runtime: the ports over DynamoDB, SQS, S3 and Lambda, and the typed handles to them. */
export interface CloudRuntime {
  deps: RuntimeDeps;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  /** The client of offloaded payloads (the store's). */
  s3: S3Client;
  store: DynamoHistoryStore;
  dispatch: SqsTaskDispatch;
  environment: CairnEnvironment;
}

/** Where the handlers' log entries go when no logger is installed (`Runtime.install`). */
function logSink(environment: CairnEnvironment): Logger {
  const level = environment.CAIRN_LOG_LEVEL;
  switch (environment.CAIRN_LOG_FORMAT) {
    case 'powertools':
      return powertoolsLogger(level, environment.POWERTOOLS_SERVICE_NAME);
    case 'json':
      return jsonLogger(level);
    case 'text':
      return textLogger(level);
  }
}

let cached: { key: string; clock: Clock; runtime: CloudRuntime } | undefined;
let clockOverride: Clock | undefined;
let readScopeOverride: (() => object | undefined) | undefined;

/**
 * Makes the runtimes of this process share concurrent reads only within what `scope` names (an
 * invocation) rather than the whole process (undefined: the process again). Lambda runs one
 * invocation per container at a time, so it never calls this; the embedded local stack, which runs
 * many in one process and can kill one, names the invocation.
 */
export function overrideReadScope(scope: (() => object | undefined) | undefined): void {
  readScopeOverride = scope;
}

/**
 * Makes every runtime built from now on in this process read `clock` instead of the system clock
 * (undefined: the system clock again). The embedded local stack sets its adjustable clock here, so
 * its handlers, the very ones Lambda runs, see the time a test moves; Lambda never calls it.
 */
export function overrideRuntimeClock(clock: Clock | undefined): void {
  clockOverride = clock;
}

/**
 * Builds (once per container) the runtime the Lambda handlers use, from environment variables.
 * AWS SDK clients take endpoints from the standard `AWS_ENDPOINT_URL_*` variables, which is how
 * the embedded local stack points the very same handlers at DynamoDB Local and the SQS emulator.
 */
export function runtimeFromEnvironment(env: NodeJS.ProcessEnv = process.env): CloudRuntime {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidArgumentError(
      `Cairn function misconfigured: ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  const environment = parsed.data;
  const key = JSON.stringify([
    environment,
    env.AWS_ENDPOINT_URL_DYNAMODB,
    env.AWS_ENDPOINT_URL_SQS,
    env.AWS_ENDPOINT_URL_S3,
    env.AWS_ENDPOINT_URL_LAMBDA,
  ]);
  const clock = clockOverride ?? systemClock;
  if (cached?.key === key && cached.clock === clock) return cached.runtime;
  const region = environment.AWS_REGION;
  const dynamodb = traced(new DynamoDBClient({ region }));
  const s3 = traced(new S3Client({ region, forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3) }));
  // Emulators name queue URLs by a host of their own; the configured endpoint is the one to call.
  const sqs = traced(new SQSClient({ region, useQueueUrlAsEndpoint: !env.AWS_ENDPOINT_URL_SQS }));
  const lambda = traced(new LambdaClient({ region }));
  const metrics =
    environment.CAIRN_METRICS === 'emf'
      ? new EmfMetrics(environment.CAIRN_PREFIX, environment.POWERTOOLS_SERVICE_NAME)
      : noMetrics;
  const store = new DynamoHistoryStore({
    dynamodb,
    s3,
    historyTable: environment.CAIRN_HISTORY_TABLE,
    executionsTable: environment.CAIRN_EXECUTIONS_TABLE,
    payloadBucket: environment.CAIRN_PAYLOAD_BUCKET,
    retentionMs: environment.CAIRN_RETENTION_DAYS * 86_400_000,
    now: () => clock.now(),
    readScope: () => readScopeOverride?.(),
    // The same retention the router plans with (deps.retentionMs below).
    routerIdle: (batch) => !routerHasWork(batch, environment.CAIRN_RETENTION_DAYS * 86_400_000),
    // Run-level metrics are counted where a commit succeeds, once, by whichever function made it.
    committed: (batch) => reportCommittedBatch(metrics, batch),
  });
  const dispatch = new SqsTaskDispatch({
    sqs,
    dynamodb,
    prefix: environment.CAIRN_PREFIX,
    executionsTable: environment.CAIRN_EXECUTIONS_TABLE,
    now: () => clock.now(),
  });
  let functions: Record<string, string>;
  try {
    functions = z
      .record(z.string(), z.string())
      .parse(JSON.parse(environment.CAIRN_WORKER_FUNCTIONS ?? '{}'));
  } catch {
    throw new InvalidArgumentError(
      'CAIRN_WORKER_FUNCTIONS must be a JSON object of task queue → function name',
    );
  }
  const deps: RuntimeDeps = {
    store,
    schedules: new DynamoScheduleStore({ dynamodb, executionsTable: environment.CAIRN_EXECUTIONS_TABLE }),
    dispatch,
    clock,
    invoker: new LambdaWorkerInvoker(lambda, functions),
    newId: randomUUID,
    logger: deferToInstalled(logSink(environment)),
    metrics,
    knownTaskQueues: environment.CAIRN_WORKER_FUNCTIONS === undefined ? undefined : Object.keys(functions),
    retentionMs: environment.CAIRN_RETENTION_DAYS * 86_400_000,
  };
  const runtime = { deps, dynamodb, sqs, s3, store, dispatch, environment };
  cached = { key, clock, runtime };
  return runtime;
}
