import { CLOSE_EVENT_TYPES, type HistoryEvent } from '../engine/events.ts';

/**
 * Checks what must hold of every history, whatever happened to the run: gap-free event ids from 1,
 * a start event first, each activity, timer, child, external request and update resolved at most
 * once, nothing after a close event, and at most one close event. Returns the violations found.
 */
export function checkHistoryInvariants(events: readonly HistoryEvent[]): string[] {
  const problems: string[] = [];
  const resolved = new Map<string, number>();
  const resolve = (key: string, eventId: number) => {
    const previous = resolved.get(key);
    if (previous !== undefined) problems.push(`${key} resolved twice (events ${previous} and ${eventId})`);
    else resolved.set(key, eventId);
  };
  const opened = new Set<string>();
  let closeEventId: number | undefined;
  events.forEach((event, index) => {
    if (event.eventId !== index + 1) problems.push(`event at position ${index + 1} has id ${event.eventId}`);
    if (index === 0 && event.type !== 'WorkflowExecutionStarted')
      problems.push('history does not begin with WorkflowExecutionStarted');
    if (closeEventId !== undefined)
      problems.push(`event ${event.eventId} (${event.type}) follows the close event ${closeEventId}`);
    switch (event.type) {
      case 'ActivityTaskScheduled':
      case 'TimerStarted':
      case 'StartChildWorkflowExecutionInitiated':
      case 'SignalExternalWorkflowExecutionInitiated':
      case 'RequestCancelExternalWorkflowExecutionInitiated':
        opened.add(`${event.type}#${event.eventId}`);
        break;
      case 'ActivityTaskCompleted':
      case 'ActivityTaskCanceled':
        resolve(`activity ${event.scheduledEventId}`, event.eventId);
        break;
      case 'ActivityTaskFailed':
      case 'ActivityTaskTimedOut':
        if (event.retryState !== 'InProgress') resolve(`activity ${event.scheduledEventId}`, event.eventId);
        break;
      case 'TimerFired':
      case 'TimerCanceled':
        resolve(`timer ${event.startedEventId}`, event.eventId);
        break;
      case 'ChildWorkflowExecutionCompleted':
      case 'ChildWorkflowExecutionFailed':
      case 'StartChildWorkflowExecutionFailed':
        resolve(`child ${event.initiatedEventId}`, event.eventId);
        break;
      case 'ExternalWorkflowExecutionSignaled':
      case 'SignalExternalWorkflowExecutionFailed':
      case 'ExternalWorkflowExecutionCancelRequested':
      case 'RequestCancelExternalWorkflowExecutionFailed':
        resolve(`external ${event.initiatedEventId}`, event.eventId);
        break;
      case 'WorkflowExecutionUpdateRejected':
        // An admitted update is decided once: accepted or rejected.
        resolve(`update ${event.updateId} accepted`, event.eventId);
        break;
      case 'WorkflowExecutionUpdateAccepted':
        resolve(`update ${event.updateId} accepted`, event.eventId);
        break;
      case 'WorkflowExecutionUpdateCompleted':
        resolve(`update ${event.updateId} completed`, event.eventId);
        break;
      default:
        if ((CLOSE_EVENT_TYPES as readonly string[]).includes(event.type)) closeEventId = event.eventId;
    }
    const refersTo =
      'scheduledEventId' in event && event.type.startsWith('ActivityTask')
        ? `ActivityTaskScheduled#${event.scheduledEventId}`
        : 'startedEventId' in event
          ? `TimerStarted#${event.startedEventId}`
          : undefined;
    if (refersTo && !opened.has(refersTo))
      problems.push(
        `event ${event.eventId} (${event.type}) refers to ${refersTo}, which does not precede it`,
      );
  });
  return problems;
}
