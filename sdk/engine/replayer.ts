import { DeterminismViolationError, IllegalWorkflowOperationError } from '../common/errors.ts';
import type { StoredPayloadConverter } from '../common/payload.ts';
import type { ActivationJob } from './activation-job.ts';
import { Activator, type UpdateDecision, type WorkflowFunction } from './activator.ts';
import { describeCommandEvent, eventMatchesCommand, isCommandEvent } from './command-events.ts';
import { type Command, describeCommand } from './commands.ts';
import type { EventOf, HistoryEvent } from './events.ts';
import { LOCAL_ACTIVITY_MARKER, type LocalActivityOutcome, outcomeFromMarker } from './local-activities.ts';
import { PendingJobs } from './pending-jobs.ts';
import {
  CONTINUE_AS_NEW_SUGGESTED_BYTES,
  CONTINUE_AS_NEW_SUGGESTED_EVENTS,
  type WorkflowInfo,
  workflowInfoFrom,
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
  private readonly jobs = new PendingJobs();
  private expected: Command[] = [];
  private lastTaskStarted: EventOf<'WorkflowTaskStarted'> | undefined;
  private historySize = 0;
  private readonly suggestEvents: number;
  private readonly suggestBytes: number;

  constructor(started: EventOf<'WorkflowExecutionStarted'>, options: ReplayerOptions) {
    const converter = options.converter;
    const info = workflowInfoFrom(started, options.namespace, options.runId, converter);
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
        if (event.type === 'WorkflowTaskStarted') this.lastTaskStarted = event;
        this.jobs.collect(event);
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
    const jobs = [...this.jobs.take(), ...extraJobs];
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
    return this.jobs.pending;
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
        this.jobs.acceptedUpdate(event);
      }
    }
    const started = this.lastTaskStarted;
    this.setTaskInfo(started?.eventTime ?? completed.eventTime, started?.eventId ?? completed.eventId - 1);
    this.expected = await activator.activate(this.jobs.take());
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
    this.jobs.noteCommandEvent(event);
  }
}
