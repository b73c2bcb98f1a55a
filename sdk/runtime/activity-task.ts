import { CompleteAsyncError, Context } from '../activity/context.ts';
import type { RunRef } from '../backend/ports.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import {
  ApplicationFailure,
  CancelledFailure,
  TimeoutFailure,
  type TimeoutType,
  toFailureInfo,
} from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import type { ActivityOutcome } from '../common/wire/activity-completion.ts';
import { nextRetry } from '../engine/retry-policy.ts';
import { applyEvents, type PendingActivity, type RunState } from '../engine/run-state.ts';
import { commitToRun, numberEvents, type PendingEvent, readEvent } from './commit.ts';
import type { RuntimeDeps } from './deps.ts';
import type { WorkerRegistry } from './worker-registry.ts';
import { processWorkflowTask } from './workflow-task.ts';

export type { ActivityOutcome };

/** Identifies one activity attempt, also across processes (the async-completion task token). */
export interface ActivityAttemptRef extends RunRef {
  scheduledEventId: number;
  attempt: number;
}

export function encodeTaskToken(ref: ActivityAttemptRef): string {
  return Buffer.from(
    JSON.stringify([ref.namespace, ref.workflowId, ref.runId, ref.scheduledEventId, ref.attempt]),
  ).toString('base64url');
}

