import type { RunRef, SystemOp } from '../backend/ports.ts';
import {
  InvalidArgumentError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowExecutionClosedError,
  WorkflowNotFoundError,
} from '../common/errors.ts';
import type { FailureInfo } from '../common/failures.ts';
import type { ActivityOutcome } from '../engine/activity-outcome.ts';
import type { EventOf, HistoryEvent } from '../engine/events.ts';
import { wakeIfIdle } from '../engine/pending-events.ts';
import { isClosed } from '../engine/run-state.ts';
import { commitActivityOutcome } from './activity-outcomes.ts';
import { commitToRun, type PendingEvent, readEvent, readFullHistory } from './commit.ts';
import type { RuntimeDeps } from './deps.ts';
import { requestCancelWorkflow, resolveRun, signalWorkflow, terminateWorkflow } from './run-control.ts';
import { keepRunRetention, renewOpenRuns } from './run-retention.ts';
import { continueCron, notifySchedule } from './schedule/schedule-runs.ts';
import { processScheduleTick } from './schedule/schedule-tick.ts';
import { startWorkflow } from './start-workflow.ts';

/**
 * Runs one task of the engine's own queue: timers, activity timeouts, child starts, external
 * signals and cancels, and what a closing run owes its parent and children. Every op checks the
 * run's state before it writes, so a late or duplicate task is harmless.
 */
export async function processSystemTask(deps: RuntimeDeps, ref: RunRef, op: SystemOp): Promise<void> {
  switch (op.type) {
    case 'fireTimer':
      await commitToRun(deps, ref, (state) => {
        const timer = state.timers[op.startedEventId];
        if (!timer || isClosed(state)) return undefined;
        return {
          events: [
            { type: 'TimerFired', startedEventId: op.startedEventId, seq: timer.seq },
            ...wakeIfIdle(state),
          ],
        };
      });
      return;
    case 'activityTimeout':
      await activityTimeout(deps, ref, op);
      return;
    case 'cancelActivity':
      await commitToRun(deps, ref, (state, now) => {
        const activity = state.activities[op.scheduledEventId];
        const waiting = activity?.nextAttemptTime !== undefined && activity.nextAttemptTime > now;
        if (!activity?.cancelRequested || !waiting || isClosed(state)) return undefined;
        return {
          events: [
            { type: 'ActivityTaskCanceled', scheduledEventId: op.scheduledEventId },
            ...wakeIfIdle(state),
          ],
        };
      });
      return;
    case 'runTimeout':
      await commitToRun(deps, ref, (state, now) => {
        const deadline = Math.min(
          state.runExpirationTime ?? Infinity,
          state.executionExpirationTime ?? Infinity,
        );
        if (isClosed(state) || deadline > now) return undefined;
        const timeoutType = deadline === state.runExpirationTime ? 'Run' : 'Execution';
        return { events: [{ type: 'WorkflowExecutionTimedOut', timeoutType }] };
      });
      return;
    case 'startChild':
      await startChild(deps, ref, op.initiatedEventId);
      return;
    case 'signalExternal':
    case 'cancelExternal':
      await reachExternal(deps, ref, op.initiatedEventId);
      return;
    case 'notifyParent':
      // A cron run's close starts the chain's next run; its parent hears only when the chain ends.
      if (!(await continueCron(deps, ref))) await notifyParent(deps, ref);
      await notifySchedule(deps, ref);
      return;
    case 'cronStart':
      await commitToRun(deps, ref, (state) => {
        if (isClosed(state) || state.workflowTask !== null || state.nextEventId > 2) return undefined;
        return { events: [{ type: 'WorkflowTaskScheduled', attempt: 1 }] };
      });
      return;
    case 'scheduleTick':
      await processScheduleTick(deps, ref.namespace, op.scheduleId, op.token);
      return;
    case 'applyParentClosePolicy':
      await applyParentClosePolicy(deps, ref);
      return;
    case 'expireRun':
      await keepRunRetention(deps, ref);
      return;
    case 'renewOpenRuns':
      await renewOpenRuns(deps, ref, op);
      return;
    default: {
      const unknown: never = op;
      throw new TypeError(`Unknown system op ${JSON.stringify(unknown)}`);
    }
  }
}

