import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  activityQueue,
  deadLetterQueue,
  MAPPINGS,
  physicalName,
  workflowQueue,
} from '../sdk/backend/definitions.ts';
import { DUE_NAMESPACES_PK } from '../sdk/backend/dynamodb/keys.ts';
import { acknowledgeWildcardResource } from './acknowledgements.ts';
import type { CairnBundlingProps } from './bundling.ts';
import { CairnFunction } from './cairn-function.ts';
import type { Engine } from './engine.ts';
import { batchingWindow, queueFromDefinition } from './from-definitions.ts';
import { keyStatement, TABLE_READ_WRITE_ACTIONS, tableStatement } from './grants.ts';
import { deadLetterAlarm, functionAlarms } from './monitoring.ts';
import { PAYLOAD_READ_ACTIONS, PAYLOAD_WRITE_ACTIONS, QUEUE_SEND_ACTIONS } from './perms.ts';
import { CairnPropsError } from './props-error.ts';

/** Task queue names become queue names, so they take SQS's characters. */
export const TASK_QUEUE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Namespaces a construct can scope grants to: they start table keys (`${namespace}#…`, so no `#`)
 * and S3 keys (`payloads/${namespace}/…`, so no `/`), and appear in IAM patterns (so no `*`, `?`).
 */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** SQS's limit on a queue name, `.fifo` included. */
const MAX_QUEUE_NAME_LENGTH = 80;

/** Properties of a worker added with `engine.addWorker(id, options)`. */
export interface WorkerOptions {
  /**
   * The worker's entry file: it exports `handler = createWorker({ taskQueue, workflows, activities })`
   * (see `examples/loan/worker.ts`). Bundled with esbuild.
   */
  readonly entry: string;
  /**
   * The task queue this worker serves; must equal the `taskQueue` passed to `createWorker` in
   * `entry`. Letters, digits, `-` and `_`, at most 64: it becomes part of queue names.
   */
  readonly taskQueue: string;
  /**
   * The exported name of the handler in `entry`.
   *
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * The namespace whose workflows this worker runs. Its role may touch only this namespace's
   * items (a `dynamodb:LeadingKeys` condition on `${namespace}#*`) and payloads
   * (`payloads/${namespace}/*`); a task of another namespace fails with AccessDenied.
   *
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Memory of the worker function in MB (128..10240); CPU grows with it, and replay is CPU-bound.
   *
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Timeout of the worker function (at most 15 minutes). An activity attempt must finish within
   * it; both task queues' visibility timeout is six times this value (`definitions.ts`).
   *
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency of the worker function: caps how many tasks run at once (protecting
   * downstream systems) and guarantees that many.
   *
   * @default - no reservation; the function uses the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Extra environment variables for the activities (not `CAIRN_*`, which the engine sets).
   *
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Where and how esbuild bundles `entry`.
   *
   * @default - the engine's `bundling`
   */
  readonly bundling?: CairnBundlingProps;
}

/** Properties of a {@link Worker}. */
export interface WorkerProps extends WorkerOptions {
  /** The engine whose tables, bucket and system queue this worker uses. */
  readonly engine: Engine;
}

/**
 * The worker of one task queue: a Lambda function bundling the user's workflows and activities,
 * fed by the task queue's FIFO workflow queue (message group = run, so one run's workflow tasks
 * never run concurrently) and its standard activity queue, each with a dead-letter queue, and
 * invoked directly by the API function for queries and updates.
 *
 * @example
 * const worker = engine.addWorker('Loans', { taskQueue: 'loans', entry: 'src/loans/worker.ts' });
 * worker.function.addEnvironment('CREDIT_BUREAU_URL', 'https://bureau.example.com');
 */
