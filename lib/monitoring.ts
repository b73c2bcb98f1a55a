import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * The alarms every Cairn deployment has. Each fires on the first occurrence (threshold 1) because
 * each means work that will not finish by itself: a task parked in a dead-letter queue, a function
 * that failed or was throttled. Descriptions say what to do.
 */

const PERIOD = Duration.minutes(5);

function alarmWith(
  scope: Construct,
  id: string,
  actions: readonly cloudwatch.IAlarmAction[],
  props: cloudwatch.AlarmProps,
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, props);
  alarm.addAlarmAction(...actions);
  return alarm;
}

/** Messages visible in a dead-letter queue (or the router's failure destination). */
export function deadLetterAlarm(
  scope: Construct,
  id: string,
  queue: sqs.IQueue,
  what: string,
  actions: readonly cloudwatch.IAlarmAction[],
): cloudwatch.Alarm {
  return alarmWith(scope, id, actions, {
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription:
      `${what} has messages that failed every receive. Read one, fix the cause (see the consumer's ` +
      'logs), then redrive the queue; consumers are idempotent, so a redrive is safe.',
  });
}

/** A function's errors and throttles. */
export function functionAlarms(
  scope: Construct,
  idPrefix: string,
  fn: lambda.IFunction,
  what: string,
  actions: readonly cloudwatch.IAlarmAction[],
): cloudwatch.Alarm[] {
  const common = {
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
  return [
    alarmWith(scope, `${idPrefix}Errors`, actions, {
      ...common,
      metric: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
      alarmDescription: `${what} failed. Its log group has the error; SQS and stream retries keep the work.`,
    }),
    alarmWith(scope, `${idPrefix}Throttles`, actions, {
      ...common,
      metric: fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      alarmDescription:
        `${what} was throttled. Raise its reserved concurrency or the account's concurrency limit; ` +
        'throttled tasks wait in their queue meanwhile.',
    }),
  ];
}

/** The stream's iterator age: how far the router lags behind committed history. */
export function iteratorAgeAlarm(
  scope: Construct,
  id: string,
  router: lambda.IFunction,
  threshold: Duration,
  actions: readonly cloudwatch.IAlarmAction[],
): cloudwatch.Alarm {
  return alarmWith(scope, id, actions, {
    metric: router.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: threshold.toMilliseconds(),
    evaluationPeriods: 3,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription:
      `The router is more than ${threshold.toHumanString()} behind the history stream: workflows are ` +
      'committed but their next tasks are late. Check the router for errors or throttles.',
  });
}
