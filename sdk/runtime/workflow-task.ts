import { TIMING_METRICS } from '../backend/metric-definitions.ts';
import type { NewRun, RunRef, WorkflowTaskFailureRecord } from '../backend/ports.ts';
import {
  DeterminismViolationError,
  HistoryConflictError,
  WorkflowExecutionClosedError,
} from '../common/errors.ts';
import { toFailureInfo } from '../common/failures.ts';
import type { ActivationJob } from '../engine/activation-job.ts';
import type { UpdateDecision } from '../engine/activator.ts';
import { planActivityOutcomes } from '../engine/activity-outcome.ts';
import { commandToEvent } from '../engine/command-events.ts';
import type { Command } from '../engine/commands.ts';
import { claimEagerActivities, orphanedEagerAttempts } from '../engine/eager-activities.ts';
import type { EventOf, HistoryEvent } from '../engine/events.ts';
import type { Replayer } from '../engine/replayer.ts';
import { applyEvents, initialRunState, isClosed, type RunState } from '../engine/run-state.ts';
import { admittedRejections } from '../engine/update-admission.ts';
import { guardOutlivedEagerAttempts } from './activity-watchdogs.ts';
import {
  appendRequest,
  conflictBackoff,
  MAX_COMMIT_ATTEMPTS,
  numberEvents,
  type PendingEvent,
} from './commit.ts';
import type { RuntimeDeps } from './deps.ts';
import type { EagerExecution } from './eager-chain.ts';
import { awaitFirstBatch } from './first-batch.ts';
import { runLocalActivities } from './local-activities.ts';
import { runContext } from './log-context.ts';
import { runRefOf } from './run-ref.ts';
import type { WorkerRegistry } from './worker-registry.ts';
import { cacheKey, loadReplayer, UnknownWorkflowTypeError } from './workflow-replay.ts';

export { cacheKey, loadReplayer, UnknownWorkflowTypeError } from './workflow-replay.ts';

/** Extra input of a workflow task. */
export interface WorkflowTaskOptions {
  /** Events to commit ahead of the task in the same write (an activity's result: the fast path). */
  leading?: (state: RunState, now: number) => PendingEvent[] | undefined;
  /**
   * The run's head as the caller already knows it (it committed it, or just read it): the first
   * attempt plans on it instead of reading it again; a conflict re-reads.
   */
  head?: RunState;
  /** Eager execution: the invocation that may start the activities this task schedules itself. */
  eager?: EagerExecution;
  /**
   * Give way after a lost race ({@link WorkflowTaskGaveWay}) instead of replaying again: a lost
   * race costs a cold replay, and a caller that can commit its leading events plainly (an
   * activity's outcome) lets the run's one queued workflow task take them all at once instead.
   */
  giveWay?: boolean;
  /**
   * The task came from its run's start, which sends it before writing the run (`beforeCommit`):
   * a run not there yet is waited for, up to `waitMs`, or on a redelivery voided (`awaitFirstBatch`).
   */
  beforeCommit?: { redelivered: boolean; waitMs: number };
  /** An update request to offer the workflow's validator and handler. */
  update?: {
    updateId: string;
    updateName: string;
    input: EventOf<'WorkflowExecutionUpdateAccepted'>['input'];
  };
}

export type WorkflowTaskResult =
  | {
      outcome: 'committed';
      events: HistoryEvent[];
      state: RunState;
      update?: UpdateDecision;
      /** The scheduling event ids of the activities this commit claimed for eager execution. */
      eager?: number[];
    }
  | { outcome: 'noop'; update?: UpdateDecision }
  | { outcome: 'failed'; failure: WorkflowTaskFailureRecord };

/**
 * The pause after a workflow task lost a race, before it replays again: longer than a plain
 * commit's, for each try replays the run from its history (the lost race evicted the warm state),
 * and a run that keeps moving (a fan-out's outcomes landing one after another) is best replayed
 * once it has settled, not once per outcome.
 */
const REPLAY_BACKOFF = { baseMs: 25, capMs: 2_000 };

/** A workflow task that gave way (`giveWay`) after losing a race; it wrote nothing. */
export class WorkflowTaskGaveWay extends Error {
  constructor(runId: string) {
    super(`The workflow task of run ${runId} gave way after a lost race`);
    this.name = 'WorkflowTaskGaveWay';
  }
}

const MAX_TASK_BACKOFF_MS = 10 * 60_000;
/**
 * A retry due within this much is taken as arriving now: the delayed message that carries it may
 * be read on a host whose clock is a little behind the one that scheduled it.
 */
