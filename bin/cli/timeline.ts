import type { FailureInfo } from 'cairnflow/common';
import type { HistoryEvent } from '../../sdk/engine/events.ts';

/** Longest cause chain printed; a chain longer than this is cut with a note. */
const MAX_CAUSES = 20;

/** What a failure is, beyond its message: its class and type, the activity or child it came from. */
function failureLabel(failure: {
  name?: string;
  kind?: string;
  type?: string;
  activityType?: string;
  workflowType?: string;
  workflowId?: string;
  retryState?: string;
}): string {
  const name = failure.name ?? failure.kind ?? 'Error';
  const facts = [
    failure.type,
    failure.activityType && `activity ${failure.activityType}`,
    failure.workflowType && `child ${failure.workflowType} ${failure.workflowId ?? ''}`.trim(),
    failure.retryState && failure.retryState !== 'InProgress' ? failure.retryState : undefined,
  ].filter(Boolean);
  return facts.length ? `${name} (${facts.join(', ')})` : name;
}

/**
 * An error and its whole cause chain, one line each, for a terminal:
 * `WorkflowFailedError: … / caused by ActivityFailure (activity checkCredit, …): … / caused by …`.
 */
export function formatFailureChain(error: unknown, firstPrefix = ''): string {
  if (!(error instanceof Error)) return `${firstPrefix}${String(error)}`;
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error; depth++) {
    if (depth === MAX_CAUSES) {
      lines.push(`${'  '.repeat(depth)}caused by … (more causes not shown)`);
      break;
    }
    const label = depth === 0 ? current.name : failureLabel(current);
    const prefix = depth === 0 ? firstPrefix : `${'  '.repeat(depth)}caused by `;
    lines.push(`${prefix}${label}: ${current.message}`);
    current = current.cause;
  }
  return lines.join('\n');
}

/** A stored failure with its causes, on one line (`message ← cause ← …`). */
function failureText(info: FailureInfo): string {
  const parts: string[] = [info.message];
  for (let cause = info.cause, n = 0; cause && n < MAX_CAUSES; cause = cause.cause, n++) {
    parts.push(`${cause.type ? `${cause.type}: ` : ''}${cause.message}`);
  }
  return parts.join(' ← ');
}

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
      return failureText(event.failure);
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
