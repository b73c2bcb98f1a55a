import { Lazy, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CairnBundlingProps } from './bundling.ts';
import type { EngineDashboard } from './dashboard.ts';
import {
  ALL_ROUTES,
  type ApiRoute,
  engineHttpApi,
  readRoutes,
  routeArns,
  startRoutes,
} from './engine-api.ts';
import { engineFunctions } from './engine-functions.ts';
import { engineAlarms, engineDashboard } from './engine-monitoring.ts';
import { type EngineProps, validateEngineProps } from './engine-props.ts';
import { engineState } from './engine-state.ts';
import { API_INVOKE_ACTIONS, WORKER_INVOKE_ACTIONS } from './perms.ts';
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
  private readonly dispatchStatements: iam.PolicyStatement[];
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

    const state = engineState(this, {
      settings,
      encryptionKey: key,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
    });
    this.historyTable = state.historyTable;
    this.executionsTable = state.executionsTable;
    this.payloadBucket = state.payloadBucket;
    this.systemQueue = state.systemQueue;
    this.systemDeadLetterQueue = state.systemDeadLetterQueue;
    this.routerFailureQueue = state.routerFailureQueue;

    this.environment = {
      CAIRN_PREFIX: this.prefix,
      CAIRN_HISTORY_TABLE: this.historyTable.tableName,
      CAIRN_EXECUTIONS_TABLE: this.executionsTable.tableName,
      CAIRN_PAYLOAD_BUCKET: this.payloadBucket.bucketName,
      CAIRN_LOG_LEVEL: props.logLevel ?? 'info',
      CAIRN_RETENTION_DAYS: String(settings.retentionDays),
    };
    const functions = engineFunctions(this, {
      state,
      environment: this.environment,
      // Every engine function that starts or dispatches tasks knows the task queues that have a
      // worker, so a start or a task for any other queue fails clearly instead of stalling. (Not the
      // workers: a function's environment cannot name the function itself.)
      knownWorkers: {
        CAIRN_WORKER_FUNCTIONS: Lazy.string({
          produce: () => Stack.of(this).toJsonString(this.workerFunctionNames),
        }),
      },
      logRetention,
      tracing: this._workerDefaults.tracing,
      apiReservedConcurrency: settings.apiReservedConcurrency,
      encryptionKey: key,
    });
    this.apiFunction = functions.api.function;
    this.apiRole = functions.api.role;
    this.routerFunction = functions.router.function;
    this.systemFunction = functions.system.function;
    this.sweeperFunction = functions.sweeper.function;
    this.sweeperSchedule = functions.sweeperSchedule;
    this.dispatchStatements = functions.dispatchStatements;
    this.deadLetterStatement = functions.deadLetterStatement;

    const http = engineHttpApi(this, {
      prefix: this.prefix,
      apiFunction: this.apiFunction,
      authorization: props.authorization,
      logRetention,
      throttle: settings.apiThrottle,
    });
    this.authorizesWithIam = http.authorizesWithIam;
    this.httpApi = http.httpApi;
    this.accessLogGroup = http.accessLogGroup;
    this.apiStage = http.stage;
    this.apiUrl = this.apiStage.url;

    this.allAlarms.push(
      ...engineAlarms(this, {
        state,
        functions,
        iteratorAgeAlarmThreshold: settings.iteratorAgeAlarmThreshold,
        alarmActions,
      }),
    );
    if (props.dashboard ?? true) {
      this.engineDashboard = engineDashboard(this, {
        prefix: this.prefix,
        httpApi: this.httpApi,
        state,
        functions,
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
    return this.grantRoutes('grantStart', grantee, startRoutes(namespace));
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
    return this.grantRoutes('grantRead', grantee, readRoutes(namespace));
  }

  /**
   * Lets `grantee` call every route in every namespace (operators, the `cairn` CLI, the web UI).
   *
   * @example
   * engine.grantFullAccess(iam.Role.fromRoleName(stack, 'Ops', 'cairn-operators'));
   */
  grantFullAccess(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes('grantFullAccess', grantee, ALL_ROUTES);
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