export function decodeTaskToken(token: string): ActivityAttemptRef {
  try {
    const [namespace, workflowId, runId, scheduledEventId, attempt] = JSON.parse(
      Buffer.from(token, 'base64url').toString(),
    );
    if (
      typeof namespace === 'string' &&
      typeof workflowId === 'string' &&
      typeof runId === 'string' &&
      Number.isInteger(scheduledEventId) &&
      Number.isInteger(attempt)
    ) {
      return { namespace, workflowId, runId, scheduledEventId, attempt };
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidArgumentError('Malformed activity task token');
}

/** Builds the events that record an attempt's outcome, or undefined if the attempt is stale. */
export function outcomeEvents(
  state: RunState,
  attemptRef: ActivityAttemptRef,
  outcome: ActivityOutcome,
  now: number,
  attemptStartTime = now,
): PendingEvent[] | undefined {
  const activity = state.activities[attemptRef.scheduledEventId];
  if (!activity || activity.attempt !== attemptRef.attempt || state.status !== 'Running') return undefined;
  const { scheduledEventId, attempt } = attemptRef;
  const started: PendingEvent = {
    type: 'ActivityTaskStarted',
    scheduledEventId,
    attempt,
    eventTime: attemptStartTime,
  };
  const wake: PendingEvent[] = state.workflowTask ? [] : [{ type: 'WorkflowTaskScheduled', attempt: 1 }];
  switch (outcome.type) {
    case 'completed':
      return [
        started,
        { type: 'ActivityTaskCompleted', scheduledEventId, attempt, result: outcome.result },
        ...wake,
      ];
    case 'canceled':
      return [{ type: 'ActivityTaskCanceled', scheduledEventId, details: outcome.details }, ...wake];
    case 'failed':
    case 'timedOut': {
      const deadline =
        activity.options.scheduleToCloseMs !== undefined
          ? activity.scheduledTime + activity.options.scheduleToCloseMs
          : undefined;
      const decision =
        outcome.type === 'timedOut' &&
        (outcome.timeoutType === 'ScheduleToClose' || outcome.timeoutType === 'ScheduleToStart')
          ? ({ retryState: 'Timeout' } as const)
          : nextRetry(activity.options.retry, attempt, outcome.failure, now, deadline);
      const retrying = decision.retryState === 'InProgress';
      const nextAttemptTime = retrying ? now + decision.delayMs : undefined;
      const common = {
        scheduledEventId,
        attempt,
        failure: outcome.failure,
        retryState: decision.retryState,
        nextAttemptTime,
      };
      const event: PendingEvent =
        outcome.type === 'failed'
          ? { type: 'ActivityTaskFailed', ...common }
          : { type: 'ActivityTaskTimedOut', ...common, timeoutType: outcome.timeoutType };
      const head = outcome.type === 'timedOut' && outcome.timeoutType === 'ScheduleToStart' ? [] : [started];
      return [...head, event, ...(retrying ? [] : wake)];
    }
    default: {
      const unknown: never = outcome;
      throw new TypeError(`Unknown activity outcome ${JSON.stringify(unknown)}`);
    }
  }
}

interface PendingOutcome {
  attemptRef: ActivityAttemptRef;
  outcome: ActivityOutcome;
  attemptStartTime?: number;
  settle: (error?: unknown) => void;
}

/** Outcomes waiting to be committed, per worker and run. */
const pendingOutcomes = new WeakMap<WorkerRegistry, Map<string, PendingOutcome[]>>();

/** The events of several outcomes of one run, each planned on the state the previous ones leave. */
function outcomesEvents(
  state: RunState,
  items: readonly PendingOutcome[],
  now: number,
): PendingEvent[] | undefined {
  let running = state;
  const events: PendingEvent[] = [];
  for (const item of items) {
    const planned = outcomeEvents(running, item.attemptRef, item.outcome, now, item.attemptStartTime);
    if (!planned) continue;
    running = applyEvents(running, numberEvents(planned, running.nextEventId, now));
    events.push(...planned);
  }
  return events.length ? events : undefined;
}

/**
 * Commits an attempt's outcome. Outcomes of one run that finish while a commit for that run is in
 * flight are coalesced into the next one, so a fan-out of many activities does not turn into as
 * many writers racing for the run's head. When the outcomes wake the workflow and this worker hosts
 * its code, the next workflow task runs right here and everything goes into one write (the fast
 * path); otherwise the router dispatches the workflow task from the stream.
 */
export function commitActivityOutcome(
  deps: RuntimeDeps,
  worker: WorkerRegistry | undefined,
  attemptRef: ActivityAttemptRef,
  outcome: ActivityOutcome,
  attemptStartTime?: number,
): Promise<void> {
  if (!worker) {
    // Async completions and engine timeouts: payloads are already in their stored form.
    return commitToRun(deps, attemptRef, (state, now) => {
      const events = outcomeEvents(state, attemptRef, outcome, now, attemptStartTime);
      return events ? { events } : undefined;
    }).then(() => undefined);
  }
  let byRun = pendingOutcomes.get(worker);
  if (!byRun) pendingOutcomes.set(worker, (byRun = new Map()));
  const key = `${attemptRef.namespace}/${attemptRef.runId}`;
  const queue = byRun.get(key);
  return new Promise<void>((resolve, reject) => {
    const item: PendingOutcome = {
      attemptRef,
      outcome,
      attemptStartTime,
      settle: (error) => (error === undefined ? resolve() : reject(error)),
    };
    if (queue) {
      queue.push(item);
      return;
    }
    const fresh = [item];
    byRun.set(key, fresh);
    void drainOutcomes(deps, worker, attemptRef, byRun, key, fresh);
  });
}

async function drainOutcomes(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  ref: RunRef,
  byRun: Map<string, PendingOutcome[]>,
  key: string,
  queue: PendingOutcome[],
): Promise<void> {
  while (queue.length) {
    const items = queue.splice(0);
    try {
      const state = await deps.store.getRun(ref.namespace, ref.runId);
      if (state && worker.workflows.has(state.workflowType)) {
        await processWorkflowTask(deps, worker, ref, {
          leading: (current, now) => outcomesEvents(current, items, now),
        });
      } else {
        // Outcomes from a worker carry plain payloads: encode them for storage.
        const stored = await Promise.all(
          items.map(async (item) => ({ ...item, outcome: await worker.codec.encode(item.outcome) })),
        );
        await commitToRun(deps, ref, (current, now) => {
          const events = outcomesEvents(current, stored, now);
          return events ? { events } : undefined;
        });
      }
      for (const item of items) item.settle();
    } catch (error) {
      for (const item of items) item.settle(error);
    }
  }
  byRun.delete(key);
}

/** A task of the activity queue: one attempt of one activity. */
export interface ActivityTask {
  ref: RunRef;
  scheduledEventId: number;
  attempt: number;
  input?: Payload[];
}

/**
 * Runs one activity attempt: checks it is still wanted, runs the function with its context
 * (heartbeats, cancellation signal, local timeout watchdogs), and commits the outcome.
 */
export async function processActivityTask(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  task: ActivityTask,
): Promise<void> {
  const { ref, scheduledEventId, attempt } = task;
  const attemptRef: ActivityAttemptRef = { ...ref, scheduledEventId, attempt };
  const state = await deps.store.getRun(ref.namespace, ref.runId);
  const activity = state?.activities[scheduledEventId];
  if (state?.status !== 'Running' || !activity || activity.attempt !== attempt) return;
  const now = deps.clock.now();
  if (activity.nextAttemptTime !== undefined && activity.nextAttemptTime > now) {
    await deps.dispatch.dispatch([
      {
        task: { kind: 'activity', ref, taskQueue: worker.taskQueue, scheduledEventId, attempt },
        dueTime: activity.nextAttemptTime,
      },
    ]);
    return;
  }
  if (activity.cancelRequested) {
    await commitActivityOutcome(deps, worker, attemptRef, { type: 'canceled' });
    return;
  }
  const { options } = activity;
  if (attempt === 1 && options.scheduleToStartMs !== undefined) {
    if (now > activity.scheduledTime + options.scheduleToStartMs) {
      const failure = toFailureInfo(new TimeoutFailure(undefined, 'ScheduleToStart'), worker.converter);
      await commitActivityOutcome(deps, worker, attemptRef, {
        type: 'timedOut',
        timeoutType: 'ScheduleToStart',
        failure,
      });
      return;
    }
    // Tells the schedule-to-start watchdog that the attempt did start.
    await deps.store.recordHeartbeat(ref.namespace, ref.runId, scheduledEventId, { attempt, time: now });
  }
  await scheduleWatchdogs(deps, task, activity, now);
  const outcome = await runAttempt(deps, worker, state, activity, attemptRef, now, task.input);
  if (outcome) await commitActivityOutcome(deps, worker, attemptRef, outcome, now);
}

/** Backstop timers in the engine's queue, in case this worker dies mid-attempt. */
async function scheduleWatchdogs(
  deps: RuntimeDeps,
  task: ActivityTask,
  activity: PendingActivity,
  now: number,
) {
  const { options } = activity;
  const op = (timeoutType: TimeoutType) =>
    ({
      type: 'activityTimeout',
      scheduledEventId: task.scheduledEventId,
      attempt: task.attempt,
      timeoutType,
      attemptStartTime: now,
    }) as const;
  const items = [];
  if (options.startToCloseMs !== undefined) {
    items.push({
      task: { kind: 'system' as const, ref: task.ref, op: op('StartToClose') },
      dueTime: now + options.startToCloseMs,
    });
  }
  if (options.heartbeatMs !== undefined) {
    items.push({
      task: { kind: 'system' as const, ref: task.ref, op: op('Heartbeat') },
      dueTime: now + options.heartbeatMs,
    });
  }
  if (items.length) await deps.dispatch.dispatch(items);
}

/** The reason watchdogs are stopped with (a shared value: an abort without one builds a DOMException each time). */
const ATTEMPT_OVER = new Error('Activity attempt is over');

/** Why an attempt was aborted locally. */
class AttemptAborted extends Error {
  constructor(readonly outcome: ActivityOutcome) {
    super('Activity attempt aborted');
  }
}

/** Reads an activity's input from its scheduling event. */
async function scheduledInput(deps: RuntimeDeps, attemptRef: ActivityAttemptRef) {
  const scheduled = await readEvent(
    deps,
    attemptRef.namespace,
    attemptRef.runId,
    attemptRef.scheduledEventId,
  );
  if (scheduled.type !== 'ActivityTaskScheduled') {
    throw new RangeError(`Event ${attemptRef.scheduledEventId} is not ActivityTaskScheduled`);
  }
  return scheduled.input;
}

async function runAttempt(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  state: RunState,
  activity: PendingActivity,
  attemptRef: ActivityAttemptRef,
  startTime: number,
  inlineInput: Payload[] | undefined,
): Promise<ActivityOutcome | undefined> {
  const { options } = activity;
  const converter = worker.converter;
  const fn = worker.activities.get(activity.activityType);
  if (!fn) {
    const known = [...worker.activities.keys()].join(', ') || 'none';
    const failure = ApplicationFailure.create({
      message: `Activity type '${activity.activityType}' is not registered on task queue '${worker.taskQueue}' (registered: ${known})`,
      type: 'ActivityNotRegistered',
    });
    return { type: 'failed', failure: toFailureInfo(failure, converter) };
  }
  const input = await worker.codec.decode(inlineInput ?? (await scheduledInput(deps, attemptRef)));
  const args = input.map((payload) => converter.fromPayload(payload));
  const lastHeartbeat = await deps.store.getHeartbeat(
    attemptRef.namespace,
    attemptRef.runId,
    attemptRef.scheduledEventId,
  );
  const heartbeatDetails = lastHeartbeat?.details
    ? converter.fromPayload((await worker.codec.decode([lastHeartbeat.details]))[0]!)
    : undefined;

  const controller = new AbortController();
  let abortOutcome: ActivityOutcome | undefined;
  let settleAbort: (outcome: ActivityOutcome) => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    settleAbort = (outcome) => {
      if (abortOutcome) return;
      abortOutcome = outcome;
      controller.abort(
        outcome.type === 'timedOut'
          ? new TimeoutFailure(undefined, outcome.timeoutType)
          : new CancelledFailure(),
      );
      reject(new AttemptAborted(outcome));
    };
  });
  aborted.catch(() => {});
  const watchdogs = new AbortController();
  const timeoutOutcome = (timeoutType: TimeoutType): ActivityOutcome => ({
    type: 'timedOut',
    timeoutType,
    failure: toFailureInfo(new TimeoutFailure(undefined, timeoutType, lastDetails), converter),
  });
  let lastDetails: unknown = heartbeatDetails;
  const watch = (ms: number, timeoutType: TimeoutType) => {
    deps.clock.sleep(ms, { signal: watchdogs.signal }).then(
      () => settleAbort(timeoutOutcome(timeoutType)),
      () => {},
    );
  };
  const closeDeadline =
    options.scheduleToCloseMs !== undefined
      ? activity.scheduledTime + options.scheduleToCloseMs - startTime
      : undefined;
  const attemptBound = Math.min(
    options.startToCloseMs ?? Number.POSITIVE_INFINITY,
    closeDeadline ?? Number.POSITIVE_INFINITY,
  );
  if (Number.isFinite(attemptBound)) {
    watch(
      Math.max(0, attemptBound),
      options.startToCloseMs !== undefined && options.startToCloseMs <= (closeDeadline ?? Infinity)
        ? 'StartToClose'
        : 'ScheduleToClose',
    );
  }
  let heartbeatWatch: AbortController | undefined;
  const resetHeartbeatWatch = () => {
    if (options.heartbeatMs === undefined) return;
    heartbeatWatch?.abort(ATTEMPT_OVER);
    heartbeatWatch = new AbortController();
    const signal = AbortSignal.any([heartbeatWatch.signal, watchdogs.signal]);
    deps.clock.sleep(options.heartbeatMs, { signal }).then(
      () => settleAbort(timeoutOutcome('Heartbeat')),
      () => {},
    );
  };
  resetHeartbeatWatch();

  let heartbeatChain = Promise.resolve();
  const context = new Context(
    {
      activityId: activity.activityId,
      activityType: activity.activityType,
      attempt: attemptRef.attempt,
      workflowId: state.workflowId,
      runId: state.runId,
      workflowType: state.workflowType,
      namespace: state.namespace,
      taskQueue: worker.taskQueue,
      heartbeatDetails,
      scheduledTime: new Date(activity.scheduledTime),
      startedTime: new Date(startTime),
      // A retry's due time was recorded with the failure that scheduled it.
      currentAttemptScheduledTime: new Date(activity.nextAttemptTime ?? activity.scheduledTime),
      idempotencyKey: `${state.namespace}/${state.runId}/${attemptRef.scheduledEventId}`,
      taskToken: encodeTaskToken(attemptRef),
      heartbeatTimeoutMs: options.heartbeatMs,
      startToCloseTimeoutMs: options.startToCloseMs,
      scheduleToCloseTimeoutMs: options.scheduleToCloseMs,
    },
    controller.signal,
    {
      heartbeat: (details) => {
        if (controller.signal.aborted) return;
        lastDetails = details;
        resetHeartbeatWatch();
        // Heartbeats are recorded in order; the answer says whether cancellation was requested.
        heartbeatChain = heartbeatChain
          .then(() => recordHeartbeat(deps, worker, attemptRef, details))
          .then((cancelRequested) => {
            if (cancelRequested) settleAbort({ type: 'canceled' });
          })
          .catch((error: unknown) => deps.logger('warn', 'heartbeat failed', { error: String(error) }));
      },
      sleep: (ms, signal) => deps.clock.sleep(ms, { signal, idle: true }),
      log: (level, message, attrs) =>
        deps.logger(level, message, {
          activityType: activity.activityType,
          workflowId: state.workflowId,
          attrs,
        }),
    },
  );

  try {
    const result = await Promise.race([
      context.run(() => (fn as (...a: unknown[]) => unknown)(...args)),
      aborted,
    ]);
    return { type: 'completed', result: converter.toPayload(result) };
  } catch (error) {
    if (error instanceof AttemptAborted) return error.outcome;
    if (abortOutcome) return abortOutcome;
    if (error instanceof CompleteAsyncError) return undefined;
    return { type: 'failed', failure: toFailureInfo(error, converter) };
  } finally {
    watchdogs.abort(ATTEMPT_OVER);
    heartbeatWatch?.abort(ATTEMPT_OVER);
    await heartbeatChain;
  }
}

/** Records a heartbeat and tells whether the activity's cancellation was requested. */
export async function recordHeartbeat(
  deps: RuntimeDeps,
  worker: Pick<WorkerRegistry, 'converter' | 'codec'> | undefined,
  attemptRef: ActivityAttemptRef,
  details: unknown,
  encoded?: Payload,
): Promise<boolean> {
  const payload =
    encoded ??
    (details === undefined || !worker
      ? undefined
      : (await worker.codec.encode([worker.converter.toPayload(details)]))[0]);
  const state = await deps.store.getRun(attemptRef.namespace, attemptRef.runId);
  const activity = state?.activities[attemptRef.scheduledEventId];
  if (!state || !activity || activity.attempt !== attemptRef.attempt) return true;
  await deps.store.recordHeartbeat(attemptRef.namespace, attemptRef.runId, attemptRef.scheduledEventId, {
    attempt: attemptRef.attempt,
    time: deps.clock.now(),
    details: payload,
  });
  return activity.cancelRequested;
}
