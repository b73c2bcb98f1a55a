import { formatDuration, formatTime } from './format.ts';
import type { FailureInfo, HistoryEvent } from './wire.ts';

/** One stretch of a bar: an attempt that ran, the wait before a retry, a timer, a child run. */
export interface Segment {
  start: number;
  /** Absent while it is still open (the bar runs to the timeline's end). */
  end?: number;
  state: 'ran' | 'failed' | 'completed' | 'waiting' | 'canceled' | 'open';
  label: string;
}

/** One row of the timeline: an activity with all its attempts, a timer, a child, an update. */
export interface TimelineRow {
  kind: 'activity' | 'timer' | 'child' | 'update';
  /** The event that opened it (e.g. ActivityTaskScheduled). */
  eventId: number;
  name: string;
  outcome: 'completed' | 'failed' | 'canceled' | 'timed out' | 'fired' | 'open';
  segments: Segment[];
  /** What a reader of the bar should know: each failed attempt and when the next one is due. */
  notes: string[];
  /** When a timer fires. */
  due?: number;
  /** A child run's ids, for a link. */
  child?: { workflowId: string; runId?: string };
}

/** Point events on the timeline (signals, cancel requests, workflow-task failures). */
export interface TimelineMark {
  eventId: number;
  time: number;
  label: string;
}

export interface Timeline {
  start: number;
  rows: TimelineRow[];
  marks: TimelineMark[];
}

const message = (failure: FailureInfo) => `${failure.type ? `${failure.type}: ` : ''}${failure.message}`;

