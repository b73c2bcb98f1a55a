import type { CommittedBatch, DispatchItem, Task } from '../backend/ports.ts';
import { closeNeedsExpiryPass, DEFAULT_RETENTION_MS, renewalSweep } from '../backend/retention.ts';
import { UnknownTaskQueueError } from '../common/errors.ts';
import { holdsEagerClaim } from '../engine/eager-activities.ts';
import { closeHasListeners, closeReachesChildren } from './close-notices.ts';
import { recordUnroutable } from './dead-letter.ts';
import type { RuntimeDeps } from './deps.ts';
import { runRefOf } from './run-ref.ts';
import { renewalSweepItem } from './run-retention.ts';

/**
 * When the backstop of an eager start's first workflow task is sent: Temporal's default workflow
 * task timeout. The API ran the task itself; the message only covers an API that died first.
 */
export const EAGER_WORKFLOW_TASK_BACKSTOP_MS = 10_000;

/** Largest activity input carried in a task message (SQS messages hold 256 KB). */
const INLINE_INPUT_BYTES = 32 * 1024;

/**
 * The router's decision for one committed batch: which tasks its events call for. Pure, and
 * idempotent on (run, event id): the same batch always yields the same tasks, so a stream batch
 * delivered twice sends duplicates that every consumer already tolerates.
 */
export function planDispatch(batch: CommittedBatch, retentionMs?: number): DispatchItem[] {
  const ref = runRefOf(batch);
  const items: DispatchItem[] = [];
  const system = (op: Extract<Task, { kind: 'system' }>['op'], dueTime?: number) =>
    items.push({ task: { kind: 'system', ref, op }, dueTime });
  // A workflow task started in the same batch as its scheduling ran inline (the fast path).
  const startedInBatch = new Set<number>();
  for (const event of batch.events)
    if (event.type === 'WorkflowTaskStarted') startedInBatch.add(event.scheduledEventId);

  for (const event of batch.events) {
    switch (event.type) {
      case 'WorkflowExecutionStarted': {
        const runDeadline =
          event.workflowRunTimeoutMs !== undefined ? event.eventTime + event.workflowRunTimeoutMs : undefined;
        const deadline = Math.min(runDeadline ?? Infinity, event.executionExpirationTime ?? Infinity);
        if (Number.isFinite(deadline)) system({ type: 'runTimeout' }, deadline);
        if (event.firstWorkflowTaskBackoffMs !== undefined)
          system({ type: 'cronStart' }, event.eventTime + event.firstWorkflowTaskBackoffMs);
        // A run that may outlive its items' first expiry joins its start day's renewal sweep
        // (backend/retention.ts), one parked task for all of them, not a timer each; only where
        // items expire at all: an engine without a retention (time skipping) keeps everything.
        const sweep = retentionMs ? renewalSweep(batch.state, retentionMs) : undefined;
        if (sweep) items.push(renewalSweepItem(batch.namespace, sweep));
        break;
      }
      case 'WorkflowTaskScheduled':
        if (!startedInBatch.has(event.eventId)) {
          const task: Task = {
            kind: 'workflow',
            ref,
            taskQueue: batch.taskQueue,
            scheduledEventId: event.eventId,
          };
          // A signal, timer or update while an eager attempt runs: not held up until it ends.
          if (holdsEagerClaim(batch.state, event.eventTime)) task.besideEager = true;
          items.push({
            task,
            dueTime: event.eager ? event.eventTime + EAGER_WORKFLOW_TASK_BACKSTOP_MS : undefined,
          });
        }
        break;
      case 'ActivityTaskScheduled': {
        // Taken by the worker that committed it (eager execution): it started then, so no task and
        // no schedule-to-start timeout; if that invocation dies, the message that anchored it
        // reappears and times the orphaned attempt out (sdk/engine/eager-activities.ts).
        const eager = event.eagerUntil !== undefined;
        // Small inputs ride in the message; large ones are read from history by the worker.
        const inline = JSON.stringify(event.input).length <= INLINE_INPUT_BYTES ? event.input : undefined;
        if (!eager) {
          items.push({
            task: {
              kind: 'activity',
              ref,
              taskQueue: event.taskQueue,
              scheduledEventId: event.eventId,
              attempt: 1,
              input: inline,
            },
          });
        }
        const { scheduleToCloseMs } = event.options;
        const scheduleToStartMs = eager ? undefined : event.options.scheduleToStartMs;
        const timeout = (timeoutType: 'ScheduleToClose' | 'ScheduleToStart', ms: number) =>
          system(
            { type: 'activityTimeout', scheduledEventId: event.eventId, attempt: 1, timeoutType },
            event.eventTime + ms,
          );
        if (scheduleToCloseMs !== undefined) timeout('ScheduleToClose', scheduleToCloseMs);
        if (scheduleToStartMs !== undefined) timeout('ScheduleToStart', scheduleToStartMs);
        break;
      }
      case 'ActivityTaskFailed':
      case 'ActivityTaskTimedOut':
        if (event.retryState === 'InProgress') {
          items.push({
            task: {
              kind: 'activity',
              ref,
              taskQueue: batch.state.activities[event.scheduledEventId]?.taskQueue ?? batch.taskQueue,
              scheduledEventId: event.scheduledEventId,
              attempt: event.attempt + 1,
            },
            dueTime: event.nextAttemptTime,
          });
        }
        break;
      case 'ActivityTaskCancelRequested':
        // A running attempt learns of it from its next heartbeat; one waiting out a backoff is cancelled now.
        system({ type: 'cancelActivity', scheduledEventId: event.scheduledEventId });
        break;
      case 'TimerStarted':
        system({ type: 'fireTimer', startedEventId: event.eventId }, event.fireTime);
        break;
      case 'StartChildWorkflowExecutionInitiated':
        system({ type: 'startChild', initiatedEventId: event.eventId });
        break;
      case 'SignalExternalWorkflowExecutionInitiated':
        system({ type: 'signalExternal', initiatedEventId: event.eventId });
        break;
      case 'RequestCancelExternalWorkflowExecutionInitiated':
        system({ type: 'cancelExternal', initiatedEventId: event.eventId });
        break;
      case 'WorkflowExecutionCompleted':
      case 'WorkflowExecutionFailed':
      case 'WorkflowExecutionTimedOut':
      case 'WorkflowExecutionTerminated':
      case 'WorkflowExecutionCanceled':
      case 'WorkflowExecutionContinuedAsNew':
        // Only the close's notices that have work: most runs have no parent, no cron schedule, no
        // schedule that started them and no children, and a task for each would cost a message and
        // an invocation that reads the run only to do nothing.
        if (closeHasListeners(batch.state)) system({ type: 'notifyParent' });
        if (closeReachesChildren(batch.state)) system({ type: 'applyParentClosePolicy' });
        // Usually every item already lives past close + retention: then the close writes nothing more.
        if (closeNeedsExpiryPass(batch.state, retentionMs ?? DEFAULT_RETENTION_MS)) {
          system({ type: 'expireRun' });
        }
        break;
      // Facts the workflow reads on its next task (which its own event dispatches) or outcomes of
      // work already dispatched: nothing to send.
      case 'WorkflowTaskStarted':
      case 'WorkflowTaskCompleted':
      case 'WorkflowTaskFailed':
      case 'ActivityTaskStarted':
      case 'ActivityTaskCompleted':
      case 'ActivityTaskCanceled':
      case 'TimerFired':
      case 'TimerCanceled':
      case 'MarkerRecorded':
      case 'WorkflowExecutionSignaled':
      case 'WorkflowExecutionCancelRequested':
      case 'WorkflowExecutionUpdateAdmitted':
      case 'WorkflowExecutionUpdateRejected':
      case 'WorkflowExecutionUpdateAccepted':
      case 'WorkflowExecutionUpdateCompleted':
      case 'UpsertWorkflowSearchAttributes':
      case 'StartChildWorkflowExecutionFailed':
      case 'ChildWorkflowExecutionStarted':
      case 'ChildWorkflowExecutionCompleted':
      case 'ChildWorkflowExecutionFailed':
      case 'SignalExternalWorkflowExecutionFailed':
      case 'ExternalWorkflowExecutionSignaled':
      case 'RequestCancelExternalWorkflowExecutionFailed':
      case 'ExternalWorkflowExecutionCancelRequested':
        break;
      default: {
        // A new event type fails compilation here until the outbox says what it dispatches.
        const unrouted: never = event;
        throw new TypeError(`The router does not know event type ${(unrouted as { type: string }).type}`);
      }
    }
  }
  return items;
}

