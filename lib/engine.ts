import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  API_FUNCTION,
  EXECUTIONS_TABLE,
  HISTORY_TABLE,
  MAPPINGS,
  ROUTER_FAILURE_QUEUE,
  ROUTER_FUNCTION,
  SYSTEM_QUEUE,
} from '../sdk/backend/definitions.ts';
import { acknowledge, acknowledgeWildcardResource } from './acknowledgements.ts';
import type { CairnBundlingProps } from './bundling.ts';
import { type EngineFunctionName, engineCode } from './bundling.ts';
import { CairnFunction } from './cairn-function.ts';
import { EngineDashboard } from './dashboard.ts';
import { type ApiRoute, engineHttpApi, routeArns } from './engine-api.ts';
import { type EngineProps, validateEngineProps } from './engine-props.ts';
import {
  batchingWindow,
  failureDestination,
  failureDestinationQueue,
  queueFromDefinition,
  tableFromDefinition,
} from './from-definitions.ts';
import { keyStatement, TABLE_READ_WRITE_ACTIONS, tableStatement } from './grants.ts';
import { deadLetterAlarm, functionAlarms, iteratorAgeAlarm } from './monitoring.ts';
import { payloadBucket } from './payload-bucket.ts';
import {
  API_INVOKE_ACTIONS,
  DEAD_LETTER_ACTIONS,
  DUE_INDEX_ACTIONS,
  DUE_INDEX_KEYS,
  INDEX_QUERY_ACTIONS,
  PAYLOAD_READ_ACTIONS,
  PAYLOAD_WRITE_ACTIONS,
  QUEUE_SEND_ACTIONS,
  STREAM_READ_ACTIONS,
  TABLE_READ_ACTIONS,
  WORKER_INVOKE_ACTIONS,
} from './perms.ts';
import { CairnPropsError } from './props-error.ts';
import { NAMESPACE_PATTERN, Worker, type WorkerOptions } from './worker.ts';

/**
 * Cairn on AWS: the history and executions tables, the payload bucket, the router that turns the
 * history stream into task messages, the engine's system queue and function, the every-minute
 * sweeper of the due-time index, the HTTP API, alarms and a dashboard (DESIGN.md, "Components").
 * Add one {@link Worker} per task queue with {@link Engine.addWorker}.
 *
 * @example
 * const engine = new Engine(stack, 'Engine');
 * engine.addWorker('Loans', { taskQueue: 'loans', entry: 'src/loans/worker.ts' });
 * engine.grantStart(orderService.role);
 */
export class Engine extends Construct {
  /** Prefix of every queue name. */
  readonly prefix: string;
  /** Committed history batches; its stream is the router's outbox. */
  readonly historyTable: dynamodb.Table;
  /** Workflow-id claims, visibility records, heartbeats and the due-time index. */
  readonly executionsTable: dynamodb.Table;
  /** Payloads above the offload threshold (`payloads/<namespace>/<run>/<hash>`). */
  readonly payloadBucket: s3.Bucket;
  /** Timers, timeouts, child starts and delayed workflow tasks. */
  readonly systemQueue: sqs.Queue;
  readonly systemDeadLetterQueue: sqs.Queue;
  /** Where the router's stream batches go after its retries are spent. */
  readonly routerFailureQueue: sqs.Queue;
  readonly apiFunction: lambda.Function;
  readonly routerFunction: lambda.Function;
  readonly systemFunction: lambda.Function;
  readonly sweeperFunction: lambda.Function;
  /** Runs the sweeper every minute. */
  readonly sweeperSchedule: events.Rule;
  readonly httpApi: apigwv2.HttpApi;
  readonly apiStage: apigwv2.HttpStage;
  /** The API's base URL (`https://<id>.execute-api.<region>.amazonaws.com/`), for `--endpoint`. */
  readonly apiUrl: string;
  readonly accessLogGroup: logs.LogGroup;
  /** The dashboard, unless `dashboard: false`. */
  readonly dashboard?: cloudwatch.Dashboard;
  readonly encryptionKey?: kms.IKey;
  /** The `CAIRN_*` environment every Cairn function gets. */
  readonly environment: Readonly<Record<string, string>>;

