import { type Command, describeCommand } from './commands.ts';
import type { EventBody, HistoryEvent } from './events.ts';
import type { RunState } from './run-state.ts';

/** Finds the id of an open item in a state map by the seq of the command that opened it. */
function idBySeq(items: Record<string, { seq: number }>, seq: number): number | undefined {
  for (const [id, item] of Object.entries(items)) if (item.seq === seq) return Number(id);
  return undefined;
}

/** The workflow code only cancels what it still holds open, so a miss here is an engine bug. */
function notOpen(command: Command): Error {
  return new Error(`${describeCommand(command)} refers to nothing open in the run's state`);
}

/**
 * Turns a workflow task's commands into the event bodies to append. `state` must already include
 * the events of this batch that precede the command (so a timer started and cancelled in the same
 * task finds its started event).
 */
export function commandToEvent(command: Command, state: RunState, now: number): EventBody {
  switch (command.type) {
    case 'ScheduleActivityTask': {
      const { type: _type, ...rest } = command;
      return { type: 'ActivityTaskScheduled', ...rest };
    }
    case 'RequestCancelActivityTask': {
      const scheduledEventId = idBySeq(state.activities, command.seq);
      if (scheduledEventId === undefined) throw notOpen(command);
      return { type: 'ActivityTaskCancelRequested', scheduledEventId, seq: command.seq };
    }
    case 'StartTimer':
      return {
        type: 'TimerStarted',
        seq: command.seq,
        durationMs: command.durationMs,
        fireTime: now + command.durationMs,
      };
    case 'CancelTimer': {
      const startedEventId = idBySeq(state.timers, command.seq);
      if (startedEventId === undefined) throw notOpen(command);
      return { type: 'TimerCanceled', startedEventId, seq: command.seq };
    }
    case 'RecordMarker':
      return { type: 'MarkerRecorded', markerName: command.markerName, details: command.details };
    case 'UpsertWorkflowSearchAttributes':
      return { type: 'UpsertWorkflowSearchAttributes', searchAttributes: command.searchAttributes };
    case 'StartChildWorkflowExecution': {
      const { type: _type, ...rest } = command;
      return { type: 'StartChildWorkflowExecutionInitiated', ...rest };
    }
    case 'SignalExternalWorkflowExecution': {
      const { type: _type, ...rest } = command;
      return { type: 'SignalExternalWorkflowExecutionInitiated', ...rest };
    }
    case 'RequestCancelExternalWorkflowExecution': {
      const { type: _type, ...rest } = command;
      return { type: 'RequestCancelExternalWorkflowExecutionInitiated', ...rest };
    }
    case 'AcceptWorkflowUpdate':
      return {
        type: 'WorkflowExecutionUpdateAccepted',
        updateId: command.updateId,
        updateName: command.updateName,
        input: command.input,
      };
    case 'CompleteWorkflowUpdate': {
      const acceptedEventId = state.updates[command.updateId];
      if (acceptedEventId === undefined) throw notOpen(command);
      return {
        type: 'WorkflowExecutionUpdateCompleted',
        updateId: command.updateId,
        acceptedEventId,
        outcome: command.outcome,
      };
    }
    case 'CompleteWorkflowExecution':
      return { type: 'WorkflowExecutionCompleted', result: command.result };
    case 'FailWorkflowExecution':
      return { type: 'WorkflowExecutionFailed', failure: command.failure };
    case 'CancelWorkflowExecution':
      return { type: 'WorkflowExecutionCanceled' };
    case 'ContinueAsNewWorkflowExecution': {
      const { type: _type, ...rest } = command;
      return { type: 'WorkflowExecutionContinuedAsNew', newRunId: '', ...rest };
    }
    default: {
      const unknown: never = command;
      throw new TypeError(`Unknown command ${describeCommand(unknown)}`);
    }
  }
}

