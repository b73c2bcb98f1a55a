import { COUNT_METRICS, type CountMetric } from '../backend/metric-definitions.ts';
import type { CommittedBatch } from '../backend/ports.ts';
import type { MetricsPort } from './metrics.ts';

/**
 * The run-level facts a committed batch records, as metrics: a run started (by a client, a parent
 * or a continue-as-new) or closed, an activity attempt failed and will be retried. Reported by the
 * store's `committed` hook in whichever function made the commit (API, worker, timer, terminate),
 * once per commit that succeeded: the router no longer sees every commit (most are marked idle
 * for it), and a commit that lost its race is no fact.
 */
export function reportCommittedBatch(metrics: MetricsPort, batch: CommittedBatch): void {
  const run = { TaskQueue: batch.taskQueue, WorkflowType: batch.state.workflowType };
  const count = (name: CountMetric) => metrics.count(name, 1, run);
  for (const event of batch.events) {
    switch (event.type) {
      case 'WorkflowExecutionStarted':
        count(COUNT_METRICS.workflowsStarted);
        break;
      case 'WorkflowExecutionCompleted':
        count(COUNT_METRICS.workflowsCompleted);
        break;
      case 'WorkflowExecutionFailed':
        count(COUNT_METRICS.workflowsFailed);
        break;
      case 'WorkflowExecutionTimedOut':
        count(COUNT_METRICS.workflowsTimedOut);
        break;
      case 'WorkflowExecutionCanceled':
        count(COUNT_METRICS.workflowsCanceled);
        break;
      case 'WorkflowExecutionTerminated':
        count(COUNT_METRICS.workflowsTerminated);
        break;
      case 'WorkflowExecutionContinuedAsNew':
        count(COUNT_METRICS.workflowsContinuedAsNew);
        break;
      case 'ActivityTaskFailed':
      case 'ActivityTaskTimedOut':
        if (event.retryState === 'InProgress') {
          const activity = batch.state.activities[event.scheduledEventId];
          metrics.count(COUNT_METRICS.activityRetries, 1, {
            TaskQueue: activity?.taskQueue ?? batch.taskQueue,
            ActivityType: activity?.activityType ?? 'unknown',
          });
        }
        break;
      default:
        // Every other event is no run-level fact worth a metric.
        break;
    }
  }
}
