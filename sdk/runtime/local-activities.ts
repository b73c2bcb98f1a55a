import { CompleteAsyncError, Context } from '../activity/context.ts';
import {
  ApplicationFailure,
  type FailureInfo,
  isBenignFailure,
  TimeoutFailure,
  type TimeoutType,
  toFailureInfo,
} from '../common/failures.ts';
import type { Payload } from '../common/payload.ts';
import type { LocalActivityOutcome, LocalActivityRequest } from '../engine/local-activities.ts';
import type { ActivationResult, Replayer } from '../engine/replayer.ts';
import { MAX_LOCAL_ACTIVITY_ROUNDS, tooManyRounds } from '../engine/replayer.ts';
import { nextRetry } from '../engine/retry-policy.ts';
import type { WorkflowInfo } from '../engine/workflow-info.ts';
import type { RuntimeDeps } from './deps.ts';
import { runContext } from './log-context.ts';
import type { WorkerRegistry } from './worker-registry.ts';

/**
 * Runs the local activities a new workflow task called, in this worker, before the task commits
 * (Temporal's local activities): round by round, each round's outcomes going back to the workflow,
 * which may call more. The outcomes are recorded as markers with the task's commands, so replay
 * reads them and never runs an activity again.
 */
export async function runLocalActivities(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  replayer: Replayer,
  first: ActivationResult,
): Promise<ActivationResult> {
  let result = first;
  for (let round = 0; result.taskFailure === undefined; round++) {
    const requests = replayer.activator.localActivities.takeRequests();
    if (requests.length === 0) break;
    if (round >= MAX_LOCAL_ACTIVITY_ROUNDS) throw tooManyRounds();
    const info = replayer.activator.info;
    const outcomes = await Promise.all(
      requests.map((request) => runLocalActivity(deps, worker, info, request)),
    );
    const more = await replayer.activateLocalOutcomes(outcomes);
    result = {
      commands: [...result.commands, ...more.commands],
      taskFailure: more.taskFailure,
      updateDecisions: [...result.updateDecisions, ...more.updateDecisions],
    };
  }
  return result;
}

/**
 * Runs one local activity to an outcome: attempts with start-to-close (and schedule-to-close)
 * timeouts, retried in place while the policy's next delay is within `localRetryThreshold`; a later
 * retry is handed back as a backoff, which the workflow waits out on a durable timer.
 */
export async function runLocalActivity(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  info: WorkflowInfo,
  request: LocalActivityRequest,
): Promise<LocalActivityOutcome> {
  const { options } = request;
  const deadline =
    options.scheduleToCloseMs !== undefined
      ? request.originalScheduleTime + options.scheduleToCloseMs
      : undefined;
  for (let attempt = request.attempt; ; attempt++) {
    const outcome = await runAttempt(deps, worker, info, request, attempt, deadline);
    if (outcome.type === 'completed') return { seq: request.seq, attempt, ...outcome };
    const now = deps.clock.now();
    const decision = nextRetry(options.retry, attempt, outcome.failure, now, deadline);
    if (decision.retryState !== 'InProgress') {
      return {
        seq: request.seq,
        attempt,
        type: 'failed',
        failure: outcome.failure,
        retryState: decision.retryState,
      };
    }
    if (decision.delayMs > options.localRetryThresholdMs) {
      return {
        seq: request.seq,
        attempt,
        type: 'backoff',
        failure: outcome.failure,
        backoffMs: decision.delayMs,
      };
    }
    await deps.clock.sleep(decision.delayMs, { idle: true });
  }
}

/** One attempt's end: a result, or a failure the retry policy judges. */
type AttemptOutcome = { type: 'completed'; result: Payload } | { type: 'failed'; failure: FailureInfo };

