import { CompleteAsyncError, Context } from '../activity/context.ts';
import { COUNT_METRICS, TIMING_METRICS } from '../backend/metric-definitions.ts';
import {
  ApplicationFailure,
  CancelledFailure,
  isBenignFailure,
  TimeoutFailure,
  type TimeoutType,
  toFailureInfo,
} from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import type { ActivityOutcome } from '../engine/activity-outcome.ts';
import type { PendingActivity, RunState } from '../engine/run-state.ts';
import { HeartbeatThrottle, heartbeatThrottleMs, recordHeartbeat } from './activity-heartbeat.ts';
import { readEvent } from './commit.ts';
import type { RuntimeDeps } from './deps.ts';
import { runContext } from './log-context.ts';
import { type ActivityAttemptRef, encodeTaskToken } from './task-token.ts';
import type { WorkerRegistry } from './worker-registry.ts';

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

/**
 * Runs one attempt of an activity function with its context: heartbeats (throttled), the
 * cancellation signal, and local start-to-close / schedule-to-close / heartbeat timeouts. Undefined
 * when the activity completes asynchronously (CompleteAsyncError).
 */
export async function runAttempt(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  state: RunState,
  activity: PendingActivity,
  attemptRef: ActivityAttemptRef,
  startTime: number,
  inlineInput: Payload[] | undefined,
  /** How the attempt reached this worker: from its queue, or started by the worker that scheduled it. */
  startKind: 'queued' | 'eager' = 'queued',
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
  const activityDimensions = { TaskQueue: worker.taskQueue, ActivityType: activity.activityType };
  // A retry is due at the time its failure recorded, not at the first scheduling.
  const dueTime = activity.nextAttemptTime ?? activity.scheduledTime;
  deps.metrics.timing(TIMING_METRICS.activityScheduleToStartLatency, startTime - dueTime, activityDimensions);
  deps.metrics.count(COUNT_METRICS.activityStarts, 1, { ...activityDimensions, StartKind: startKind });
  const input = await worker.codec.decode(inlineInput ?? (await scheduledInput(deps, attemptRef)));
  const args = input.map((payload) => converter.fromPayload(payload));
  // A first attempt has no earlier heartbeat to resume from: no read.
  const lastHeartbeat =
    attemptRef.attempt > 1
      ? await deps.store.getHeartbeat(attemptRef.namespace, attemptRef.runId, attemptRef.scheduledEventId)
      : undefined;
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
  const logContext = runContext({
    workflowId: state.workflowId,
    runId: state.runId,
    taskQueue: worker.taskQueue,
    eventId: attemptRef.scheduledEventId,
  });
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

  // Heartbeats are recorded in order; the answer says whether cancellation was requested.
  const recorded = new HeartbeatThrottle(heartbeatThrottleMs(options.heartbeatMs), deps.clock, (details) =>
    recordHeartbeat(deps, worker, attemptRef, details)
      .then((cancelRequested) => {
        if (cancelRequested) settleAbort({ type: 'canceled' });
      })
      .catch((error: unknown) =>
        deps.logger('warn', 'heartbeat failed', { ...logContext, error: String(error) }),
      ),
  );
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
        recorded.heartbeat(details);
      },
      sleep: (ms, signal) => deps.clock.sleep(ms, { signal, idle: true }),
      log: (level, message, attrs) =>
        deps.logger(level, message, {
          ...logContext,
          activityType: activity.activityType,
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
    const failure = toFailureInfo(error, converter);
    // As Temporal's worker: a failed attempt is a warning, unless the failure says it is benign.
    deps.logger(isBenignFailure(failure) ? 'debug' : 'warn', 'activity failed', {
      ...logContext,
      activityType: activity.activityType,
      attempt: attemptRef.attempt,
      type: failure.type,
      message: failure.message,
    });
    return { type: 'failed', failure };
  } finally {
    watchdogs.abort(ATTEMPT_OVER);
    heartbeatWatch?.abort(ATTEMPT_OVER);
    await recorded.close();
  }
}
