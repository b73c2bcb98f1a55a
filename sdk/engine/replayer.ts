import { DeterminismViolationError, IllegalWorkflowOperationError } from '../common/errors.ts';
import type { FailureInfo } from '../common/failures.ts';
import type { StoredPayloadConverter } from '../common/payload.ts';
import { typedFromRecord } from '../common/typed-search-attributes.ts';
import type { ActivationJob } from './activation-job.ts';
import { Activator, type UpdateDecision, type WorkflowFunction } from './activator.ts';
import { describeCommandEvent, eventMatchesCommand, isCommandEvent } from './command-events.ts';
import { type Command, describeCommand } from './commands.ts';
import type { EventOf, HistoryEvent } from './events.ts';
import { LOCAL_ACTIVITY_MARKER, type LocalActivityOutcome, outcomeFromMarker } from './local-activities.ts';
import {
  CONTINUE_AS_NEW_SUGGESTED_BYTES,
  CONTINUE_AS_NEW_SUGGESTED_EVENTS,
  type WorkflowInfo,
} from './workflow-info.ts';

/** Rounds of local activities one workflow task may take before it is declared stuck. */
export const MAX_LOCAL_ACTIVITY_ROUNDS = 1000;

/** A workflow task kept calling local activities, each round calling more. */
export function tooManyRounds(): IllegalWorkflowOperationError {
  return new IllegalWorkflowOperationError(
    `A workflow task called local activities in more than ${MAX_LOCAL_ACTIVITY_ROUNDS} rounds; use proxyActivities for long chains`,
  );
}

const resolveJob = (outcome: LocalActivityOutcome): ActivationJob => ({
  kind: 'resolveLocalActivity',
  outcome,
});

/** Everything a replayer needs besides the history itself. */
export interface ReplayerOptions {
  namespace: string;
  runId: string;
  workflowFn: WorkflowFunction;
  converter: StoredPayloadConverter;
  log?: (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    attrs: unknown[],
    info: WorkflowInfo,
  ) => void;
  continueAsNewSuggestedEvents?: number;
  continueAsNewSuggestedBytes?: number;
}

/** Where an activity or child came from, for building the failure the workflow sees. */
interface Origin {
  seq: number;
  name: string;
  id: string;
}

/** The result of a new activation: commands to commit, or why the workflow task failed. */
export interface ActivationResult {
  commands: Command[];
  taskFailure?: unknown;
  updateDecisions: UpdateDecision[];
}

/**
 * Feeds a run's history to its workflow code, one workflow task at a time, and checks that the
 * code issues the commands history recorded. Incremental: `replay` may be called again with the
 * events that followed, so a warm worker applies only what is new (see `WorkflowCache`).
 */
export class Replayer {
  readonly activator: Activator;
  /** Id of the last event this replayer has applied. */
  lastEventId = 0;
  private jobs: ActivationJob[] = [];
  private expected: Command[] = [];
  private lastTaskStarted: EventOf<'WorkflowTaskStarted'> | undefined;
  private readonly activities = new Map<number, Origin>();
  private readonly children = new Map<number, Origin>();
  private historySize = 0;
  private readonly suggestEvents: number;
  private readonly suggestBytes: number;

  constructor(started: EventOf<'WorkflowExecutionStarted'>, options: ReplayerOptions) {
    const converter = options.converter;
    const info: WorkflowInfo = {
      workflowId: started.workflowId,
      runId: options.runId,
      workflowType: started.workflowType,
      taskQueue: started.taskQueue,
      namespace: options.namespace,
      attempt: started.attempt,
      firstRunId: started.firstRunId,
      continuedFromRunId: started.continuedFromRunId,
      parent: started.parent,
      historyLength: 1,
      historySize: 0,
      continueAsNewSuggested: false,
      startTime: new Date(started.eventTime),
      runStartTime: new Date(started.eventTime),
      searchAttributes: { ...(started.searchAttributes ?? {}) },
      // Read from searchAttributes each time, so an upsert shows at once.
      get typedSearchAttributes() {
        return typedFromRecord(this.searchAttributes);
      },
      memo: Object.fromEntries(
        Object.entries(started.memo ?? {}).map(([k, v]) => [k, converter.fromPayload(v)]),
      ),
      executionTimeoutMs: started.workflowExecutionTimeoutMs,
      runTimeoutMs: started.workflowRunTimeoutMs,
      unsafe: { isReplaying: false },
    };
    const log = options.log;
    this.activator = new Activator(
      info,
      options.workflowFn,
      converter,
      started.randomSeed,
      (level, message, attrs) => {
        if (!this.activator.isReplaying) log?.(level, message, attrs, info);
      },
    );
    this.suggestEvents = options.continueAsNewSuggestedEvents ?? CONTINUE_AS_NEW_SUGGESTED_EVENTS;
    this.suggestBytes = options.continueAsNewSuggestedBytes ?? CONTINUE_AS_NEW_SUGGESTED_BYTES;
  }

