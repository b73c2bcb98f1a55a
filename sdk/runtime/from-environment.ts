import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { DynamoHistoryStore } from '../backend/dynamodb/history-store.ts';
import type { WorkerInvoker, WorkerRequest, WorkerResponse } from '../backend/ports.ts';
import { SqsTaskDispatch } from '../backend/sqs/task-dispatch.ts';
import { systemClock } from '../backend/system-clock.ts';
import { rehydrateError } from '../common/error-codes.ts';
import { CairnError, InvalidArgumentError, UnknownTaskQueueError } from '../common/errors.ts';
import { jsonLogger, type RuntimeDeps } from './deps.ts';
import { deferToInstalled } from './installed-logger.ts';

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
  /** Days a closed run is kept (the Engine's `retention`). */
  CAIRN_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  AWS_REGION: z.string().default('us-east-1'),
});

export type CairnEnvironment = z.infer<typeof environmentSchema>;

/** A cloud runtime: the ports over DynamoDB, SQS, S3 and Lambda, and the typed handles to them. */
export interface CloudRuntime {
  deps: RuntimeDeps;
  dynamodb: DynamoDBClient;
  store: DynamoHistoryStore;
  dispatch: SqsTaskDispatch;
  environment: CairnEnvironment;
}

/** Invokes a task queue's worker function synchronously, for queries and updates. */
class LambdaWorkerInvoker implements WorkerInvoker {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functions: Record<string, string>,
  ) {}

  async invoke(taskQueue: string, request: WorkerRequest): Promise<WorkerResponse> {
    const functionName = this.functions[taskQueue];
    if (!functionName) throw new UnknownTaskQueueError(taskQueue, Object.keys(this.functions));
    const out = await this.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: Buffer.from(JSON.stringify({ cairnWorkerRequest: request })),
      }),
    );
    const body = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString() || 'null') as
      | WorkerResponse
      | { error: { code: string; message: string } }
      | null;
    if (out.FunctionError || !body || 'error' in body) {
      const error =
        body && 'error' in body
          ? body.error
          : { code: 'Internal', message: `Worker function failed: ${out.FunctionError}` };
      throw rehydrateError(error.code, error.message) ?? new CairnError(`${error.code}: ${error.message}`);
    }
    return body;
  }
}

let cached: { key: string; runtime: CloudRuntime } | undefined;

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
  if (cached?.key === key) return cached.runtime;
  const region = environment.AWS_REGION;
  const dynamodb = new DynamoDBClient({ region });
  const s3 = new S3Client({ region, forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3) });
  // Emulators name queue URLs by a host of their own; the configured endpoint is the one to call.
  const sqs = new SQSClient({ region, useQueueUrlAsEndpoint: !env.AWS_ENDPOINT_URL_SQS });
  const lambda = new LambdaClient({ region });
  const store = new DynamoHistoryStore({
    dynamodb,
    s3,
    historyTable: environment.CAIRN_HISTORY_TABLE,
    executionsTable: environment.CAIRN_EXECUTIONS_TABLE,
    payloadBucket: environment.CAIRN_PAYLOAD_BUCKET,
  });
  const dispatch = new SqsTaskDispatch({
    sqs,
    dynamodb,
    prefix: environment.CAIRN_PREFIX,
    executionsTable: environment.CAIRN_EXECUTIONS_TABLE,
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
    dispatch,
    clock: systemClock,
    invoker: new LambdaWorkerInvoker(lambda, functions),
    newId: randomUUID,
    logger: deferToInstalled(jsonLogger(environment.CAIRN_LOG_LEVEL)),
    knownTaskQueues: environment.CAIRN_WORKER_FUNCTIONS === undefined ? undefined : Object.keys(functions),
    retentionMs: environment.CAIRN_RETENTION_DAYS * 86_400_000,
  };
  const runtime = { deps, dynamodb, store, dispatch, environment };
  cached = { key, runtime };
  return runtime;
}
