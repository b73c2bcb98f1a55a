import { committedBatch } from '../backend/committed-batch.ts';
import type { AppendRequest, NewRun } from '../backend/ports.ts';
import { HistoryConflictError, WorkflowExecutionAlreadyStartedError } from '../common/errors.ts';
import type { Payload } from '../common/payload.ts';
import type { StartRequest, StartResult } from '../common/wire/start.ts';
import {
  applyEvents,
  hasAppliedRequest,
  initialRunState,
  isClosed,
  type RunState,
} from '../engine/run-state.ts';
import { cronBackoffMs } from '../engine/schedule-spec.ts';
import { appendRequest, MAX_COMMIT_ATTEMPTS, numberEvents, type PendingEvent } from './commit.ts';
import type { RuntimeDeps } from './deps.ts';
import { planDispatch } from './route.ts';
import { signalWorkflow } from './run-control.ts';

export type { StartRequest, StartResult };

/** An update admitted with the start (update-with-start). */
export interface AdmittedUpdate {
  updateId: string;
  updateName: string;
  input: Payload[];
}

/** Builds the first events of a run; with `admitted`, the update's admission is one of them. */
export function newRun(
  request: Omit<StartRequest, 'signal'> & Partial<Pick<StartRequest, 'signal'>>,
  runId: string,
  now: number,
  admitted?: AdmittedUpdate,
): NewRun {
  // A cron run waits for its time before its first workflow task (the router sends `cronStart`).
  const backoffMs = request.cronSchedule !== undefined ? cronBackoffMs(request.cronSchedule, now) : undefined;
  const bodies: PendingEvent[] = [
    {
      type: 'WorkflowExecutionStarted',
      workflowType: request.workflowType,
      workflowId: request.workflowId,
      taskQueue: request.taskQueue,
      input: request.input,
      attempt: 1,
      firstRunId: request.firstRunId ?? runId,
      parent: request.parent,
      parentClosePolicy: request.parentClosePolicy,
      memo: request.memo,
      searchAttributes: request.searchAttributes,
      workflowExecutionTimeoutMs: request.workflowExecutionTimeoutMs,
      workflowRunTimeoutMs: request.workflowRunTimeoutMs,
      executionExpirationTime:
        request.workflowExecutionTimeoutMs !== undefined
          ? now + request.workflowExecutionTimeoutMs
          : undefined,
      randomSeed: runId,
      cronSchedule: request.cronSchedule,
      firstWorkflowTaskBackoffMs: backoffMs,
      requestId: request.requestId,
    },
  ];
  if (request.signal) {
    bodies.push({
      type: 'WorkflowExecutionSignaled',
      signalName: request.signal.name,
      input: request.signal.input,
    });
  }
  if (admitted) bodies.push({ type: 'WorkflowExecutionUpdateAdmitted', ...admitted });
  // A signal-with-start delivers its signal at once; the workflow reads it when its time comes.
  if (backoffMs === undefined)
    bodies.push({
      type: 'WorkflowTaskScheduled',
      attempt: 1,
      ...(request.requestEagerStart ? { eager: true as const } : {}),
    });
  const events = numberEvents(bodies, 1, now);
  return { state: applyEvents(initialRunState(request.namespace, runId), events), events };
}

/**
 * The append that terminates the running run `current` in the same write that starts its
 * successor (a start's TERMINATE_IF_RUNNING, update-with-start's TERMINATE_EXISTING).
 */
export function terminationByStart(deps: RuntimeDeps, current: RunState, reason: string): AppendRequest {
  const events = numberEvents(
    [{ type: 'WorkflowExecutionTerminated', reason }],
    current.nextEventId,
    deps.clock.now(),
  );
  return appendRequest(current, events);
}

/**
 * Starts a run: claims the workflow id under the reuse policy and stores the first events, all or
 * nothing (`HistoryStore.createRun`). With TERMINATE_IF_RUNNING the running run is terminated in
 * the same write.
 */
export async function startWorkflow(deps: RuntimeDeps, request: StartRequest): Promise<StartResult> {
  const policy = request.workflowIdReusePolicy ?? 'ALLOW_DUPLICATE';
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    let terminate: AppendRequest | undefined;
    if (policy === 'TERMINATE_IF_RUNNING' || request.signal) {
      const currentRunId = await deps.store.getCurrentRunId(request.namespace, request.workflowId);
      const current = currentRunId ? await deps.store.getRun(request.namespace, currentRunId) : undefined;
      if (current && !isClosed(current)) {
        if (request.signal) {
          try {
            await signalWorkflow(
              deps,
              { namespace: request.namespace, workflowId: request.workflowId, runId: current.runId },
              request.signal.name,
              request.signal.input,
              { requestId: request.requestId },
            );
            return { runId: current.runId, started: false };
          } catch (error) {
            if (error instanceof HistoryConflictError) continue;
            // Closed in the meantime: fall through to a start.
          }
        } else {
          terminate = terminationByStart(deps, current, 'Terminated by a start with TERMINATE_IF_RUNNING');
        }
      }
    }
    const runId = deps.newId();
    const run = newRun(request, runId, deps.clock.now());
    try {
      await deps.store.createRun(run, request.signal ? 'ALLOW_DUPLICATE' : policy, terminate, () =>
        dispatchFirstTasks(deps, run),
      );
      return { runId, started: true };
    } catch (error) {
      if (error instanceof HistoryConflictError) continue;
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        const retried = await runStartedBy(deps, request);
        if (retried) return { runId: retried, started: true };
        if (request.signal) continue;
      }
      throw error;
    }
  }
  throw new HistoryConflictError(`Could not start workflow ${request.workflowId}: it kept changing`);
}

/**
 * A new run's first tasks, sent by its starter before the run's first batch is written (the store
 * then spares the router that batch: `HistoryStore.createRun`): what the router would send for it,
 * its workflow task marked as possibly ahead of the batch (`beforeCommit`). One stream hop and one
 * router invocation less per start. Answers false if they could not be sent: the router sends them
 * from the batch instead (and sets aside a task for a queue no worker serves, with its reason).
 */
export async function dispatchFirstTasks(deps: RuntimeDeps, run: NewRun): Promise<boolean> {
  const { workflowId, runId, taskQueue } = run.state;
  const items = planDispatch(committedBatch(run.events, run.state), deps.retentionMs).map((item) =>
    item.task.kind === 'workflow' ? { ...item, task: { ...item.task, beforeCommit: true } } : item,
  );
  try {
    await deps.dispatch.dispatch(items);
    return true;
  } catch (error) {
    deps.logger('warn', "a start could not send its run's first tasks; the router sends them", {
      workflowId,
      runId,
      taskQueue,
      message: (error as Error).message,
    });
    return false;
  }
}

/**
 * The run an earlier attempt of this very start request created, if the claim refused this one
 * because of it: the current run of the workflow id, or the first run of its continue-as-new chain.
 */
async function runStartedBy(deps: RuntimeDeps, request: StartRequest): Promise<string | undefined> {
  if (request.requestId === undefined) return undefined;
  const currentRunId = await deps.store.getCurrentRunId(request.namespace, request.workflowId);
  const current = currentRunId ? await deps.store.getRun(request.namespace, currentRunId) : undefined;
  if (!current) return undefined;
  if (hasAppliedRequest(current, request.requestId)) return current.runId;
  if (current.firstRunId === current.runId) return undefined;
  const first = await deps.store.getRun(request.namespace, current.firstRunId);
  return first && hasAppliedRequest(first, request.requestId) ? first.runId : undefined;
}