async function activityTimeout(
  deps: RuntimeDeps,
  ref: RunRef,
  op: Extract<SystemOp, { type: 'activityTimeout' }>,
) {
  const state = await deps.store.getRun(ref.namespace, ref.runId);
  const activity = state?.activities[op.scheduledEventId];
  if (!state || !activity || isClosed(state)) return;
  const now = deps.clock.now();
  const { options } = activity;
  let attempt = op.attempt;
  switch (op.timeoutType) {
    case 'ScheduleToClose':
      attempt = activity.attempt;
      break;
    case 'ScheduleToStart': {
      const mark = await deps.store.getHeartbeat(ref.namespace, ref.runId, op.scheduledEventId);
      if (activity.attempt !== 1 || mark) return;
      break;
    }
    case 'StartToClose':
      if (activity.attempt !== op.attempt) return;
      break;
    case 'Heartbeat': {
      if (activity.attempt !== op.attempt || options.heartbeatMs === undefined) return;
      const beat = await deps.store.getHeartbeat(ref.namespace, ref.runId, op.scheduledEventId);
      const last = Math.max(op.attemptStartTime ?? 0, beat?.attempt === op.attempt ? beat.time : 0);
      if (last + options.heartbeatMs > now) {
        await deps.dispatch.dispatch([
          { task: { kind: 'system', ref, op }, dueTime: last + options.heartbeatMs },
        ]);
        return;
      }
      break;
    }
  }
  const failure: FailureInfo = {
    kind: 'timeout',
    message: `${op.timeoutType} timeout`,
    timeoutType: op.timeoutType,
  };
  const outcome: ActivityOutcome = { type: 'timedOut', timeoutType: op.timeoutType, failure };
  await commitActivityOutcome(
    deps,
    undefined,
    { ...ref, scheduledEventId: op.scheduledEventId, attempt },
    outcome,
    op.attemptStartTime,
  );
}

async function startChild(deps: RuntimeDeps, ref: RunRef, initiatedEventId: number) {
  const parent = await deps.store.getRun(ref.namespace, ref.runId);
  const child = parent?.children[initiatedEventId];
  if (!parent || !child || child.runId !== undefined || isClosed(parent)) return;
  const initiated = (await readEvent(
    deps,
    ref.namespace,
    ref.runId,
    initiatedEventId,
  )) as EventOf<'StartChildWorkflowExecutionInitiated'>;
  let runId: string;
  try {
    ({ runId } = await startWorkflow(deps, {
      namespace: ref.namespace,
      workflowId: initiated.workflowId,
      workflowType: initiated.workflowType,
      taskQueue: initiated.taskQueue,
      input: initiated.input,
      workflowIdReusePolicy: initiated.workflowIdReusePolicy,
      workflowExecutionTimeoutMs: initiated.workflowExecutionTimeoutMs,
      workflowRunTimeoutMs: initiated.workflowRunTimeoutMs,
      memo: initiated.memo,
      searchAttributes: initiated.searchAttributes,
      cronSchedule: initiated.cronSchedule,
      parent: { namespace: ref.namespace, workflowId: ref.workflowId, runId: ref.runId, initiatedEventId },
      parentClosePolicy: initiated.parentClosePolicy,
      // The initiating event names the start: a redelivered task finds the child it started itself.
      requestId: `${ref.runId}/${initiatedEventId}`,
    }));
  } catch (error) {
    if (error instanceof InvalidArgumentError) {
      // The child's options are bad (an unreadable cronSchedule): the parent's start fails, not the engine.
      await failChildStart(deps, ref, initiatedEventId, child.seq, 'InvalidArgument');
      return;
    }
    // Anything else may pass (a throttled read, a timeout): the task fails and is redelivered,
    // never turned into a permanent StartChildWorkflowExecutionFailed.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    // A child started before request ids were recorded: is the holder ours? Only "not found" (the
    // holder expired meanwhile) means no; a failing read fails the task, to be tried again.
    const existing = await resolveRun(deps, ref.namespace, initiated.workflowId).catch((lookup: unknown) => {
      if (lookup instanceof WorkflowNotFoundError) return undefined;
      throw lookup;
    });
    const ours = existing?.state.parent;
    if (existing && ours?.runId === ref.runId && ours.initiatedEventId === initiatedEventId) {
      runId = existing.state.runId;
    } else {
      await failChildStart(deps, ref, initiatedEventId, child.seq, 'WorkflowAlreadyExists');
      return;
    }
  }
  await commitToRun(deps, ref, (state) => {
    const pending = state.children[initiatedEventId];
    if (!pending || pending.runId !== undefined || isClosed(state)) return undefined;
    return {
      events: [
        { type: 'ChildWorkflowExecutionStarted', initiatedEventId, seq: child.seq, runId },
        ...wakeIfIdle(state),
      ],
    };
  });
}

async function failChildStart(
  deps: RuntimeDeps,
  ref: RunRef,
  initiatedEventId: number,
  seq: number,
  cause: string,
) {
  await commitToRun(deps, ref, (state) => {
    const pending = state.children[initiatedEventId];
    if (!pending || pending.runId !== undefined || isClosed(state)) return undefined;
    return {
      events: [
        { type: 'StartChildWorkflowExecutionFailed', initiatedEventId, seq, cause },
        ...wakeIfIdle(state),
      ],
    };
  });
}

