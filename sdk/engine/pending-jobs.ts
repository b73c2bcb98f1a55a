import type { FailureInfo } from '../common/failures.ts';
import type { ActivationJob } from './activation-job.ts';
import type { EventOf, HistoryEvent } from './events.ts';

/** Where an activity or child came from, for building the failure the workflow sees. */
interface Origin {
  seq: number;
  name: string;
  id: string;
}

/**
 * The activation jobs a run's history holds for its next workflow task: each event that is not a
 * command's turns into the job it stands for (an activity result settles the activity's sequence
 * number, a signal is delivered, …), in history order. Knows where each scheduled activity and
 * initiated child came from, so their failures name them.
 */
export class PendingJobs {
  private jobs: ActivationJob[] = [];
  private readonly activities = new Map<number, Origin>();
  private readonly children = new Map<number, Origin>();

  /** The jobs collected since the last `take`. */
  get pending(): readonly ActivationJob[] {
    return this.jobs;
  }

  /** The jobs collected so far, for an activation; collecting starts again from none. */
  take(): ActivationJob[] {
    const jobs = this.jobs;
    this.jobs = [];
    return jobs;
  }

  /** Remembers the origin of a scheduled activity or an initiated child (a matched command event). */
  noteCommandEvent(event: HistoryEvent): void {
    switch (event.type) {
      case 'ActivityTaskScheduled':
        this.activities.set(event.eventId, {
          seq: event.seq,
          name: event.activityType,
          id: event.activityId,
        });
        return;
      case 'StartChildWorkflowExecutionInitiated':
        this.children.set(event.eventId, { seq: event.seq, name: event.workflowType, id: event.workflowId });
        return;
      default:
        return;
    }
  }

  /** An admitted update a replayed workflow task accepted: its job replaces the admission's. */
  acceptedUpdate(event: EventOf<'WorkflowExecutionUpdateAccepted'>): void {
    this.dropAdmitted(event.updateId);
    this.jobs.push({
      kind: 'update',
      updateId: event.updateId,
      name: event.updateName,
      input: event.input,
      alreadyAccepted: true,
    });
  }

  /** Removes the job of an admitted update that a workflow task has decided. */
  private dropAdmitted(updateId: string): void {
    this.jobs = this.jobs.filter(
      (job) => !(job.kind === 'update' && !job.alreadyAccepted && job.updateId === updateId),
    );
  }

  private activityFailure(
    scheduledEventId: number,
    retryState: FailureInfo['retryState'],
    cause: FailureInfo,
  ) {
    const origin = this.activities.get(scheduledEventId);
    const failure: FailureInfo = {
      kind: 'activity',
      message: 'Activity task failed',
      activityType: origin?.name,
      activityId: origin?.id,
      retryState,
      cause,
    };
    return { seq: origin?.seq ?? -1, failure };
  }

  private childFailure(initiatedEventId: number, cause: FailureInfo, runId?: string) {
    const origin = this.children.get(initiatedEventId);
    const failure: FailureInfo = {
      kind: 'child',
      message: 'Child workflow execution failed',
      workflowType: origin?.name,
      workflowId: origin?.id,
      runId,
      retryState: 'NonRetryableFailure',
      cause,
    };
    return failure;
  }