  /**
   * Applies history events that follow `lastEventId`. Completed workflow tasks are re-executed and
   * their recorded commands checked; events after the last completed task become pending jobs.
   */
  async replay(events: readonly HistoryEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (event.eventId !== this.lastEventId + 1) {
        throw new RangeError(`History gap: expected event ${this.lastEventId + 1}, got ${event.eventId}`);
      }
      this.historySize += JSON.stringify(event).length;
      if (event.type === 'WorkflowTaskCompleted') {
        await this.replayTask(event, events, i + 1);
      } else if (isCommandEvent(event)) {
        this.matchCommand(event);
      } else {
        this.collectJob(event);
      }
      this.lastEventId = event.eventId;
    }
  }

  /**
   * Runs the pending jobs as a new workflow task at time `now` and returns the commands to commit.
   * Call `commit` with the events those commands became once they are stored.
   */
  async activateNew(
    now: number,
    startedEventId: number,
    extraJobs: readonly ActivationJob[] = [],
  ): Promise<ActivationResult> {
    this.assertNoUnmatched(startedEventId);
    const activator = this.activator;
    activator.isReplaying = false;
    activator.patchesInTask = new Set();
    this.setTaskInfo(now, startedEventId);
    const jobs = [...this.jobs, ...extraJobs];
    this.jobs = [];
    activator.updateDecisions.length = 0;
    const commands = await activator.activate(jobs);
    return {
      commands,
      taskFailure: activator.taskFailure,
      updateDecisions: [...activator.updateDecisions],
    };
  }

  /** Records the events that a committed activation produced, so later events resolve against them. */
  commit(events: readonly HistoryEvent[], commands: readonly Command[]): void {
    this.expected = [...commands];
    for (const event of events) {
      if (event.eventId !== this.lastEventId + 1) {
        throw new RangeError(`Commit gap: expected event ${this.lastEventId + 1}, got ${event.eventId}`);
      }
      this.historySize += JSON.stringify(event).length;
      if (isCommandEvent(event)) this.matchCommand(event);
      this.lastEventId = event.eventId;
    }
  }

  /** Throws if the last replayed workflow task issued commands that history does not hold. */
  assertFullyMatched(): void {
    this.assertNoUnmatched(this.lastEventId + 1);
  }

  /** Jobs not yet applied: the events that arrived after the last completed workflow task. */
  get pendingJobs(): readonly ActivationJob[] {
    return this.jobs;
  }

  private setTaskInfo(now: number, startedEventId: number): void {
    const info = this.activator.info;
    this.activator.now = now;
    info.historyLength = startedEventId;
    info.historySize = this.historySize;
    info.continueAsNewSuggested =
      startedEventId >= this.suggestEvents || this.historySize >= this.suggestBytes;
    info.unsafe.isReplaying = this.activator.isReplaying;
  }

  private assertNoUnmatched(eventId: number): void {
    if (this.expected.length === 0) return;
    const actual = this.expected[0];
    throw new DeterminismViolationError(
      `Determinism violation at event ${eventId}: history has no further command for the completed workflow task, ` +
        `but the workflow code issued ${describeCommand(actual)}. Was the workflow code changed while runs were open? ` +
        'Use patched() to branch between old and new code.',
      eventId,
      'no command',
      describeCommand(actual),
    );
  }

  private async replayTask(
    completed: HistoryEvent,
    events: readonly HistoryEvent[],
    next: number,
  ): Promise<void> {
    this.assertNoUnmatched(completed.eventId);
    const activator = this.activator;
    activator.isReplaying = true;
    // The task's own commands follow its completion; patches and accepted updates among them
    // decide what the code did, so they are known before the code runs again.
    activator.patchesInTask = new Set();
    activator.localActivities.recorded = new Map();
    for (let j = next; j < events.length && isCommandEvent(events[j]!); j++) {
      const event = events[j]!;
      if (event.type === 'MarkerRecorded' && event.markerName === 'patch') {
        activator.patchesInTask.add(activator.converter.fromPayload<string>(event.details.patchId!));
      } else if (event.type === 'MarkerRecorded' && event.markerName === LOCAL_ACTIVITY_MARKER) {
        const outcome = outcomeFromMarker(event.details, activator.converter);
        activator.localActivities.recorded.set(outcome.seq, outcome);
      } else if (event.type === 'WorkflowExecutionUpdateAccepted') {
        // An admitted update this task accepted: the job below replaces the admission's.
        this.dropAdmitted(event.updateId);
        this.jobs.push({
          kind: 'update',
          updateId: event.updateId,
          name: event.updateName,
          input: event.input,
          alreadyAccepted: true,
        });
      }
    }
    const started = this.lastTaskStarted;
    this.setTaskInfo(started?.eventTime ?? completed.eventTime, started?.eventId ?? completed.eventId - 1);
    const jobs = this.jobs;
    this.jobs = [];
    this.expected = await activator.activate(jobs);
    // Local activities the task called resolve from their markers, in the rounds the live task took.
    for (let round = 0; activator.taskFailure === undefined; round++) {
      const requests = activator.localActivities.takeRequests();
      if (requests.length === 0) break;
      if (round >= MAX_LOCAL_ACTIVITY_ROUNDS) throw tooManyRounds();
      const outcomes = requests.map((request) => activator.localActivities.recordedOutcome(request));
      this.expected.push(...(await activator.activate(outcomes.map(resolveJob))));
    }
    if (activator.taskFailure !== undefined) throw activator.taskFailure;
  }

  /**
   * Applies the outcomes of the local activities a new task ran (one round), returning the commands
   * the code issued after them. The task's time stays the time it started, as on replay.
   */
  async activateLocalOutcomes(outcomes: readonly LocalActivityOutcome[]): Promise<ActivationResult> {
    const activator = this.activator;
    activator.updateDecisions.length = 0;
    const commands = await activator.activate(outcomes.map(resolveJob));
    return { commands, taskFailure: activator.taskFailure, updateDecisions: [...activator.updateDecisions] };
  }

  /** Removes the job of an admitted update that a workflow task has decided. */
  private dropAdmitted(updateId: string): void {
    this.jobs = this.jobs.filter(
      (job) => !(job.kind === 'update' && !job.alreadyAccepted && job.updateId === updateId),
    );
  }

  private matchCommand(event: HistoryEvent): void {
    const command = this.expected.shift();
    if (command === undefined || !eventMatchesCommand(event, command)) {
      throw new DeterminismViolationError(
        `Determinism violation at event ${event.eventId}: history recorded ${describeCommandEvent(event)}, ` +
          `but the workflow code issued ${describeCommand(command)}. Was the workflow code changed while runs were open? ` +
          'Use patched() to branch between old and new code.',
        event.eventId,
        describeCommandEvent(event),
        describeCommand(command),
      );
    }
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
  private collectJob(event: HistoryEvent): void {
    switch (event.type) {
      case 'WorkflowExecutionStarted':
        this.jobs.push({ kind: 'start', input: event.input });
        return;
      case 'WorkflowTaskStarted':
        this.lastTaskStarted = event;
        return;
      case 'WorkflowTaskScheduled':
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
        // Command events: matched in matchCommand, never jobs.
        return;
      default: {
        const unknown: never = event;
        throw new TypeError(`Unknown history event ${JSON.stringify(unknown)}`);
      }
    }
  }
}