async function reachExternal(deps: RuntimeDeps, ref: RunRef, initiatedEventId: number) {
  const source = await deps.store.getRun(ref.namespace, ref.runId);
  const pending = source?.externals[initiatedEventId];
  if (!source || !pending) return;
  const initiated = await readEvent(deps, ref.namespace, ref.runId, initiatedEventId);
  let cause: string | undefined;
  try {
    const target = await resolveRun(deps, ref.namespace, pending.workflowId, pending.runId);
    if (initiated.type === 'SignalExternalWorkflowExecutionInitiated') {
      // The initiating event names the request: a redelivered system task signals once.
      await signalWorkflow(deps, target.ref, initiated.signalName, initiated.input, {
        identity: `${ref.workflowId}/${ref.runId}`,
        requestId: `${ref.runId}/${initiatedEventId}`,
      });
    } else {
      await requestCancelWorkflow(
        deps,
        target.ref,
        `Requested by workflow ${ref.workflowId}`,
        `${ref.runId}/${initiatedEventId}`,
      );
    }
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) cause = 'ExternalWorkflowExecutionNotFound';
    else if (error instanceof WorkflowExecutionClosedError) cause = 'ExternalWorkflowExecutionClosed';
    else throw error;
  }
  await commitToRun(deps, ref, (state) => {
    if (!state.externals[initiatedEventId] || isClosed(state)) return undefined;
    const seq = pending.seq;
    const signal = pending.kind === 'signal';
    const event: PendingEvent = cause
      ? signal
        ? { type: 'SignalExternalWorkflowExecutionFailed', initiatedEventId, seq, cause }
        : { type: 'RequestCancelExternalWorkflowExecutionFailed', initiatedEventId, seq, cause }
      : signal
        ? { type: 'ExternalWorkflowExecutionSignaled', initiatedEventId, seq }
        : { type: 'ExternalWorkflowExecutionCancelRequested', initiatedEventId, seq };
    return { events: [event, ...wakeIfIdle(state)] };
  });
}

/** The event a parent records when its child's chain of runs closes. */
function childClosedEvent(
  close: HistoryEvent,
  initiatedEventId: number,
  seq: number,
): PendingEvent | undefined {
  const failed = (
    closeStatus: 'Failed' | 'TimedOut' | 'Canceled' | 'Terminated',
    failure: FailureInfo,
  ): PendingEvent => ({
    type: 'ChildWorkflowExecutionFailed',
    initiatedEventId,
    seq,
    failure,
    closeStatus,
  });
  switch (close.type) {
    case 'WorkflowExecutionCompleted':
      return { type: 'ChildWorkflowExecutionCompleted', initiatedEventId, seq, result: close.result };
    case 'WorkflowExecutionFailed':
      return failed('Failed', close.failure);
    case 'WorkflowExecutionTimedOut':
      return failed('TimedOut', {
        kind: 'timeout',
        message: 'Child workflow timed out',
        timeoutType: 'StartToClose',
      });
    case 'WorkflowExecutionCanceled':
      return failed('Canceled', { kind: 'cancelled', message: 'Child workflow cancelled' });
    case 'WorkflowExecutionTerminated':
      return failed('Terminated', {
        kind: 'terminated',
        message: close.reason ?? 'Child workflow terminated',
      });
    default:
      return undefined;
  }
}

async function notifyParent(deps: RuntimeDeps, ref: RunRef) {
  const child = await deps.store.getRun(ref.namespace, ref.runId);
  if (!child?.parent || !isClosed(child) || child.status === 'ContinuedAsNew') return;
  const history = await readFullHistory(deps, ref.namespace, ref.runId, child.nextEventId - 1);
  const close = history.at(-1);
  const parentRef = child.parent;
  if (!close) return;
  await commitToRun(deps, { ...parentRef }, (parent) => {
    const pending = parent.children[parentRef.initiatedEventId];
    if (!pending || isClosed(parent)) return undefined;
    const event = childClosedEvent(close, parentRef.initiatedEventId, pending.seq);
    if (!event) return undefined;
    // A child can close before its start was recorded on the parent: record both, in order.
    const started: PendingEvent[] =
      pending.runId === undefined
        ? [
            {
              type: 'ChildWorkflowExecutionStarted',
              initiatedEventId: parentRef.initiatedEventId,
              seq: pending.seq,
              runId: child.firstRunId,
            },
          ]
        : [];
    return { events: [...started, event, ...wakeIfIdle(parent)] };
  });
}

async function applyParentClosePolicy(deps: RuntimeDeps, ref: RunRef) {
  const parent = await deps.store.getRun(ref.namespace, ref.runId);
  if (!parent || !isClosed(parent)) return;
  for (const child of Object.values(parent.children)) {
    if (child.parentClosePolicy === 'ABANDON' || child.runId === undefined) continue;
    const childRef = { namespace: ref.namespace, workflowId: child.workflowId, runId: child.runId };
    try {
      const current = await resolveRun(deps, ref.namespace, child.workflowId);
      const target =
        current.state.firstRunId === child.runId || current.ref.runId === child.runId
          ? current.ref
          : childRef;
      if (child.parentClosePolicy === 'TERMINATE')
        await terminateWorkflow(deps, target, `Parent ${ref.workflowId} closed`);
      else await requestCancelWorkflow(deps, target, `Parent ${ref.workflowId} closed`);
    } catch (error) {
      if (!(error instanceof WorkflowExecutionClosedError) && !(error instanceof WorkflowNotFoundError))
        throw error;
    }
  }
}
