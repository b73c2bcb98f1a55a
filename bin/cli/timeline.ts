import type { HistoryEvent } from '../../sdk/engine/events.ts';

function preview(data: string, max = 60): string {
  const flat = data.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function payloadText(payload: { metadata: Record<string, string>; data: string } | undefined): string {
  if (!payload) return '';
  if (payload.metadata.encoding === 'json/plain') return preview(payload.data);
  if (payload.metadata.encoding === 'binary/null') return 'undefined';
  return `<${payload.metadata.encoding}>`;
}

function offset(ms: number): string {
  if (ms < 1000) return `+${ms}ms`;
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  const parts: string[] = [];
  let rest = ms;
  for (const [size, label] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${label}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return `+${parts.join('')}`;
}

/** What a reader wants to see of an event, beside its type. */
function details(event: HistoryEvent): string {
  switch (event.type) {
    case 'WorkflowExecutionStarted':
      return `${event.workflowType}(${event.input.map((p) => payloadText(p)).join(', ')}) on ${event.taskQueue}`;
    case 'ActivityTaskScheduled':
      return `${event.activityType}(${event.input.map((p) => payloadText(p)).join(', ')})`;
    case 'ActivityTaskStarted':
      return `attempt ${event.attempt}`;
    case 'ActivityTaskCompleted':
      return `→ ${payloadText(event.result)}`;
    case 'ActivityTaskFailed':
    case 'ActivityTaskTimedOut':
      return `attempt ${event.attempt}: ${event.failure.message}${event.retryState === 'InProgress' ? `; retry at +${(event.nextAttemptTime ?? event.eventTime) - event.eventTime}ms` : ` (${event.retryState})`}`;
    case 'TimerStarted':
      return `${offset(event.durationMs).slice(1)}`;
    case 'WorkflowExecutionSignaled':
      return `${event.signalName}(${event.input.map((p) => payloadText(p)).join(', ')})`;
    case 'WorkflowExecutionCompleted':
      return `→ ${payloadText(event.result)}`;
    case 'WorkflowExecutionFailed':
    case 'WorkflowTaskFailed':
      return event.failure.message;
    case 'WorkflowExecutionUpdateAccepted':
      return event.updateName;
    case 'StartChildWorkflowExecutionInitiated':
      return `${event.workflowType} ${event.workflowId}`;
    case 'WorkflowExecutionTerminated':
      return event.reason ?? '';
    default:
      return '';
  }
}

/** Renders a history as a readable timeline, one event a line, times relative to the start. */
export function formatTimeline(events: readonly HistoryEvent[]): string {
  const start = events[0]?.eventTime ?? 0;
  return events
    .map((event) => {
      const id = String(event.eventId).padStart(4);
      const at = offset(event.eventTime - start).padStart(8);
      return `${id} ${at}  ${event.type.padEnd(40)} ${details(event)}`.trimEnd();
    })
    .join('\n');
}
