import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  API_FUNCTION,
  EXECUTIONS_TABLE,
  MAPPINGS,
  ROUTER_FUNCTION,
  SYSTEM_QUEUE,
} from '../sdk/backend/definitions.ts';
import { acknowledge, acknowledgeWildcardResource } from './acknowledgements.ts';
import { type EngineFunctionName, engineCode } from './bundling.ts';
import { CairnFunction } from './cairn-function.ts';
import type { EngineState } from './engine-state.ts';
import { batchingWindow, failureDestination } from './from-definitions.ts';
import { keyStatement, TABLE_READ_WRITE_ACTIONS, tableStatement } from './grants.ts';
import {
  DEAD_LETTER_ACTIONS,
  DUE_INDEX_ACTIONS,
  DUE_INDEX_KEYS,
  INDEX_QUERY_ACTIONS,
  PAYLOAD_READ_ACTIONS,
  PAYLOAD_WRITE_ACTIONS,
  QUEUE_SEND_ACTIONS,
  STREAM_READ_ACTIONS,
  TABLE_READ_ACTIONS,
} from './perms.ts';

/** The engine's four functions, as {@link engineFunctions} builds them, with the grants workers extend. */
export interface EngineFunctions {
  api: CairnFunction;
  router: CairnFunction;
  system: CairnFunction;
  sweeper: CairnFunction;
  /** Runs the sweeper every minute. */
  sweeperSchedule: events.Rule;
  /** The queue-send grants of the functions that dispatch; each worker adds its task queues. */
  dispatchStatements: iam.PolicyStatement[];
  /** The API's grant to read and redrive dead letters; each worker adds its DLQs. */
  deadLetterStatement: iam.PolicyStatement;
}

/** What the engine's functions are built from. */
export interface EngineFunctionsOptions {
  state: EngineState;
  /** The `CAIRN_*` environment every Cairn function gets. */
  environment: Readonly<Record<string, string>>;
  /** The environment naming the task queues that have a worker (resolved once workers registered). */
  knownWorkers: Record<string, string>;
  logRetention: logs.RetentionDays;
  tracing: boolean;
  apiReservedConcurrency: number | undefined;
  encryptionKey?: kms.IKey;
}

/** What differs between the engine's four functions. */
interface FunctionShape {
  description: string;
  memorySize: number;
  timeout: Duration;
  retryAttempts?: number;
  reservedConcurrentExecutions?: number;
}

/** What each function's builder gets: the state, and how to make a Cairn function of the engine. */
interface Build {
  scope: Construct;
  state: EngineState;
  fn(fnId: string, entry: EngineFunctionName, shape: FunctionShape): CairnFunction;
  allPayloads: string;
}

const PAYLOAD_REASON =
  'Payload object keys are content hashes under payloads/<namespace>/<run>/, unknown until a run ' +
  'writes them; the grant is confined to the payloads/ prefix.';

/**
 * The engine's functions in `scope`, each with its least-privilege grants: the HTTP API's, the
 * router on the history stream, the system queue's consumer, and the every-minute sweeper of the
 * due-time index (DESIGN.md, "Components").
 */
export function engineFunctions(scope: Construct, options: EngineFunctionsOptions): EngineFunctions {
  const { state, knownWorkers } = options;
  const build: Build = {
    scope,
    state,
    fn: (fnId, entry, shape) =>
      new CairnFunction(scope, fnId, {
        ...shape,
        source: { code: engineCode(entry) },
        // The function's role names its log lines and its metrics' `service` dimension.
        environment: {
          ...options.environment,
          POWERTOOLS_SERVICE_NAME: `cairn-${entry}`,
          ...knownWorkers,
        },
        logRetention: options.logRetention,
        tracing: options.tracing,
      }),
    allPayloads: state.payloadBucket.arnForObjects('payloads/*'),
  };
  const { api, apiDispatch, deadLetterStatement } = apiFunction(build, options.apiReservedConcurrency);
  const router = routerFunction(build);
  const system = systemFunction(build);
  const { sweeper, sweeperSchedule } = sweeperFunction(build);

  // Every function that dispatches may send to the system queue and, as workers register, to
  // their task queues (a child workflow or a timer can target any task queue).
  const dispatchStatements = [apiDispatch];
  for (const dispatcher of [router, system, sweeper]) {
    const statement = sendToSystemQueue(state);
    dispatcher.addToRolePolicy(statement);
    dispatchStatements.push(statement);
  }
  const key = options.encryptionKey;
  if (key) {
    for (const each of [api, router, system, sweeper]) each.addToRolePolicy(keyStatement(key, true));
  }
  return { api, router, system, sweeper, sweeperSchedule, dispatchStatements, deadLetterStatement };
}