const RETRY_DUE_SLACK_MS = 250;

/**
 * Processes a run's pending workflow task: replays history (from the warm cache when it can),
 * runs the new activation, turns its commands into events and appends them conditionally on the
 * head it read. A lost race re-reads and replays again.
 */
export async function processWorkflowTask(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  ref: RunRef,
  options: WorkflowTaskOptions = {},
): Promise<WorkflowTaskResult> {
  const key = cacheKey(ref.namespace, ref.runId);
  const pickedUp = deps.clock.now();
  const result = await worker.cache.exclusive(key, async () => {
    for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
      const result = await attemptWorkflowTask(
        deps,
        worker,
        ref,
        options,
        attempt === 1 ? options.head : undefined,
      );
      if (result === 'conflict') {
        worker.cache.delete(key);
        if (options.giveWay) throw new WorkflowTaskGaveWay(ref.runId);
        await conflictBackoff(attempt, REPLAY_BACKOFF);
        continue;
      }
      // Pickup to commit (or to the recorded failure); a task with nothing to do is no latency.
      if (result.outcome !== 'noop') {
        deps.metrics.timing(TIMING_METRICS.workflowTaskLatency, deps.clock.now() - pickedUp, {
          TaskQueue: worker.taskQueue,
        });
      }
      return result;
    }
    throw new HistoryConflictError(
      `Workflow task of run ${ref.runId} kept losing races; it will be redelivered`,
    );
  });
  // Outside the run's lock: the eager attempts' outcomes come back through this function.
  if (result.outcome === 'committed' && result.eager?.length) options.eager?.start(result);
  return result;
}

async function attemptWorkflowTask(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  ref: RunRef,
  options: WorkflowTaskOptions,
  head: RunState | undefined,
): Promise<WorkflowTaskResult | 'conflict'> {
  const key = cacheKey(ref.namespace, ref.runId);
  const state =
    head ??
    (await deps.store.getRun(ref.namespace, ref.runId)) ??
    (options.beforeCommit && (await awaitFirstBatch(deps, ref, options.beforeCommit)));
  if (!state) return { outcome: 'noop' };
  if (isClosed(state)) {
    if (options.update)
      throw new WorkflowExecutionClosedError(`Workflow ${ref.workflowId} is closed; it takes no updates`);
    return { outcome: 'noop' };
  }
  await guardOutlivedEagerAttempts(deps, state, deps.clock.now());
  const now = deps.clock.now();
  const leading = leadingEventsOf(state, options, now);
  if (leading === undefined) return { outcome: 'noop' };
  const leadingEvents = numberEvents(leading, state.nextEventId, now);
  let current = applyEvents(state, leadingEvents);
  const prefix: PendingEvent[] = [...leading];
  if (!current.workflowTask) {
    if (!options.update) {
      // Nothing for workflow code to do: commit the leading events alone (if any).
      return leading.length ? commitPlain(deps, worker, state, leadingEvents) : { outcome: 'noop' };
    }
    prefix.push({ type: 'WorkflowTaskScheduled', attempt: 1 });
    current = applyEvents(current, numberEvents([prefix.at(-1)!], current.nextEventId, now));
  }
  const scheduled = current.workflowTask!;

  let replayer: Replayer;
  let activation: Awaited<ReturnType<Replayer['activateNew']>>;
  try {
    replayer = await loadReplayer(deps, worker, state, leadingEvents);
    const extraJobs: ActivationJob[] = options.update
      ? [{ kind: 'update', ...options.update, name: options.update.updateName, alreadyAccepted: false }]
      : [];
    activation = await replayer.activateNew(now, current.nextEventId, extraJobs);
    activation = await runLocalActivities(deps, worker, replayer, activation);
    if (activation.taskFailure !== undefined) throw activation.taskFailure;
  } catch (error) {
    worker.cache.delete(key);
    return failWorkflowTask(deps, worker, state, leadingEvents, scheduled.scheduledEventId, error);
  }

  const update = options.update
    ? activation.updateDecisions.find((decision) => decision.updateId === options.update!.updateId)
    : undefined;
  if (
    options.update &&
    update &&
    !update.accepted &&
    !state.workflowTask &&
    activation.commands.length === 0
  ) {
    // A rejected update leaves no trace: nothing else was pending, so nothing is written.
    worker.cache.delete(key);
    if (!leading.length) return { outcome: 'noop', update };
    const committed = await commitPlain(deps, worker, state, leadingEvents);
    return committed === 'conflict' ? committed : ({ ...committed, update } as WorkflowTaskResult);
  }

  const taskEvents: PendingEvent[] = [
    { type: 'WorkflowTaskStarted', scheduledEventId: scheduled.scheduledEventId, attempt: scheduled.attempt },
    { type: 'WorkflowTaskCompleted', scheduledEventId: scheduled.scheduledEventId },
  ];
  const rejected = admittedRejections(current, activation.updateDecisions);
  let plainEvents = commandEvents(
    numberEvents([...prefix, ...rejected, ...taskEvents], state.nextEventId, now),
    state,
    activation.commands,
    now,
  );
  const newRunId = plainEvents.at(-1)?.type === 'WorkflowExecutionContinuedAsNew' ? deps.newId() : undefined;
  if (newRunId) (plainEvents.at(-1) as EventOf<'WorkflowExecutionContinuedAsNew'>).newRunId = newRunId;
  let claimed: number[] = [];
  const policy = options.eager?.policy(now);
  if (policy && plainEvents.some((event) => event.type === 'ActivityTaskScheduled')) {
    ({ events: plainEvents, claimed } = claimEagerActivities(
      plainEvents,
      applyEvents(state, plainEvents),
      policy,
      now,
    ));
  }

  const storedEvents = await worker.codec.encode(plainEvents);
  const request = appendRequest(state, storedEvents);
  if (newRunId) {
    request.newRun = continuedRun(
      request.state,
      storedEvents.at(-1) as EventOf<'WorkflowExecutionContinuedAsNew'>,
      now,
    );
  }
  try {
    await deps.store.append(request);
  } catch (error) {
    if (error instanceof HistoryConflictError) return 'conflict';
    throw error;
  }
  const committedAfterReplay = plainEvents.slice(leadingEvents.length);
  replayer.commit(committedAfterReplay, activation.commands);
  if (isClosed(request.state)) worker.cache.delete(key);
  else worker.cache.set(key, replayer);
  return {
    outcome: 'committed',
    events: storedEvents,
    state: request.state,
    update,
    ...(claimed.length && { eager: claimed }),
  };
}

