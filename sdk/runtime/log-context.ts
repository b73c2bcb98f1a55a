/**
 * The keys that tie a log line to a run, named as in Temporal's logs and in the Lambda handlers' JSON
 * (`workflowId`, `runId`, `taskQueue`, `eventId`), so a CloudWatch Logs Insights query such as
 * `filter runId = '…'` finds every line about one run, whichever function wrote it.
 */
export interface RunLogContext {
  workflowId?: string;
  runId?: string;
  taskQueue?: string;
  /** The history event the line is about (a task's scheduled event, a commit's first event). */
  eventId?: number;
}

/**
 * The run's context keys for a log entry's fields, without the ones the call site does not know
 * (an undefined key would print as a noise `null` in some sinks).
 *
 * @example
 * deps.logger('warn', 'workflow task failed', { ...runContext(state), eventId, cause });
 */
export function runContext(context: RunLogContext): RunLogContext {
  const out: RunLogContext = {};
  if (context.workflowId !== undefined) out.workflowId = context.workflowId;
  if (context.runId !== undefined) out.runId = context.runId;
  if (context.taskQueue !== undefined) out.taskQueue = context.taskQueue;
  if (context.eventId !== undefined) out.eventId = context.eventId;
  return out;
}