/**
 * Whether the router has anything to send for a committed batch. A batch without is marked by its
 * writer (with what its store's own visibility needs: the DynamoDB store's `mayNeedRecord`), and
 * the router's stream mapping filters it out, so an eager step, which sends nothing, and a close
 * with nothing to notify cost no router invocation. The same function decides both, so the mark
 * can never hide work from the router.
 */
export function routerHasWork(batch: CommittedBatch, retentionMs?: number): boolean {
  return planDispatch(batch, retentionMs).length > 0;
}

/**
 * Routes committed batches (the history stream) to task queues. A task for a task queue no worker
 * serves is set aside with its reason on its run rather than failing the batch: a stream shard
 * retries a failed record (and everything behind it, other runs' records too) until it expires, so
 * one unroutable task would stall every run that shares the shard.
 */
export async function routeBatches(
  deps: Pick<
    RuntimeDeps,
    'dispatch' | 'store' | 'clock' | 'logger' | 'metrics' | 'knownTaskQueues' | 'retentionMs'
  >,
  batches: readonly CommittedBatch[],
): Promise<void> {
  await Promise.all(batches.map((batch) => deps.store.settleVisibility(batch)));
  const items = batches.flatMap((batch) => planDispatch(batch, deps.retentionMs));
  const known = deps.knownTaskQueues;
  const unroutable = (item: DispatchItem) =>
    known !== undefined && item.task.kind !== 'system' && !known.includes(item.task.taskQueue);
  const routable = items.filter((item) => !unroutable(item));
  for (const item of items) {
    if (unroutable(item)) {
      const taskQueue = (item.task as { taskQueue: string }).taskQueue;
      await recordUnroutable(deps, item, new UnknownTaskQueueError(taskQueue, known));
    }
  }
  if (!routable.length) return;
  try {
    await deps.dispatch.dispatch(routable);
  } catch (error) {
    if (!(error instanceof UnknownTaskQueueError)) throw error;
    // The engine did not know its queues, and one is missing: find which tasks it concerns.
    for (const item of routable) {
      try {
        await deps.dispatch.dispatch([item]);
      } catch (itemError) {
        if (!(itemError instanceof UnknownTaskQueueError)) throw itemError;
        await recordUnroutable(deps, item, itemError);
      }
    }
  }
}