/**
 * The events to commit ahead of the task: the caller's (an activity's outcome), then the timeouts
 * of eager attempts whose invocation died (the head shows claims past their invocation's end).
 * Undefined when the caller's events are stale and nothing else is due: nothing to do.
 */
function leadingEventsOf(state: RunState, options: WorkflowTaskOptions, now: number) {
  const fromCaller = options.leading ? options.leading(state, now) : [];
  const orphans = orphanedEagerAttempts(state, now);
  if (!orphans.length) return fromCaller;
  const before = fromCaller ?? [];
  const afterCaller = applyEvents(state, numberEvents(before, state.nextEventId, now));
  const recovered = planActivityOutcomes(afterCaller, orphans, now) ?? [];
  if (fromCaller === undefined && !recovered.length) return undefined;
  return [...before, ...recovered];
}

/** Turns commands into numbered events following `taskEvents`, resolving seq lookups as it goes. */
function commandEvents(
  taskEvents: HistoryEvent[],
  state: RunState,
  commands: Command[],
  now: number,
): HistoryEvent[] {
  const events = [...taskEvents];
  let running = applyEvents(state, taskEvents);
  let applied = events.length;
  for (const command of commands) {
    const needsLookup =
      command.type === 'RequestCancelActivityTask' ||
      command.type === 'CancelTimer' ||
      command.type === 'CompleteWorkflowUpdate';
    if (needsLookup && applied < events.length) {
      running = applyEvents(running, events.slice(applied));
      applied = events.length;
    }
    const body = commandToEvent(command, running, now);
    events.push({ ...body, eventId: state.nextEventId + events.length, eventTime: now } as HistoryEvent);
  }
  return events;
}

/** The next run of a continue-as-new, created in the same write that closes this one. */
function continuedRun(
  closing: RunState,
  event: EventOf<'WorkflowExecutionContinuedAsNew'>,
  now: number,
): NewRun {
  const bodies: PendingEvent[] = [
    {
      type: 'WorkflowExecutionStarted',
      workflowType: event.workflowType,
      workflowId: closing.workflowId,
      taskQueue: event.taskQueue,
      input: event.input,
      attempt: 1,
      firstRunId: closing.firstRunId,
      continuedFromRunId: closing.runId,
      parent: closing.parent,
      parentClosePolicy: closing.parentClosePolicy,
      memo: event.memo ?? closing.memo,
      searchAttributes: event.searchAttributes ?? closing.searchAttributes,
      workflowRunTimeoutMs: event.workflowRunTimeoutMs,
      executionExpirationTime: closing.executionExpirationTime,
      randomSeed: event.newRunId,
      // A cron run that continues as new starts the next run at once, still on the schedule.
      cronSchedule: closing.cronSchedule,
    },
    { type: 'WorkflowTaskScheduled', attempt: 1 },
  ];
  const events = numberEvents(bodies, 1, now);
  return { state: applyEvents(initialRunState(closing.namespace, event.newRunId), events), events };
}

