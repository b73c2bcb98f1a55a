/**
 * The engine's custom metrics, shared by the runtime that emits them (CloudWatch Embedded Metric
 * Format, through Powertools Metrics) and the Engine's dashboard that graphs them, so the two
 * cannot drift. Plain data: the CDK constructs import it as they import `definitions.ts`.
 */
export const METRICS_NAMESPACE = 'Cairn';

/** Counts: how many of a thing happened. */
export const COUNT_METRICS = {
  workflowsStarted: 'WorkflowsStarted',
  workflowsCompleted: 'WorkflowsCompleted',
  workflowsFailed: 'WorkflowsFailed',
  workflowsTimedOut: 'WorkflowsTimedOut',
  workflowsCanceled: 'WorkflowsCanceled',
  workflowsTerminated: 'WorkflowsTerminated',
  workflowsContinuedAsNew: 'WorkflowsContinuedAsNew',
  activityRetries: 'ActivityRetries',
  deadLetters: 'DeadLetters',
  /** An activity attempt a worker started: taken from its queue (`StartKind=queued`) or eagerly, by the worker that scheduled it (`StartKind=eager`). */
  activityStarts: 'ActivityStarts',
} as const;

/** Timings, in milliseconds. */
export const TIMING_METRICS = {
  /** From a workflow task's pickup to its commit (load history, replay, append). */
  workflowTaskLatency: 'WorkflowTaskLatency',
  /** From an activity attempt's scheduled (or retry due) time to its start on a worker. */
  activityScheduleToStartLatency: 'ActivityScheduleToStartLatency',
} as const;

export type CountMetric = (typeof COUNT_METRICS)[keyof typeof COUNT_METRICS];
export type TimingMetric = (typeof TIMING_METRICS)[keyof typeof TIMING_METRICS];

/**
 * Dimensions stay low-cardinality (each distinct set is a CloudWatch metric, billed monthly):
 * task queue, workflow type, activity type and the like; never a workflow id or run id.
 */
export type MetricDimensions = Readonly<Record<string, string>>;