  /** Turns a non-command event into the activation job it stands for (if any). Exhaustive. */
  collect(event: HistoryEvent): void {
    switch (event.type) {
      case 'WorkflowExecutionStarted':
        this.jobs.push({ kind: 'start', input: event.input });
        return;
      case 'WorkflowTaskScheduled':
      case 'WorkflowTaskStarted':
      case 'WorkflowTaskFailed':
      case 'ActivityTaskStarted':
      case 'WorkflowExecutionTimedOut':
      case 'WorkflowExecutionTerminated':
        return;
      case 'ActivityTaskCompleted':
        this.jobs.push({
          kind: 'resolveActivity',
          seq: this.activities.get(event.scheduledEventId)?.seq ?? -1,
          result: event.result,
        });
        return;
      case 'ActivityTaskFailed':
      case 'ActivityTaskTimedOut':
        if (event.retryState !== 'InProgress') {
          this.jobs.push({
            kind: 'failActivity',
            ...this.activityFailure(event.scheduledEventId, event.retryState, event.failure),
          });
        }
        return;
      case 'ActivityTaskCanceled':
        this.jobs.push({
          kind: 'failActivity',
          ...this.activityFailure(event.scheduledEventId, 'CancelRequested', {
            kind: 'cancelled',
            message: 'Activity cancelled',
          }),
        });
        return;
      case 'TimerFired':
        this.jobs.push({ kind: 'fireTimer', seq: event.seq });
        return;
      case 'WorkflowExecutionSignaled':
        this.jobs.push({ kind: 'signal', name: event.signalName, input: event.input });
        return;
      case 'WorkflowExecutionUpdateAdmitted':
        // Offered to the validator by the next new task; a replayed task that decided it is
        // followed by its acceptance (which replaces this job) or preceded by its rejection.
        this.jobs.push({
          kind: 'update',
          updateId: event.updateId,
          name: event.updateName,
          input: event.input,
          alreadyAccepted: false,
        });
        return;
      case 'WorkflowExecutionUpdateRejected':
        this.dropAdmitted(event.updateId);
        return;
      case 'WorkflowExecutionCancelRequested':
        this.jobs.push({ kind: 'cancelWorkflow', reason: event.reason });
        return;
      case 'ChildWorkflowExecutionStarted':
        this.jobs.push({ kind: 'resolveChildStart', seq: event.seq, runId: event.runId });
        return;
      case 'StartChildWorkflowExecutionFailed':
        this.jobs.push({
          kind: 'failChildStart',
          seq: event.seq,
          failure: this.childFailure(event.initiatedEventId, {
            kind: 'application',
            message: `Child workflow could not start: ${event.cause}`,
            type: event.cause,
            nonRetryable: true,
          }),
        });
        return;
      case 'ChildWorkflowExecutionCompleted':
        this.jobs.push({ kind: 'resolveChild', seq: event.seq, result: event.result });
        return;
      case 'ChildWorkflowExecutionFailed':
        this.jobs.push({
          kind: 'failChild',
          seq: event.seq,
          failure: this.childFailure(event.initiatedEventId, event.failure),
        });
        return;
      case 'ExternalWorkflowExecutionSignaled':
      case 'ExternalWorkflowExecutionCancelRequested':
        this.jobs.push({ kind: 'resolveExternal', seq: event.seq });
        return;
      case 'SignalExternalWorkflowExecutionFailed':
      case 'RequestCancelExternalWorkflowExecutionFailed':
        this.jobs.push({
          kind: 'resolveExternal',
          seq: event.seq,
          failure: {
            kind: 'application',
            message: `External workflow not reachable: ${event.cause}`,
            type: event.cause,
            nonRetryable: true,
          },
        });
        return;
      case 'WorkflowTaskCompleted':
      case 'ActivityTaskScheduled':
      case 'ActivityTaskCancelRequested':
      case 'TimerStarted':
      case 'TimerCanceled':
      case 'MarkerRecorded':
      case 'UpsertWorkflowSearchAttributes':
      case 'WorkflowExecutionUpdateAccepted':
      case 'WorkflowExecutionUpdateCompleted':
      case 'StartChildWorkflowExecutionInitiated':
      case 'SignalExternalWorkflowExecutionInitiated':
      case 'RequestCancelExternalWorkflowExecutionInitiated':
      case 'WorkflowExecutionCompleted':
      case 'WorkflowExecutionFailed':
      case 'WorkflowExecutionCanceled':
      case 'WorkflowExecutionContinuedAsNew':
        // Command events: the replayer matches them to commands; never jobs.
        return;
      default: {
        const unknown: never = event;
        throw new TypeError(`Unknown history event ${JSON.stringify(unknown)}`);
      }
    }
  }
}