async function runAttempt(
  deps: RuntimeDeps,
  worker: WorkerRegistry,
  info: WorkflowInfo,
  request: LocalActivityRequest,
  attempt: number,
  deadline: number | undefined,
): Promise<AttemptOutcome> {
  const converter = worker.converter;
  const fn = worker.activities.get(request.activityType);
  if (!fn) {
    const known = [...worker.activities.keys()].join(', ') || 'none';
    const failure = ApplicationFailure.create({
      message: `Local activity type '${request.activityType}' is not registered on task queue '${worker.taskQueue}' (registered: ${known}); a local activity runs in the workflow's own worker`,
      type: 'ActivityNotRegistered',
      nonRetryable: true,
    });
    return { type: 'failed', failure: toFailureInfo(failure, converter) };
  }
  const startTime = deps.clock.now();
  const { startToCloseMs } = request.options;
  const untilDeadline = deadline !== undefined ? deadline - startTime : undefined;
  const bound = Math.min(
    startToCloseMs ?? Number.POSITIVE_INFINITY,
    untilDeadline ?? Number.POSITIVE_INFINITY,
  );
  const timeoutType: TimeoutType =
    startToCloseMs !== undefined && startToCloseMs <= (untilDeadline ?? Number.POSITIVE_INFINITY)
      ? 'StartToClose'
      : 'ScheduleToClose';
  const controller = new AbortController();
  const watchdog = new AbortController();
  const timedOut = new Promise<never>((_, reject) => {
    if (!Number.isFinite(bound)) return;
    deps.clock.sleep(Math.max(0, bound), { signal: watchdog.signal }).then(
      () => {
        const failure = new TimeoutFailure(undefined, timeoutType);
        controller.abort(failure);
        reject(failure);
      },
      () => {},
    );
  });
  timedOut.catch(() => {});
  const logContext = runContext({
    workflowId: info.workflowId,
    runId: info.runId,
    taskQueue: worker.taskQueue,
  });
  const context = new Context(
    {
      activityId: request.activityId,
      activityType: request.activityType,
      attempt,
      workflowId: info.workflowId,
      runId: info.runId,
      workflowType: info.workflowType,
      namespace: info.namespace,
      taskQueue: worker.taskQueue,
      heartbeatDetails: undefined,
      scheduledTime: new Date(request.originalScheduleTime),
      startedTime: new Date(startTime),
      currentAttemptScheduledTime: new Date(
        attempt === request.attempt ? request.originalScheduleTime : startTime,
      ),
      idempotencyKey: `${info.namespace}/${info.runId}/local/${request.activityId}`,
      // A local activity has no task token: nothing outside its worker can complete it.
      taskToken: '',
      startToCloseTimeoutMs: startToCloseMs,
      scheduleToCloseTimeoutMs: request.options.scheduleToCloseMs,
      isLocal: true,
    },
    controller.signal,
    {
      // As in Temporal, a local activity does not heartbeat: there is no heartbeat timeout to keep at bay.
      heartbeat: () => {},
      sleep: (ms, signal) => deps.clock.sleep(ms, { signal, idle: true }),
      log: (level, message, attrs) =>
        deps.logger(level, message, { ...logContext, activityType: request.activityType, attrs }),
    },
  );
  try {
    const value = await Promise.race([
      context.run(() =>
        (fn as (...a: unknown[]) => unknown)(...request.input.map((p) => converter.fromPayload(p))),
      ),
      timedOut,
    ]);
    return { type: 'completed', result: converter.toPayload(value) };
  } catch (error) {
    const thrown =
      error instanceof CompleteAsyncError
        ? ApplicationFailure.nonRetryable(
            'A local activity cannot complete asynchronously (it has no task token); use proxyActivities for it',
            'CompleteAsyncError',
          )
        : error;
    const failure = toFailureInfo(thrown, converter);
    deps.logger(isBenignFailure(failure) ? 'debug' : 'warn', 'local activity failed', {
      ...logContext,
      activityType: request.activityType,
      attempt,
      type: failure.type,
      message: failure.message,
    });
    return { type: 'failed', failure };
  } finally {
    watchdog.abort();
  }
}