/** The event type each command records, for replay matching. */
const EVENT_OF_COMMAND: Record<Command['type'], HistoryEvent['type']> = {
  ScheduleActivityTask: 'ActivityTaskScheduled',
  RequestCancelActivityTask: 'ActivityTaskCancelRequested',
  StartTimer: 'TimerStarted',
  CancelTimer: 'TimerCanceled',
  RecordMarker: 'MarkerRecorded',
  UpsertWorkflowSearchAttributes: 'UpsertWorkflowSearchAttributes',
  StartChildWorkflowExecution: 'StartChildWorkflowExecutionInitiated',
  SignalExternalWorkflowExecution: 'SignalExternalWorkflowExecutionInitiated',
  RequestCancelExternalWorkflowExecution: 'RequestCancelExternalWorkflowExecutionInitiated',
  AcceptWorkflowUpdate: 'WorkflowExecutionUpdateAccepted',
  CompleteWorkflowUpdate: 'WorkflowExecutionUpdateCompleted',
  CompleteWorkflowExecution: 'WorkflowExecutionCompleted',
  FailWorkflowExecution: 'WorkflowExecutionFailed',
  CancelWorkflowExecution: 'WorkflowExecutionCanceled',
  ContinueAsNewWorkflowExecution: 'WorkflowExecutionContinuedAsNew',
};

const COMMAND_EVENT_TYPES = new Set<string>(Object.values(EVENT_OF_COMMAND));

/** True for events that record a command of a workflow task. */
export function isCommandEvent(event: HistoryEvent): boolean {
  return COMMAND_EVENT_TYPES.has(event.type);
}

/** A short description of a recorded command event, for determinism-violation messages. */
export function describeCommandEvent(event: HistoryEvent): string {
  switch (event.type) {
    case 'ActivityTaskScheduled':
      return `ScheduleActivityTask(seq ${event.seq}, ${event.activityType})`;
    case 'TimerStarted':
      return `StartTimer(seq ${event.seq})`;
    case 'TimerCanceled':
      return `CancelTimer(seq ${event.seq})`;
    case 'ActivityTaskCancelRequested':
      return `RequestCancelActivityTask(seq ${event.seq})`;
    case 'MarkerRecorded':
      return `RecordMarker(${event.markerName})`;
    case 'StartChildWorkflowExecutionInitiated':
      return `StartChildWorkflowExecution(seq ${event.seq}, ${event.workflowType}, ${event.workflowId})`;
    case 'SignalExternalWorkflowExecutionInitiated':
      return `SignalExternalWorkflowExecution(seq ${event.seq}, ${event.signalName})`;
    case 'RequestCancelExternalWorkflowExecutionInitiated':
      return `RequestCancelExternalWorkflowExecution(seq ${event.seq}, ${event.workflowId})`;
    case 'WorkflowExecutionUpdateAccepted':
      return `AcceptWorkflowUpdate(${event.updateId})`;
    case 'WorkflowExecutionUpdateCompleted':
      return `CompleteWorkflowUpdate(${event.updateId})`;
    default:
      return (Object.entries(EVENT_OF_COMMAND).find(([, type]) => type === event.type)?.[0] ??
        event.type) as string;
  }
}

/**
 * True when a recorded event is what the replayed command would have produced: same kind, same
 * sequence number, and for activities and children the same type. Arguments are not compared, as
 * Temporal does not either: changing an input is not a determinism violation.
 */
export function eventMatchesCommand(event: HistoryEvent, command: Command): boolean {
  if (EVENT_OF_COMMAND[command.type] !== event.type) return false;
  switch (command.type) {
    case 'ScheduleActivityTask':
      return (
        event.type === 'ActivityTaskScheduled' &&
        event.seq === command.seq &&
        event.activityType === command.activityType
      );
    case 'StartChildWorkflowExecution':
      return (
        event.type === 'StartChildWorkflowExecutionInitiated' &&
        event.seq === command.seq &&
        event.workflowType === command.workflowType
      );
    case 'RecordMarker':
      return (
        event.type === 'MarkerRecorded' &&
        event.markerName === command.markerName &&
        sameDetails(event.details, command.details)
      );
    case 'AcceptWorkflowUpdate':
    case 'CompleteWorkflowUpdate':
      return 'updateId' in event && event.updateId === command.updateId;
    case 'RequestCancelActivityTask':
    case 'StartTimer':
    case 'CancelTimer':
    case 'SignalExternalWorkflowExecution':
    case 'RequestCancelExternalWorkflowExecution':
      return 'seq' in event && event.seq === command.seq;
    default:
      return true;
  }
}

function sameDetails(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  // A patch marker is its patch id; a local activity's marker its sequence number and type.
  const same = (key: string) => JSON.stringify(a[key] ?? null) === JSON.stringify(b[key] ?? null);
  return same('patchId') && same('seq') && same('activityType');
}
