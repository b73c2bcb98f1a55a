import type { FailureInfo } from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import type {
  ActivitySchedule,
  ChildWorkflowStart,
  ContinueAsNewRun,
  ExternalCancel,
  ExternalSignal,
  SearchAttributeUpdates,
} from './events.ts';

/**
 * What workflow code asks the engine to do. Each command becomes exactly one history event when its
 * workflow task commits; on replay, the recorded events must match the commands one to one.
 */
export type Command =
  | ({ type: 'ScheduleActivityTask' } & ActivitySchedule)
  | { type: 'RequestCancelActivityTask'; seq: number }
  | { type: 'StartTimer'; seq: number; durationMs: number }
  | { type: 'CancelTimer'; seq: number }
  | { type: 'RecordMarker'; markerName: string; details: Record<string, Payload> }
  | { type: 'UpsertWorkflowSearchAttributes'; searchAttributes: SearchAttributeUpdates }
  | ({ type: 'StartChildWorkflowExecution' } & ChildWorkflowStart)
  | ({ type: 'SignalExternalWorkflowExecution' } & ExternalSignal)
  | ({ type: 'RequestCancelExternalWorkflowExecution' } & ExternalCancel)
  | { type: 'AcceptWorkflowUpdate'; updateId: string; updateName: string; input: Payload[] }
  | {
      type: 'CompleteWorkflowUpdate';
      updateId: string;
      outcome: { result: Payload } | { failure: FailureInfo };
    }
  | { type: 'CompleteWorkflowExecution'; result: Payload }
  | { type: 'FailWorkflowExecution'; failure: FailureInfo }
  | { type: 'CancelWorkflowExecution' }
  | ({ type: 'ContinueAsNewWorkflowExecution' } & ContinueAsNewRun);

export type CommandType = Command['type'];

/** A short human description of a command, for determinism-violation messages. */
export function describeCommand(command: Command | undefined): string {
  if (command === undefined) return 'no command';
  switch (command.type) {
    case 'ScheduleActivityTask':
      return `ScheduleActivityTask(seq ${command.seq}, ${command.activityType})`;
    case 'RequestCancelActivityTask':
    case 'StartTimer':
    case 'CancelTimer':
      return `${command.type}(seq ${command.seq})`;
    case 'RecordMarker':
      return `RecordMarker(${command.markerName})`;
    case 'StartChildWorkflowExecution':
      return `StartChildWorkflowExecution(seq ${command.seq}, ${command.workflowType}, ${command.workflowId})`;
    case 'SignalExternalWorkflowExecution':
      return `SignalExternalWorkflowExecution(seq ${command.seq}, ${command.signalName})`;
    case 'RequestCancelExternalWorkflowExecution':
      return `RequestCancelExternalWorkflowExecution(seq ${command.seq}, ${command.workflowId})`;
    case 'AcceptWorkflowUpdate':
    case 'CompleteWorkflowUpdate':
      return `${command.type}(${command.updateId})`;
    case 'UpsertWorkflowSearchAttributes':
    case 'CompleteWorkflowExecution':
    case 'FailWorkflowExecution':
    case 'CancelWorkflowExecution':
    case 'ContinueAsNewWorkflowExecution':
      return command.type;
    default: {
      const unknown: never = command;
      return String(unknown);
    }
  }
}