function apiFunction(
  { fn, state, allPayloads }: Build,
  reservedConcurrentExecutions: number | undefined,
): { api: CairnFunction; apiDispatch: iam.PolicyStatement; deadLetterStatement: iam.PolicyStatement } {
  const api = fn('ApiFunction', 'api', {
    description: 'Cairn HTTP API: starts, signals, queries and describes workflows',
    // The same settings the local stack hosts the API with (definitions.ts).
    memorySize: API_FUNCTION.memorySize,
    timeout: Duration.seconds(API_FUNCTION.timeoutSeconds),
    reservedConcurrentExecutions,
  });
  api.addToRolePolicy(tableStatement(state.historyTable, TABLE_READ_WRITE_ACTIONS));
  api.addToRolePolicy(tableStatement(state.executionsTable, TABLE_READ_WRITE_ACTIONS));
  api.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [...INDEX_QUERY_ACTIONS],
      resources: EXECUTIONS_TABLE.globalSecondaryIndexes.map(
        (index) => `${state.executionsTable.tableArn}/index/${index.indexName}`,
      ),
    }),
  );
  api.addToRolePolicy(payloadStatement(allPayloads, true));
  acknowledgeWildcardResource(api.role, allPayloads, PAYLOAD_REASON);
  // A schedule's create or change sends its tick to the system queue; a redrive (`cairn dlq`) sends
  // tasks back to their queues, and routes a router failure's records to any task queue, as workers register.
  const apiDispatch = sendToSystemQueue(state);
  api.addToRolePolicy(apiDispatch);
  // `cairn dlq list|redrive` reads the dead-letter queues (each worker's, as it registers) and the
  // router's failure destination, and reads the records a router failure names back from the stream.
  const deadLetterStatement = new iam.PolicyStatement({
    actions: [...DEAD_LETTER_ACTIONS],
    resources: [state.systemDeadLetterQueue.queueArn, state.routerFailureQueue.queueArn],
  });
  api.addToRolePolicy(deadLetterStatement);
  api.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [...STREAM_READ_ACTIONS],
      resources: [state.historyTable.tableStreamArn!],
    }),
  );
  return { api, apiDispatch, deadLetterStatement };
}