/** Appends plain (decoded) events, encoding their payloads for storage. */
async function commitPlain(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  state: RunState,
  plain: HistoryEvent[],
): Promise<WorkflowTaskResult | 'conflict'> {
  const events = await worker.codec.encode(plain);
  const request = appendRequest(state, events);
  try {
    await deps.store.append(request);
  } catch (error) {
    if (error instanceof HistoryConflictError) return 'conflict';
    throw error;
  }
  return { outcome: 'committed', events, state: request.state };
}

/**
 * Records a failed workflow task beside history (shown by `describe`) and retries it with backoff.
 * A determinism violation leaves history untouched; a first failure from workflow code records
 * `WorkflowTaskFailed`, as Temporal does. Leading events (an activity's result) are facts: they
 * are committed regardless.
 *
 * A stuck task has exactly one retry chain: the failure is reached from the task's own messages,
 * but also from queries, updates, activity results and duplicate messages, and only a failure
 * with no retry still due (the first one, or the pending retry's own delivery) schedules the next.
 * The rule reads time, not the message's attempt, so it holds whoever calls.
 */
async function failWorkflowTask(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  state: RunState,
  leadingEvents: HistoryEvent[],
  scheduledEventId: number,
  error: unknown,
): Promise<WorkflowTaskResult | 'conflict'> {
  const cause =
    error instanceof DeterminismViolationError
      ? 'NonDeterminism'
      : error instanceof UnknownWorkflowTypeError
        ? 'UnknownWorkflowType'
        : 'WorkflowError';
  const previous = await deps.store.getWorkflowTaskFailure(state.namespace, state.runId);
  const now = deps.clock.now();
  const sameTask = previous !== undefined && previous.eventId === scheduledEventId;
  const retryPending =
    sameTask && previous.retryAt !== undefined && previous.retryAt - now > RETRY_DUE_SLACK_MS;
  const attempt = sameTask ? (retryPending ? previous.attempt : previous.attempt + 1) : 1;
  const retryAt = retryPending
    ? previous.retryAt
    : now + Math.min(1000 * 2 ** (Math.max(attempt, 1) - 1), MAX_TASK_BACKOFF_MS);
  const failure: WorkflowTaskFailureRecord = {
    attempt,
    time: now,
    eventId: scheduledEventId,
    cause,
    failure: toFailureInfo(error, worker.converter),
    retryAt,
  };
  // The update path may have planned a WorkflowTaskScheduled that was never committed.
  const scheduledExists = scheduledEventId < state.nextEventId + leadingEvents.length;
  const extra: PendingEvent[] =
    !sameTask && cause === 'WorkflowError' && scheduledExists
      ? [
          { type: 'WorkflowTaskStarted', scheduledEventId, attempt: 1 },
          { type: 'WorkflowTaskFailed', scheduledEventId, failure: failure.failure, cause },
        ]
      : [];
  if (leadingEvents.length || extra.length) {
    const events = [...leadingEvents, ...numberEvents(extra, state.nextEventId + leadingEvents.length, now)];
    if ((await commitPlain(deps, worker, state, events)) === 'conflict') return 'conflict';
  }
  if (!scheduledExists) return { outcome: 'failed', failure };
  await deps.store.setWorkflowTaskFailure(state.namespace, state.runId, failure);
  if (!retryPending) {
    await deps.dispatch.dispatch([
      {
        task: {
          kind: 'workflow',
          ref: runRefOf(state),
          taskQueue: state.taskQueue,
          scheduledEventId,
          attempt: attempt + 1,
        },
        dueTime: retryAt,
      },
    ]);
  }
  deps.logger(retryPending ? 'debug' : 'warn', 'workflow task failed', {
    ...runContext({ ...state, eventId: scheduledEventId }),
    cause,
    attempt,
    retryAt,
    message: failure.failure.message,
  });
  return { outcome: 'failed', failure };
}
