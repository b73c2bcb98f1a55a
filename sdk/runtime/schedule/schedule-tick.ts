import type { DispatchItem } from '../../backend/ports.ts';
import {
  HistoryConflictError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowExecutionClosedError,
  WorkflowNotFoundError,
} from '../../common/errors.ts';
import { isClosed } from '../../engine/run-state.ts';
import {
  type BufferedStart,
  collectDue,
  MAX_RECENT,
  planBuffer,
  type RunningAction,
  type ScheduleRecord,
} from '../../engine/schedule-record.ts';
import { compileSpec, scheduledWorkflowId } from '../../engine/schedule-spec.ts';
import { SCHEDULED_BY_ID } from '../close-notices.ts';
import { MAX_COMMIT_ATTEMPTS } from '../commit.ts';
import type { RuntimeDeps } from '../deps.ts';
import { requestCancelWorkflow, resolveRun, terminateWorkflow } from '../run-control.ts';
import { startWorkflow } from '../start-workflow.ts';

/** The search attributes Temporal sets on a run a schedule started; the first one leads its close back here. */
export { SCHEDULED_BY_ID };
export const SCHEDULED_START_TIME = 'TemporalScheduledStartTime';

/** The ref a schedule's tick travels under: the schedule's namespace, and its id. */
export function scheduleTickItem(
  namespace: string,
  scheduleId: string,
  token?: string,
  dueTime?: number,
): DispatchItem {
  return {
    task: {
      kind: 'system',
      ref: { namespace, workflowId: scheduleId, runId: 'schedule' },
      op: { type: 'scheduleTick', scheduleId, token },
    },
    dueTime,
  };
}

/** A running action's current state: closed (and whether it failed), or still running. */
async function runStatus(deps: RuntimeDeps, namespace: string, action: RunningAction) {
  try {
    const { state } = await resolveRun(deps, namespace, action.workflowId);
    if (state.firstRunId !== action.firstExecutionRunId && state.runId !== action.firstExecutionRunId) {
      // The id has a newer chain: ours closed before it started.
      return { closed: true, failed: false };
    }
    return { closed: isClosed(state), failed: state.status === 'Failed' || state.status === 'TimedOut' };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { closed: true, failed: false };
    throw error;
  }
}

/** Starts the run for one held action; a start that already happened (a retried tick) finds its run. */
async function take(deps: RuntimeDeps, record: ScheduleRecord, item: BufferedStart, now: number) {
  const { action } = record.body;
  const workflowId = scheduledWorkflowId(action.workflowId, item.nominal);
  let firstExecutionRunId: string;
  try {
    ({ runId: firstExecutionRunId } = await startWorkflow(deps, {
      namespace: record.namespace,
      workflowId,
      workflowType: action.workflowType,
      taskQueue: action.taskQueue,
      input: action.input,
      // A retried fire must never start a second run under the same id.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowExecutionTimeoutMs: action.workflowExecutionTimeoutMs,
      workflowRunTimeoutMs: action.workflowRunTimeoutMs,
      memo: action.memo,
      searchAttributes: {
        ...action.searchAttributes,
        [SCHEDULED_BY_ID]: record.scheduleId,
        [SCHEDULED_START_TIME]: new Date(item.nominal).toISOString(),
      },
    }));
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const existing = await resolveRun(deps, record.namespace, workflowId);
    firstExecutionRunId = existing.state.firstRunId;
  }
  record.numActions++;
  if (!item.manual && record.body.state.remainingActions !== undefined)
    record.body.state.remainingActions = Math.max(0, record.body.state.remainingActions - 1);
  record.recent.push({ scheduledAt: item.nominal, takenAt: now, workflowId, firstExecutionRunId });
  record.recent = record.recent.slice(-MAX_RECENT);
  return { workflowId, firstExecutionRunId };
}

async function ignoreClosed(work: Promise<void>) {
  try {
    await work;
  } catch (error) {
    if (!(error instanceof WorkflowExecutionClosedError) && !(error instanceof WorkflowNotFoundError))
      throw error;
  }
}

/**
 * Moves one schedule on to `now`: notes which of its runs closed (pausing on a failure if asked),
 * turns due times into held actions, takes what the overlap policy allows, and sends the one tick it
 * waits for next, before its conditional write, so a crash after the write never loses the chain (a
 * crash before it redelivers this tick, which redoes the same starts under the same ids).
 */
export async function processScheduleTick(
  deps: RuntimeDeps,
  namespace: string,
  scheduleId: string,
  token?: string,
): Promise<void> {
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const stored = await deps.schedules.getSchedule(namespace, scheduleId);
    if (!stored) return;
    if (token !== undefined && stored.wake?.token !== token) return;
    const record = structuredClone(stored);
    const now = deps.clock.now();
    const spec = compileSpec(record.body.spec, scheduleId);

    const running: RunningAction[] = [];
    for (const action of record.running) {
      const status = await runStatus(deps, namespace, action);
      if (!status.closed) running.push(action);
      else if (status.failed && record.body.policies.pauseOnFailure && !record.body.state.paused) {
        record.body.state.paused = true;
        record.body.state.note = `Paused after workflow ${action.workflowId} failed`;
      }
    }
    record.running = running;
    const more = collectDue(record, spec, now);
    // A paused schedule holds nothing it was due to do, but still takes what a trigger or backfill asked.
    if (record.body.state.paused) record.buffer = record.buffer.filter((item) => item.manual);

    const plan = planBuffer(record.buffer, record.running);
    for (const other of plan.terminate) {
      const ref = { namespace, workflowId: other.workflowId, runId: other.firstExecutionRunId };
      const current = await resolveRun(deps, namespace, other.workflowId).catch(() => undefined);
      await ignoreClosed(
        terminateWorkflow(deps, current?.ref ?? ref, `Schedule ${scheduleId}: TERMINATE_OTHER`),
      );
      record.running = record.running.filter((r) => r.workflowId !== other.workflowId);
    }
    for (const other of plan.cancel) {
      const current = await resolveRun(deps, namespace, other.workflowId).catch(() => undefined);
      if (current)
        await ignoreClosed(requestCancelWorkflow(deps, current.ref, `Schedule ${scheduleId}: CANCEL_OTHER`));
      record.running = record.running.map((r) =>
        r.workflowId === other.workflowId ? { ...r, cancelRequested: true } : r,
      );
    }
    for (const item of plan.start) record.running.push(await take(deps, record, item, now));
    record.buffer = plan.keep;
    record.numActionsSkippedOverlap += plan.skipped;

    const wakeAt = more ? now : nextWake(record, spec);
    record.wake = wakeAt === undefined ? undefined : { token: deps.newId(), at: wakeAt };
    if (record.wake)
      await deps.dispatch.dispatch([scheduleTickItem(namespace, scheduleId, record.wake.token, wakeAt)]);
    try {
      await deps.schedules.putSchedule(record, stored.version);
      return;
    } catch (error) {
      if (!(error instanceof HistoryConflictError)) throw error;
    }
  }
  throw new HistoryConflictError(`Schedule ${scheduleId} kept changing; its tick will be redelivered`);
}

/** When the schedule next has something to do by itself, or undefined: paused, used up or ended. */
export function nextWake(record: ScheduleRecord, spec: ReturnType<typeof compileSpec>): number | undefined {
  const { state } = record.body;
  if (state.paused) return undefined;
  if (state.remainingActions !== undefined && state.remainingActions <= 0) return undefined;
  return spec.next(record.processedUntil)?.actual;
}
