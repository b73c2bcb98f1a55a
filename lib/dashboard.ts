import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { COUNT_METRICS, METRICS_NAMESPACE, TIMING_METRICS } from '../sdk/backend/metric-definitions.ts';

const PERIOD = Duration.minutes(1);

/** What the dashboard shows of the engine itself; workers are added as they register. */
export interface EngineDashboardProps {
  /** The engine's prefix: the `Engine` dimension of the metrics its handlers emit (EMF). */
  engine: string;
  api: apigwv2.IHttpApi;
  router: lambda.IFunction;
  functions: Record<string, lambda.IFunction>;
  queues: Record<string, sqs.IQueue>;
  deadLetterQueues: Record<string, sqs.IQueue>;
}

/**
 * One CloudWatch dashboard per engine: API traffic, every function's invocations, errors,
 * throttles and duration, the router's lag behind the stream, queue backlogs and dead letters.
 */
export class EngineDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  private readonly invocations: cloudwatch.GraphWidget;
  private readonly errors: cloudwatch.GraphWidget;
  private readonly throttles: cloudwatch.GraphWidget;
  private readonly duration: cloudwatch.GraphWidget;
  private readonly backlog: cloudwatch.GraphWidget;
  private readonly oldest: cloudwatch.GraphWidget;
  private readonly deadLetters: cloudwatch.GraphWidget;

  constructor(scope: Construct, id: string, props: EngineDashboardProps) {
    super(scope, id);
    const graph = (title: string) => new cloudwatch.GraphWidget({ title, width: 8, height: 6 });
    this.invocations = graph('Invocations');
    this.errors = graph('Errors');
    this.throttles = graph('Throttles');
    this.duration = graph('Duration (p99)');
    this.backlog = graph('Task backlog (visible messages)');
    this.oldest = graph('Oldest task (seconds)');
    this.deadLetters = graph('Dead letters');
    for (const [label, fn] of Object.entries(props.functions)) this.addFunction(label, fn);
    for (const [label, queue] of Object.entries(props.queues)) this.addQueue(label, queue);
    for (const [label, queue] of Object.entries(props.deadLetterQueues))
      this.addDeadLetterQueue(label, queue);

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'API requests',
            width: 12,
            height: 6,
            left: [
              props.api.metricCount({ period: PERIOD, label: 'requests' }),
              props.api.metricClientError({ period: PERIOD, label: '4xx' }),
              props.api.metricServerError({ period: PERIOD, label: '5xx' }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'API latency (p99, ms)',
            width: 6,
            height: 6,
            left: [props.api.metricLatency({ period: PERIOD, statistic: 'p99', label: 'latency' })],
          }),
          new cloudwatch.GraphWidget({
            title: 'Router lag behind history (ms)',
            width: 6,
            height: 6,
            left: [
              props.router.metric('IteratorAge', {
                period: PERIOD,
                statistic: 'Maximum',
                label: 'iterator age',
              }),
            ],
          }),
        ],
        [this.invocations, this.errors, this.throttles],
        [this.duration, this.backlog, this.oldest],
        [this.deadLetters],
        [
          emfGraph(props.engine, 'Workflows started and closed', 'Sum', [
            COUNT_METRICS.workflowsStarted,
            COUNT_METRICS.workflowsCompleted,
            COUNT_METRICS.workflowsFailed,
            COUNT_METRICS.workflowsTimedOut,
            COUNT_METRICS.workflowsCanceled,
            COUNT_METRICS.workflowsTerminated,
          ]),
          emfGraph(props.engine, 'Latency (p99, ms)', 'p99', [
            TIMING_METRICS.workflowTaskLatency,
            TIMING_METRICS.activityScheduleToStartLatency,
          ]),
          emfGraph(props.engine, 'Activity starts (queued and eager), retries, dead letters', 'Sum', [
            COUNT_METRICS.activityStarts,
            COUNT_METRICS.activityRetries,
            COUNT_METRICS.deadLetters,
          ]),
        ],
      ],
    });
  }

  addFunction(label: string, fn: lambda.IFunction): void {
    this.invocations.addLeftMetric(fn.metricInvocations({ period: PERIOD, label }));
    this.errors.addLeftMetric(fn.metricErrors({ period: PERIOD, label }));
    this.throttles.addLeftMetric(fn.metricThrottles({ period: PERIOD, label }));
    this.duration.addLeftMetric(fn.metricDuration({ period: PERIOD, statistic: 'p99', label }));
  }

  addQueue(label: string, queue: sqs.IQueue): void {
    this.backlog.addLeftMetric(queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, label }));
    this.oldest.addLeftMetric(queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, label }));
  }

  addDeadLetterQueue(label: string, queue: sqs.IQueue): void {
    this.deadLetters.addLeftMetric(
      queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label }),
    );
  }
}

/**
 * A graph of the engine's own metrics (EMF, namespace Cairn), one line per dimension set (task
 * queue, workflow or activity type): a search, since those values are known only at run time.
 */
function emfGraph(engine: string, title: string, statistic: string, names: readonly string[]) {
  return new cloudwatch.GraphWidget({
    title,
    width: 8,
    height: 6,
    left: names.map(
      (name) =>
        new cloudwatch.MathExpression({
          expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${name}" Engine="${engine}"', '${statistic}', ${PERIOD.toSeconds()})`,
          label: name,
          period: PERIOD,
          usingMetrics: {},
        }),
    ),
  });
}