export class Worker extends Construct {
  readonly taskQueue: string;
  readonly namespace: string;
  readonly function: lambda.Function;
  readonly role: iam.IRole;
  /** Workflow tasks (FIFO). */
  readonly workflowQueue: sqs.Queue;
  readonly workflowDeadLetterQueue: sqs.Queue;
  /** Activity tasks (standard). */
  readonly activityQueue: sqs.Queue;
  readonly activityDeadLetterQueue: sqs.Queue;
  /** Dead letters in either queue, function errors and throttles. */
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    const { engine } = props;
    const settings = validateWorkerProps(this, props);
    this.taskQueue = props.taskQueue;
    this.namespace = settings.namespace;
    const key = engine.encryptionKey;
    const timeoutSeconds = settings.timeout.toSeconds();

    const workflows = queueFromDefinition(
      this,
      'WorkflowTaskQueue',
      engine.prefix,
      workflowQueue(this.taskQueue, timeoutSeconds),
      key,
    );
    const activities = queueFromDefinition(
      this,
      'ActivityTaskQueue',
      engine.prefix,
      activityQueue(this.taskQueue, timeoutSeconds),
      key,
    );
    this.workflowQueue = workflows.queue;
    this.workflowDeadLetterQueue = workflows.deadLetterQueue;
    this.activityQueue = activities.queue;
    this.activityDeadLetterQueue = activities.deadLetterQueue;

    const worker = new CairnFunction(this, 'Function', {
      source: {
        entry: settings.entry,
        handler: props.handler,
        bundling: props.bundling ?? engine._workerDefaults.bundling,
      },
      description: `Cairn worker of task queue '${this.taskQueue}' (namespace '${this.namespace}')`,
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: { POWERTOOLS_SERVICE_NAME: 'cairn-worker', ...props.environment, ...engine.environment },
      logRetention: engine._workerDefaults.logRetention,
      tracing: engine._workerDefaults.tracing,
    });
    this.function = worker.function;
    this.role = worker.role;
    for (const [queue, mapping] of [
      [this.workflowQueue, MAPPINGS.workflowTasks],
      [this.activityQueue, MAPPINGS.activityTasks],
    ] as const) {
      this.function.addEventSource(
        new SqsEventSource(queue, {
          batchSize: mapping.batchSize,
          maxBatchingWindow: batchingWindow(mapping.maximumBatchingWindowSeconds),
          reportBatchItemFailures: mapping.reportBatchItemFailures,
        }),
      );
    }

    // Least privilege: this namespace's items only. Every history key and every run, claim and
    // heartbeat key of the executions table starts with `${namespace}#` (sdk/backend/dynamodb/keys.ts).
    const ownKeys = [`${this.namespace}#*`];
    worker.addToRolePolicy(tableStatement(engine.historyTable, TABLE_READ_WRITE_ACTIONS, ownKeys));
    worker.addToRolePolicy(tableStatement(engine.executionsTable, TABLE_READ_WRITE_ACTIONS, ownKeys));
    // Retries and timeouts due beyond SQS's 15-minute delay are parked in the namespace's due-time
    // index (under its own keys); its first park records the namespace's name for the sweeper.
    worker.addToRolePolicy(tableStatement(engine.executionsTable, ['dynamodb:PutItem'], [DUE_NAMESPACES_PK]));
    const payloads = engine.payloadBucket.arnForObjects(`payloads/${this.namespace}/*`);
    worker.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...PAYLOAD_READ_ACTIONS, ...PAYLOAD_WRITE_ACTIONS],
        resources: [payloads],
      }),
    );
    acknowledgeWildcardResource(
      worker.role,
      payloads,
      `Payload object keys are content hashes under payloads/${this.namespace}/<run>/, unknown until a ` +
        "run writes them; the grant is confined to this worker's namespace.",
    );
    // A worker re-enqueues its own tasks (activity retries) and schedules watchdogs and delayed
    // workflow tasks on the system queue; tasks for other task queues go through the router.
    worker.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...QUEUE_SEND_ACTIONS],
        resources: [this.workflowQueue.queueArn, this.activityQueue.queueArn, engine.systemQueue.queueArn],
      }),
    );
    if (key) worker.addToRolePolicy(keyStatement(key, true));

    const actions = engine._workerDefaults.alarmActions;
    this.alarms = [
      deadLetterAlarm(
        this,
        'WorkflowDeadLettersAlarm',
        this.workflowDeadLetterQueue,
        `The workflow-task DLQ of '${this.taskQueue}'`,
        actions,
      ),
      deadLetterAlarm(
        this,
        'ActivityDeadLettersAlarm',
        this.activityDeadLetterQueue,
        `The activity-task DLQ of '${this.taskQueue}'`,
        actions,
      ),
      ...functionAlarms(this, 'Function', this.function, `The worker of '${this.taskQueue}'`, actions),
    ];
    engine._registerWorker(this);
  }

  /** Workflow tasks waiting to run. */
  metricWorkflowTaskBacklog(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.workflowQueue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** Activity tasks waiting to run. */
  metricActivityTaskBacklog(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.activityQueue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** Failed invocations of the worker function. */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }
}