/** Bars over time from a run's history: what ran when, each retry and each wait between them. */
export function buildTimeline(events: HistoryEvent[]): Timeline {
  const rows = new Map<number, TimelineRow>();
  const marks: TimelineMark[] = [];
  const updates = new Map<string, TimelineRow>();
  const openSegment = (row: TimelineRow) => {
    const last = row.segments[row.segments.length - 1];
    return last && last.end === undefined ? last : undefined;
  };
  const close = (row: TimelineRow, time: number, state: Segment['state'], label?: string) => {
    const segment = openSegment(row);
    if (segment) {
      segment.end = time;
      segment.state = state;
      if (label) segment.label = label;
    }
  };
  for (const event of events) {
    switch (event.type) {
      case 'ActivityTaskScheduled':
        rows.set(event.eventId, {
          kind: 'activity',
          eventId: event.eventId,
          name: event.activityType,
          outcome: 'open',
          segments: [{ start: event.eventTime, state: 'open', label: 'attempt 1' }],
          notes: [],
        });
        break;
      case 'ActivityTaskStarted': {
        const row = rows.get(event.scheduledEventId);
        const segment = row && openSegment(row);
        // The wait before a retry ends when the next attempt starts.
        if (segment?.state === 'waiting') {
          segment.end = event.eventTime;
          row!.segments.push({ start: event.eventTime, state: 'open', label: `attempt ${event.attempt}` });
        }
        break;
      }
      case 'ActivityTaskFailed':
      case 'ActivityTaskTimedOut': {
        const row = rows.get(event.scheduledEventId);
        if (!row) break;
        const what = event.type === 'ActivityTaskTimedOut' ? `timed out (${event.timeoutType})` : 'failed';
        close(row, event.eventTime, 'failed', `attempt ${event.attempt} ${what}`);
        const retry = event.nextAttemptTime;
        row.notes.push(
          `attempt ${event.attempt} ${what}: ${message(event.failure)}${
            retry === undefined ? ` (${event.retryState})` : ` · next retry at ${formatTime(retry)}`
          }`,
        );
        if (retry !== undefined) {
          row.segments.push({
            start: event.eventTime,
            end: retry,
            state: 'waiting',
            label: 'waiting to retry',
          });
          row.segments.push({ start: retry, state: 'open', label: `attempt ${event.attempt + 1}` });
        } else {
          row.outcome = event.type === 'ActivityTaskTimedOut' ? 'timed out' : 'failed';
        }
        break;
      }
      case 'ActivityTaskCompleted': {
        const row = rows.get(event.scheduledEventId);
        if (!row) break;
        close(row, event.eventTime, 'completed', `attempt ${event.attempt} completed`);
        row.outcome = 'completed';
        break;
      }
      case 'ActivityTaskCanceled': {
        const row = rows.get(event.scheduledEventId);
        if (!row) break;
        close(row, event.eventTime, 'canceled', 'canceled');
        row.outcome = 'canceled';
        break;
      }
      case 'TimerStarted':
        rows.set(event.eventId, {
          kind: 'timer',
          eventId: event.eventId,
          name: `timer ${formatDuration(event.durationMs)}`,
          outcome: 'open',
          segments: [
            { start: event.eventTime, state: 'open', label: `fires at ${formatTime(event.fireTime)}` },
          ],
          notes: [],
          due: event.fireTime,
        });
        break;
      case 'TimerFired':
      case 'TimerCanceled': {
        const row = rows.get(event.startedEventId);
        if (!row) break;
        const fired = event.type === 'TimerFired';
        close(row, event.eventTime, fired ? 'completed' : 'canceled', fired ? 'fired' : 'canceled');
        row.outcome = fired ? 'fired' : 'canceled';
        break;
      }
      case 'StartChildWorkflowExecutionInitiated':
        rows.set(event.eventId, {
          kind: 'child',
          eventId: event.eventId,
          name: `child ${event.workflowType}`,
          outcome: 'open',
          segments: [{ start: event.eventTime, state: 'open', label: event.workflowId }],
          notes: [],
          child: { workflowId: event.workflowId },
        });
        break;
      case 'ChildWorkflowExecutionStarted': {
        const row = rows.get(event.initiatedEventId);
        if (row?.child) row.child.runId = event.runId;
        break;
      }
      case 'StartChildWorkflowExecutionFailed':
      case 'ChildWorkflowExecutionCompleted':
      case 'ChildWorkflowExecutionFailed': {
        const row = rows.get(event.initiatedEventId);
        if (!row) break;
        const ok = event.type === 'ChildWorkflowExecutionCompleted';
        close(row, event.eventTime, ok ? 'completed' : 'failed');
        row.outcome = ok ? 'completed' : 'failed';
        if (event.type === 'ChildWorkflowExecutionFailed')
          row.notes.push(`${event.closeStatus}: ${message(event.failure)}`);
        if (event.type === 'StartChildWorkflowExecutionFailed')
          row.notes.push(`could not start: ${event.cause}`);
        break;
      }
      case 'WorkflowExecutionUpdateAccepted': {
        const row: TimelineRow = {
          kind: 'update',
          eventId: event.eventId,
          name: `update ${event.updateName}`,
          outcome: 'open',
          segments: [{ start: event.eventTime, state: 'open', label: event.updateId }],
          notes: [],
        };
        rows.set(event.eventId, row);
        updates.set(event.updateId, row);
        break;
      }
      case 'WorkflowExecutionUpdateCompleted': {
        const row = updates.get(event.updateId);
        if (!row) break;
        const ok = 'result' in event.outcome;
        close(row, event.eventTime, ok ? 'completed' : 'failed');
        row.outcome = ok ? 'completed' : 'failed';
        if ('failure' in event.outcome) row.notes.push(message(event.outcome.failure));
        break;
      }
      case 'WorkflowExecutionSignaled':
        marks.push({ eventId: event.eventId, time: event.eventTime, label: `signal ${event.signalName}` });
        break;
      case 'WorkflowExecutionCancelRequested':
        marks.push({ eventId: event.eventId, time: event.eventTime, label: 'cancel requested' });
        break;
      case 'WorkflowTaskFailed':
        marks.push({
          eventId: event.eventId,
          time: event.eventTime,
          label: `workflow task failed (${event.cause})`,
        });
        break;
      default:
        break;
    }
  }
  return { start: events[0]?.eventTime ?? 0, rows: [...rows.values()], marks };
}