  /** @internal What workers inherit. */
  readonly _workerDefaults: {
    readonly logRetention: logs.RetentionDays;
    readonly bundling?: CairnBundlingProps;
    readonly alarmActions: readonly cloudwatch.IAlarmAction[];
    readonly tracing: boolean;
  };

  private readonly authorizesWithIam: boolean;
  private readonly registered: Worker[] = [];
  private readonly allAlarms: cloudwatch.Alarm[] = [];
  private readonly workerFunctionNames: Record<string, string> = {};
  private readonly apiRole: iam.IRole;
  private readonly dispatchStatements: iam.PolicyStatement[] = [];
  private readonly deadLetterStatement: iam.PolicyStatement;
  private workerInvokeStatement?: iam.PolicyStatement;
  private readonly engineDashboard?: EngineDashboard;

  constructor(scope: Construct, id: string, props: EngineProps = {}) {
    super(scope, id);
    const settings = validateEngineProps(this, props);
    this.prefix = settings.prefix;
    this.encryptionKey = props.encryptionKey;
    const key = props.encryptionKey;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const alarmActions = props.alarmActions ?? [];
    this._workerDefaults = {
      logRetention,
      bundling: props.bundling,
      alarmActions,
      tracing: props.tracing ?? false,
    };

    // --- state: tables and payload bucket --------------------------------------------------------
    const tableOptions = {
      encryptionKey: key,
      deletionProtection: settings.deletionProtection,
      removalPolicy: settings.removalPolicy,
    };
    this.historyTable = tableFromDefinition(this, 'HistoryTable', HISTORY_TABLE, tableOptions);
    this.executionsTable = tableFromDefinition(this, 'ExecutionsTable', EXECUTIONS_TABLE, tableOptions);
    this.payloadBucket = payloadBucket(this, {
      encryptionKey: key,
      expiration: settings.payloadExpiration,
      removalPolicy: settings.removalPolicy,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
    });

    // --- queues ----------------------------------------------------------------------------------
    const system = queueFromDefinition(this, 'SystemQueue', this.prefix, SYSTEM_QUEUE, key);
    this.systemQueue = system.queue;
    this.systemDeadLetterQueue = system.deadLetterQueue;
    this.routerFailureQueue = failureDestinationQueue(
      this,
      'RouterFailures',
      this.prefix,
      ROUTER_FAILURE_QUEUE,
      key,
    );
    acknowledge(
      this.routerFailureQueue,
      'AwsSolutions-SQS3',
      "This queue is the router's on-failure destination: it already is the dead-letter queue of the " +
        'history stream (records of batches that failed every retry), so a queue behind it would only move them.',
    );

    this.environment = {
      CAIRN_PREFIX: this.prefix,
      CAIRN_HISTORY_TABLE: this.historyTable.tableName,
      CAIRN_EXECUTIONS_TABLE: this.executionsTable.tableName,
      CAIRN_PAYLOAD_BUCKET: this.payloadBucket.bucketName,
      CAIRN_LOG_LEVEL: props.logLevel ?? 'info',
      CAIRN_RETENTION_DAYS: String(settings.retentionDays),
    };
    // Every engine function that starts or dispatches tasks knows the task queues that have a
    // worker, so a start or a task for any other queue fails clearly instead of stalling. (Not the
    // workers: a function's environment cannot name the function itself.)
    const knownWorkers = {
      CAIRN_WORKER_FUNCTIONS: Lazy.string({
        produce: () => Stack.of(this).toJsonString(this.workerFunctionNames),
      }),
    };
    const fn = (fnId: string, entry: EngineFunctionName, { environment, ...shape }: FunctionShape) =>
      new CairnFunction(this, fnId, {
        ...shape,
        source: { code: engineCode(entry) },
        // The function's role names its log lines and its metrics' `service` dimension.
        environment: { ...this.environment, POWERTOOLS_SERVICE_NAME: `cairn-${entry}`, ...environment },
        logRetention,
        tracing: this._workerDefaults.tracing,
      });
    const allPayloads = this.payloadBucket.arnForObjects('payloads/*');
    const payloadReason =
      'Payload object keys are content hashes under payloads/<namespace>/<run>/, unknown until a run ' +
      'writes them; the grant is confined to the payloads/ prefix.';

    // --- API function ----------------------------------------------------------------------------
    const api = fn('ApiFunction', 'api', {
      description: 'Cairn HTTP API: starts, signals, queries and describes workflows',
      // The same settings the local stack hosts the API with (definitions.ts).
      memorySize: API_FUNCTION.memorySize,
      timeout: Duration.seconds(API_FUNCTION.timeoutSeconds),
      reservedConcurrentExecutions: settings.apiReservedConcurrency,
      environment: knownWorkers,
    });
    this.apiFunction = api.function;
    this.apiRole = api.role;
    api.addToRolePolicy(tableStatement(this.historyTable, TABLE_READ_WRITE_ACTIONS));
    api.addToRolePolicy(tableStatement(this.executionsTable, TABLE_READ_WRITE_ACTIONS));
    api.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...INDEX_QUERY_ACTIONS],
        resources: EXECUTIONS_TABLE.globalSecondaryIndexes.map(
          (index) => `${this.executionsTable.tableArn}/index/${index.indexName}`,
        ),
      }),
    );
    api.addToRolePolicy(payloadStatement(allPayloads, true));
    acknowledgeWildcardResource(api.role, allPayloads, payloadReason);
    // A schedule's create or change sends its tick to the system queue; a redrive (`cairn dlq`) sends
    // tasks back to their queues, and routes a router failure's records to any task queue, as workers register.
    const apiDispatch = new iam.PolicyStatement({
      actions: [...QUEUE_SEND_ACTIONS],
      resources: [this.systemQueue.queueArn],
    });
    api.addToRolePolicy(apiDispatch);
    this.dispatchStatements.push(apiDispatch);
    // `cairn dlq list|redrive` reads the dead-letter queues (each worker's, as it registers) and the
    // router's failure destination, and reads the records a router failure names back from the stream.
    this.deadLetterStatement = new iam.PolicyStatement({
      actions: [...DEAD_LETTER_ACTIONS],
      resources: [this.systemDeadLetterQueue.queueArn, this.routerFailureQueue.queueArn],
    });
    api.addToRolePolicy(this.deadLetterStatement);
    api.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...STREAM_READ_ACTIONS],
        resources: [this.historyTable.tableStreamArn!],
      }),
    );

    // --- router: history stream → task queues ----------------------------------------------------
    const router = fn('RouterFunction', 'router', {
      description: 'Cairn router: turns committed history batches into task messages',
      memorySize: 512,
      timeout: Duration.seconds(ROUTER_FUNCTION.timeoutSeconds),
      environment: knownWorkers,
    });
    this.routerFunction = router.function;
    router.function.addEventSource(
      new DynamoEventSource(this.historyTable, {
        startingPosition: lambda.StartingPosition[MAPPINGS.router.startingPosition],
        batchSize: MAPPINGS.router.batchSize,
        maxBatchingWindow: batchingWindow(MAPPINGS.router.maximumBatchingWindowSeconds),
        bisectBatchOnError: MAPPINGS.router.bisectBatchOnError,
        retryAttempts: MAPPINGS.router.maximumRetryAttempts,
        parallelizationFactor: MAPPINGS.router.parallelizationFactor,
        reportBatchItemFailures: MAPPINGS.router.reportBatchItemFailures,
        // Batches the router has nothing to do for (an eager step's) invoke nothing.
        filters: [lambda.FilterCriteria.filter(MAPPINGS.router.filterPattern)],
        onFailure: failureDestination(this.routerFailureQueue),
      }),
    );
    acknowledge(
      router.role,
      'AwsSolutions-IAM5[Resource::*]',
      'dynamodb:ListStreams, which the stream event source mapping needs, has no resource-level ' +
        'permissions (IAM accepts only *); it lists stream ARNs and reads no data.',
    );
    // Overflow chunks of large batches are read from the table, not from the stream record.
    router.addToRolePolicy(tableStatement(this.historyTable, TABLE_READ_ACTIONS));
    // Tasks due beyond SQS's 15-minute delay are parked in the due-time index.
    router.addToRolePolicy(tableStatement(this.executionsTable, ['dynamodb:PutItem'], DUE_INDEX_KEYS));
    router.addToRolePolicy(payloadStatement(allPayloads, false));
    acknowledgeWildcardResource(router.role, allPayloads, payloadReason);

    // --- system queue consumer -------------------------------------------------------------------
    const systemFn = fn('SystemFunction', 'system', {
      description: 'Cairn system tasks: timers, timeouts, child starts, external signals and cancels',
      memorySize: 512,
      // SQS guidance: a queue's visibility timeout is six times its consumer's timeout.
      timeout: Duration.seconds(SYSTEM_QUEUE.visibilityTimeoutSeconds / 6),
      environment: knownWorkers,
    });
    this.systemFunction = systemFn.function;
    systemFn.function.addEventSource(
      new SqsEventSource(this.systemQueue, {
        batchSize: MAPPINGS.systemTasks.batchSize,
        maxBatchingWindow: batchingWindow(MAPPINGS.systemTasks.maximumBatchingWindowSeconds),
        reportBatchItemFailures: MAPPINGS.systemTasks.reportBatchItemFailures,
      }),
    );
    systemFn.addToRolePolicy(tableStatement(this.historyTable, TABLE_READ_WRITE_ACTIONS));
    systemFn.addToRolePolicy(tableStatement(this.executionsTable, TABLE_READ_WRITE_ACTIONS));
    systemFn.addToRolePolicy(payloadStatement(allPayloads, true));
    acknowledgeWildcardResource(systemFn.role, allPayloads, payloadReason);

    // --- sweeper: due-time index → queues, every minute ------------------------------------------
    const sweeper = fn('SweeperFunction', 'sweeper', {
      description: 'Cairn sweeper: hands tasks parked in the due-time index to their queues',
      memorySize: 256,
      // Finish before the next minute's run starts.
      timeout: Duration.seconds(50),
      // The next minute's sweep finds whatever a failed one left in the index, so it needs no retry.
      retryAttempts: 0,
      environment: knownWorkers,
    });
    this.sweeperFunction = sweeper.function;
    sweeper.addToRolePolicy(tableStatement(this.executionsTable, DUE_INDEX_ACTIONS, DUE_INDEX_KEYS));
    this.sweeperSchedule = new events.Rule(this, 'SweeperSchedule', {
      description: 'Runs the Cairn sweeper every minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(sweeper.function, { retryAttempts: 0 })],
    });

    // Every function that dispatches may send to the system queue and, as workers register, to
    // their task queues (a child workflow or a timer can target any task queue).
    for (const dispatcher of [router, systemFn, sweeper]) {
      const statement = new iam.PolicyStatement({
        actions: [...QUEUE_SEND_ACTIONS],
        resources: [this.systemQueue.queueArn],
      });
      dispatcher.addToRolePolicy(statement);
      this.dispatchStatements.push(statement);
    }
    if (key) {
      api.addToRolePolicy(keyStatement(key, true));
      router.addToRolePolicy(keyStatement(key, true));
      systemFn.addToRolePolicy(keyStatement(key, true));
      sweeper.addToRolePolicy(keyStatement(key, true));
    }

    // --- HTTP API --------------------------------------------------------------------------------
    const http = engineHttpApi(this, {
      prefix: this.prefix,
      apiFunction: api.function,
      authorization: props.authorization,
      logRetention,
      throttle: settings.apiThrottle,
    });
    this.authorizesWithIam = http.authorizesWithIam;
    this.httpApi = http.httpApi;
    this.accessLogGroup = http.accessLogGroup;
    this.apiStage = http.stage;
    this.apiUrl = this.apiStage.url;

    // --- alarms and dashboard --------------------------------------------------------------------
    this.allAlarms.push(
      deadLetterAlarm(
        this,
        'SystemDeadLettersAlarm',
        this.systemDeadLetterQueue,
        'The system DLQ',
        alarmActions,
      ),
      deadLetterAlarm(
        this,
        'RouterFailuresAlarm',
        this.routerFailureQueue,
        "The router's failure destination",
        alarmActions,
      ),
      iteratorAgeAlarm(
        this,
        'RouterIteratorAgeAlarm',
        router.function,
        settings.iteratorAgeAlarmThreshold,
        alarmActions,
      ),
      ...functionAlarms(this, 'ApiFunction', api.function, 'The API function', alarmActions),
      ...functionAlarms(this, 'RouterFunction', router.function, 'The router', alarmActions),
      ...functionAlarms(this, 'SystemFunction', systemFn.function, 'The system function', alarmActions),
      ...functionAlarms(this, 'SweeperFunction', sweeper.function, 'The sweeper', alarmActions),
    );
    if (props.dashboard ?? true) {
      this.engineDashboard = new EngineDashboard(this, 'Dashboard', {
        engine: this.prefix,
        api: this.httpApi,
        router: router.function,
        functions: {
          api: api.function,
          router: router.function,
          system: systemFn.function,
          sweeper: sweeper.function,
        },
        queues: { system: this.systemQueue },
        deadLetterQueues: {
          'system DLQ': this.systemDeadLetterQueue,
          'router failures': this.routerFailureQueue,
        },
      });
      this.dashboard = this.engineDashboard.dashboard;
    }
  }

  /** Every alarm: the engine's and its workers'. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return this.allAlarms;
  }

  /** The workers registered with this engine. */
  get workers(): readonly Worker[] {
    return this.registered;
  }

  /**
   * Adds the worker of one task queue: a function bundling `entry` (which exports
   * `handler = createWorker({ taskQueue, workflows, activities })`) and its queues.
   *
   * @example
   * engine.addWorker('Loans', { taskQueue: 'loans', entry: 'src/loans/worker.ts', memorySize: 2048 });
   */
  addWorker(id: string, options: WorkerOptions): Worker {
    return new Worker(this, id, { ...options, engine: this });
  }

  /**
   * Lets `grantee` start workflows in `namespace` (SigV4 calls to `POST /v1/namespaces/<ns>/workflows`).
   *
   * @example
   * engine.grantStart(checkoutFunction, 'shop');
   */
  grantStart(grantee: iam.IGrantable, namespace = 'default'): iam.Grant {
    this.checkNamespace('grantStart', namespace);
    return this.grantRoutes('grantStart', grantee, [['POST', `/v1/namespaces/${namespace}/workflows`]]);
  }

  /**
   * Lets `grantee` read workflows in `namespace`: list, describe, history, results and queries; and
   * list and describe its schedules.
   *
   * @example
   * engine.grantRead(dashboardRole);
   */
  grantRead(grantee: iam.IGrantable, namespace = 'default'): iam.Grant {
    this.checkNamespace('grantRead', namespace);
    const workflows = `/v1/namespaces/${namespace}/workflows`;
    const schedules = `/v1/namespaces/${namespace}/schedules`;
    return this.grantRoutes('grantRead', grantee, [
      ['GET', workflows],
      ['GET', `${workflows}/*`],
      ['GET', schedules],
      ['GET', `${schedules}/*`],
      ['POST', `${workflows}/*/queries/*`],
      // Result polls of many runs in one request (what the client's `result()` sends).
      ['POST', `/v1/namespaces/${namespace}/workflow-results`],
      ['GET', '/v1/openapi.json'],
    ]);
  }

  /**
   * Lets `grantee` call every route in every namespace (operators, the `cairn` CLI, the web UI).
   *
   * @example
   * engine.grantFullAccess(iam.Role.fromRoleName(stack, 'Ops', 'cairn-operators'));
   */
  grantFullAccess(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes('grantFullAccess', grantee, [['*', '/*']]);
  }

  /** The router's lag behind the history stream (IteratorAge, maximum). */
  metricRouterIteratorAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.routerFunction.metric('IteratorAge', { statistic: 'Maximum', ...props });
  }

  /** Messages waiting in the system queue (timers and timeouts due now). */
  metricSystemBacklog(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.systemQueue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** API requests answered with a 5xx. */
  metricApiServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.httpApi.metricServerError(props);
  }

  /**
   * @internal Called by each Worker's constructor: lets the API invoke it, lets the dispatching
   * functions send to its queues, and adds it to the dashboard and the alarms.
   */
  _registerWorker(worker: Worker): void {
    this.registered.push(worker);
    this.workerFunctionNames[worker.taskQueue] = worker.function.functionName;
    if (!this.workerInvokeStatement) {
      this.workerInvokeStatement = new iam.PolicyStatement({ actions: [...WORKER_INVOKE_ACTIONS] });
      this.apiRole.addToPrincipalPolicy(this.workerInvokeStatement);
    }
    this.workerInvokeStatement.addResources(worker.function.functionArn);
    for (const statement of this.dispatchStatements) {
      statement.addResources(worker.workflowQueue.queueArn, worker.activityQueue.queueArn);
    }
    this.deadLetterStatement.addResources(
      worker.workflowDeadLetterQueue.queueArn,
      worker.activityDeadLetterQueue.queueArn,
    );
    this.allAlarms.push(...worker.alarms);
    const dashboard = this.engineDashboard;
    if (dashboard) {
      dashboard.addFunction(`worker ${worker.taskQueue}`, worker.function);
      dashboard.addQueue(`workflow tasks ${worker.taskQueue}`, worker.workflowQueue);
      dashboard.addQueue(`activity tasks ${worker.taskQueue}`, worker.activityQueue);
      dashboard.addDeadLetterQueue(`workflow DLQ ${worker.taskQueue}`, worker.workflowDeadLetterQueue);
      dashboard.addDeadLetterQueue(`activity DLQ ${worker.taskQueue}`, worker.activityDeadLetterQueue);
    }
  }

  private checkNamespace(method: string, namespace: string): void {
    if (!NAMESPACE_PATTERN.test(namespace)) {
      throw new CairnPropsError(
        this,
        'Engine',
        `${method}: namespace '${namespace}' must match ${NAMESPACE_PATTERN} (no '#', '*' or '/')`,
      );
    }
  }

  private grantRoutes(method: string, grantee: iam.IGrantable, routes: readonly ApiRoute[]): iam.Grant {
    if (!this.authorizesWithIam) {
      throw new CairnPropsError(
        this,
        'Engine',
        `${method} needs IAM authorization on the API; with a JWT authorizer the token's scopes decide access`,
      );
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...API_INVOKE_ACTIONS],
      resourceArns: routeArns(this.httpApi, this.apiStage, routes),
    });
  }
}

/** What differs between the engine's four functions. */
interface FunctionShape {
  description: string;
  memorySize: number;
  timeout: Duration;
  environment?: Record<string, string>;
  retryAttempts?: number;
  reservedConcurrentExecutions?: number;
}

function payloadStatement(resource: string, write: boolean): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...PAYLOAD_READ_ACTIONS, ...(write ? PAYLOAD_WRITE_ACTIONS : [])],
    resources: [resource],
  });
}