/** Props checked and defaulted. */
interface WorkerSettings {
  entry: string;
  namespace: string;
  memorySize: number;
  timeout: Duration;
}

function validateWorkerProps(worker: Worker, props: WorkerProps): WorkerSettings {
  const fail = (message: string) => new CairnPropsError(worker, 'Worker', message);
  const { taskQueue, engine } = props;
  if (!TASK_QUEUE_PATTERN.test(taskQueue)) {
    throw fail(
      `taskQueue '${taskQueue}' must be 1-64 letters, digits, '-' or '_', because it becomes part of SQS queue names`,
    );
  }
  const existing = engine.workers.find((other) => other.taskQueue === taskQueue);
  if (existing) {
    throw fail(
      `task queue '${taskQueue}' already has a worker (${existing.node.path}); each task queue has exactly one Worker`,
    );
  }
  const longest = physicalName(engine.prefix, deadLetterQueue(workflowQueue(taskQueue, 0)));
  if (longest.length > MAX_QUEUE_NAME_LENGTH) {
    throw fail(
      `queue name '${longest}' would be ${longest.length} characters, SQS allows ${MAX_QUEUE_NAME_LENGTH}; ` +
        "shorten the taskQueue or the engine's prefix",
    );
  }
  const namespace = props.namespace ?? 'default';
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw fail(
      `namespace '${namespace}' must match ${NAMESPACE_PATTERN}: it starts table keys and S3 keys and appears in IAM patterns`,
    );
  }
  const entry = resolve(props.entry);
  if (!/\.(ts|mts|js|mjs)$/.test(entry) || !existsSync(entry)) {
    throw fail(
      `entry '${props.entry}' is not an existing .ts/.mts/.js/.mjs file; pass the file that exports handler = createWorker({ taskQueue: '${taskQueue}', ... })`,
    );
  }
  if (props.handler !== undefined && !/^[A-Za-z_$][\w$]*$/.test(props.handler)) {
    throw fail(`handler '${props.handler}' must be the name of an export of entry (e.g. 'handler')`);
  }
  const memorySize = props.memorySize ?? 1024;
  if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240) {
    throw fail(
      `memorySize ${memorySize} is out of range; Lambda takes a whole number of MB from 128 to 10240`,
    );
  }
  const timeout = props.timeout ?? Duration.minutes(1);
  const timeoutSeconds = timeout.toSeconds({ integral: false });
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
    throw fail(
      `timeout ${timeout.toHumanString()} is out of range; use whole seconds from 1 second to 15 minutes (Lambda's maximum)`,
    );
  }
  const reserved = props.reservedConcurrentExecutions;
  if (reserved !== undefined && (!Number.isInteger(reserved) || reserved < 1)) {
    throw fail(
      `reservedConcurrentExecutions ${reserved} must be a whole number of at least 1 (0 would stop the worker); omit it for no reservation`,
    );
  }
  const reservedNames = Object.keys(props.environment ?? {}).filter((name) => name.startsWith('CAIRN_'));
  if (reservedNames.length > 0) {
    throw fail(
      `environment sets ${reservedNames.join(', ')}; CAIRN_* variables are the engine's, remove them`,
    );
  }
  return { entry, namespace, memorySize, timeout };
}