/** The router: history stream → task queues. */
function routerFunction({ fn, state, allPayloads }: Build): CairnFunction {
  const router = fn('RouterFunction', 'router', {
    description: 'Cairn router: turns committed history batches into task messages',
    memorySize: 512,
    timeout: Duration.seconds(ROUTER_FUNCTION.timeoutSeconds),
  });
  router.function.addEventSource(
    new DynamoEventSource(state.historyTable, {
      startingPosition: lambda.StartingPosition[MAPPINGS.router.startingPosition],
      batchSize: MAPPINGS.router.batchSize,
      maxBatchingWindow: batchingWindow(MAPPINGS.router.maximumBatchingWindowSeconds),
      bisectBatchOnError: MAPPINGS.router.bisectBatchOnError,
      retryAttempts: MAPPINGS.router.maximumRetryAttempts,
      parallelizationFactor: MAPPINGS.router.parallelizationFactor,
      reportBatchItemFailures: MAPPINGS.router.reportBatchItemFailures,
      // Batches the router has nothing to do for (an eager step's) invoke nothing.
      filters: [lambda.FilterCriteria.filter(MAPPINGS.router.filterPattern)],
      onFailure: failureDestination(state.routerFailureQueue),
    }),
  );
  acknowledge(
    router.role,
    'AwsSolutions-IAM5[Resource::*]',
    'dynamodb:ListStreams, which the stream event source mapping needs, has no resource-level ' +
      'permissions (IAM accepts only *); it lists stream ARNs and reads no data.',
  );
  // Overflow chunks of large batches are read from the table, not from the stream record.
  router.addToRolePolicy(tableStatement(state.historyTable, TABLE_READ_ACTIONS));
  // Tasks due beyond SQS's 15-minute delay are parked in the due-time index.
  router.addToRolePolicy(tableStatement(state.executionsTable, ['dynamodb:PutItem'], DUE_INDEX_KEYS));
  router.addToRolePolicy(payloadStatement(allPayloads, false));
  acknowledgeWildcardResource(router.role, allPayloads, PAYLOAD_REASON);
  return router;
}

/** The system queue's consumer: timers, timeouts, child starts, external signals and cancels. */
function systemFunction({ fn, state, allPayloads }: Build): CairnFunction {
  const system = fn('SystemFunction', 'system', {
    description: 'Cairn system tasks: timers, timeouts, child starts, external signals and cancels',
    memorySize: 512,
    // SQS guidance: a queue's visibility timeout is six times its consumer's timeout.
    timeout: Duration.seconds(SYSTEM_QUEUE.visibilityTimeoutSeconds / 6),
  });
  system.function.addEventSource(
    new SqsEventSource(state.systemQueue, {
      batchSize: MAPPINGS.systemTasks.batchSize,
      maxBatchingWindow: batchingWindow(MAPPINGS.systemTasks.maximumBatchingWindowSeconds),
      reportBatchItemFailures: MAPPINGS.systemTasks.reportBatchItemFailures,
    }),
  );
  system.addToRolePolicy(tableStatement(state.historyTable, TABLE_READ_WRITE_ACTIONS));
  system.addToRolePolicy(tableStatement(state.executionsTable, TABLE_READ_WRITE_ACTIONS));
  system.addToRolePolicy(payloadStatement(allPayloads, true));
  acknowledgeWildcardResource(system.role, allPayloads, PAYLOAD_REASON);
  return system;
}

/** The sweeper: due-time index → queues, every minute. */
function sweeperFunction({ scope, fn, state }: Build): {
  sweeper: CairnFunction;
  sweeperSchedule: events.Rule;
} {
  const sweeper = fn('SweeperFunction', 'sweeper', {
    description: 'Cairn sweeper: hands tasks parked in the due-time index to their queues',
    memorySize: 256,
    // Finish before the next minute's run starts.
    timeout: Duration.seconds(50),
    // The next minute's sweep finds whatever a failed one left in the index, so it needs no retry.
    retryAttempts: 0,
  });
  sweeper.addToRolePolicy(tableStatement(state.executionsTable, DUE_INDEX_ACTIONS, DUE_INDEX_KEYS));
  const sweeperSchedule = new events.Rule(scope, 'SweeperSchedule', {
    description: 'Runs the Cairn sweeper every minute',
    schedule: events.Schedule.rate(Duration.minutes(1)),
    targets: [new targets.LambdaFunction(sweeper.function, { retryAttempts: 0 })],
  });
  return { sweeper, sweeperSchedule };
}

function sendToSystemQueue(state: EngineState): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...QUEUE_SEND_ACTIONS],
    resources: [state.systemQueue.queueArn],
  });
}

function payloadStatement(resource: string, write: boolean): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...PAYLOAD_READ_ACTIONS, ...(write ? PAYLOAD_WRITE_ACTIONS : [])],
    resources: [resource],
  });
}
