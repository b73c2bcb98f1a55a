import type { FailureInfo } from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import type {
  ActivityOptionsResolved,
  ParentClosePolicyName,
  SearchAttributes,
  SearchAttributeUpdates,
  WorkflowIdReusePolicyName,
} from './events.ts';

/**
 * What workflow code asks the engine to do. Each command becomes exactly one history event when its
 * workflow task commits; on replay, the recorded events must match the commands one to one.
 */
export type Command =
  | {
      type: 'ScheduleActivityTask';
      seq: number;
      activityId: string;
      activityType: string;
      taskQueue: string;
      input: Payload[];
      options: ActivityOptionsResolved;
    }
  | { type: 'RequestCancelActivityTask'; seq: number }
  | { type: 'StartTimer'; seq: number; durationMs: number }
  | { type: 'CancelTimer'; seq: number }
  | { type: 'RecordMarker'; markerName: string; details: Record<string, Payload> }
  | { type: 'UpsertWorkflowSearchAttributes'; searchAttributes: SearchAttributeUpdates }
  | {
      type: 'StartChildWorkflowExecution';
      seq: number;
      workflowId: string;
      workflowType: string;
      taskQueue: string;
      input: Payload[];
      parentClosePolicy: ParentClosePolicyName;
      workflowIdReusePolicy?: WorkflowIdReusePolicyName;
      workflowExecutionTimeoutMs?: number;
      workflowRunTimeoutMs?: number;
      memo?: Record<string, Payload>;
      searchAttributes?: SearchAttributes;
      cronSchedule?: string;
    }
  | {
      type: 'SignalExternalWorkflowExecution';
      seq: number;
      workflowId: string;
      runId?: string;
      signalName: string;
      input: Payload[];
      childWorkflowOnly: boolean;
    }
  | {
      type: 'RequestCancelExternalWorkflowExecution';
      seq: number;
      workflowId: string;
      runId?: string;
      childWorkflowOnly: boolean;
    }
  | { type: 'AcceptWorkflowUpdate'; updateId: string; updateName: string; input: Payload[] }
  | {
      type: 'CompleteWorkflowUpdate';
      updateId: string;
      outcome: { result: Payload } | { failure: FailureInfo };
    }
  | { type: 'CompleteWorkflowExecution'; result: Payload }
  | { type: 'FailWorkflowExecution'; failure: FailureInfo }
  | { type: 'CancelWorkflowExecution' }
  | {
      type: 'ContinueAsNewWorkflowExecution';
      workflowType: string;
      taskQueue: string;
      input: Payload[];
      workflowRunTimeoutMs?: number;
      memo?: Record<string, Payload>;
      searchAttributes?: SearchAttributes;
    };

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
