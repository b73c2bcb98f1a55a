// The outbox's decision, batch by batch over golden histories: committed events in, tasks out.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommittedBatch } from '../../sdk/backend/ports.ts';
import {
  CLOSE_WITHOUT_WRITES_MS,
  DEFAULT_RETENTION_MS,
  RENEWAL_MARGIN_MS,
} from '../../sdk/backend/retention.ts';
import type { HistoryEvent } from '../../sdk/engine/events.ts';
import { applyEvents, initialRunState, type RunState } from '../../sdk/engine/run-state.ts';
import { planDispatch } from '../../sdk/runtime/route.ts';

const DAY = 86_400_000;

function golden(name: string): HistoryEvent[] {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/golden/${name}.history.json`, import.meta.url), 'utf8'),
  );
}

/** Commits `history` in batches ending at the given event ids, as the history stream delivers them. */
function batches(history: HistoryEvent[], lastEventIds: number[]): CommittedBatch[] {
  const started = history[0] as Extract<HistoryEvent, { type: 'WorkflowExecutionStarted' }>;
  let state: RunState = initialRunState('default', 'run-1');
  let from = 0;
  return lastEventIds.map((last) => {
    const events = history.slice(from, last);
    from = last;
    state = applyEvents(state, events);
    return {
      namespace: 'default',
      workflowId: started.workflowId,
      runId: 'run-1',
      taskQueue: started.taskQueue,
      events,
      state,
    };
  });
}

const ref = (workflowId: string) => ({ namespace: 'default', workflowId, runId: 'run-1' });

describe('planDispatch over the loan history', () => {
  const loan = golden('loan-approved');
  // start | first task + verifyIdentity scheduled | its outcome, fast-path task, getCreditScore |
  // attempt 1 failed (retrying) | attempt 2 + fast-path task + notifyApplicant | its outcome + close
  const [start, firstTask, fastPath, retrying, secondAttempt, close] = batches(loan, [2, 5, 11, 13, 19, 25]);

  it('dispatches the first workflow task of a start', () => {
    expect(planDispatch(start!)).toEqual([
      { task: { kind: 'workflow', ref: ref('golden-loan'), taskQueue: 'loans', scheduledEventId: 2 } },
    ]);
  });

  it('dispatches a scheduled activity with its small input inline, on its own task queue', () => {
    const scheduled = loan[4] as Extract<HistoryEvent, { type: 'ActivityTaskScheduled' }>;
    expect(planDispatch(firstTask!)).toEqual([
      {
        task: {
          kind: 'activity',
          ref: ref('golden-loan'),
          taskQueue: 'loans',
          scheduledEventId: 5,
          attempt: 1,
          input: scheduled.input,
        },
      },
    ]);
  });

  it('sends no workflow task for one started in the same batch (the fast path ran it)', () => {
    const items = planDispatch(fastPath!);
    expect(items.map((item) => item.task.kind)).toEqual(['activity']);
    expect(items[0]!.task).toMatchObject({ scheduledEventId: 11, attempt: 1 });
  });

  it('dispatches the next attempt of a retrying activity at its backoff time', () => {
    const failed = loan[12] as Extract<HistoryEvent, { type: 'ActivityTaskFailed' }>;
    expect(failed.retryState).toBe('InProgress');
    expect(planDispatch(retrying!)).toEqual([
      {
        task: {
          kind: 'activity',
          ref: ref('golden-loan'),
          taskQueue: 'loans',
          scheduledEventId: 11,
          attempt: 2,
        },
        dueTime: failed.nextAttemptTime,
      },
    ]);
  });

  it('dispatches only what is new: the later attempt’s success and the fast-path task send nothing', () => {
    expect(planDispatch(secondAttempt!).map((item) => item.task)).toEqual([
      expect.objectContaining({ kind: 'activity', scheduledEventId: 19, attempt: 1 }),
    ]);
  });

  it('sends nothing for the close of a short run without parent, children, cron or schedule', () => {
    expect(planDispatch(close!, DEFAULT_RETENTION_MS)).toEqual([]);
  });

  it('tells the parent, the cron chain or the schedule of a closing run, each once', () => {
    const notices = (state: Partial<RunState>) =>
      planDispatch({ ...close!, state: { ...close!.state, ...state } }, DEFAULT_RETENTION_MS).map(
        (item) => item.task,
      );
    const notifyParent = { kind: 'system', ref: ref('golden-loan'), op: { type: 'notifyParent' } };
    const parent = { namespace: 'default', workflowId: 'p', runId: 'p-1', initiatedEventId: 5 };
    expect(notices({ parent })).toEqual([notifyParent]);
    expect(notices({ cronSchedule: '0 * * * *' })).toEqual([notifyParent]);
    expect(notices({ searchAttributes: { TemporalScheduledById: 'nightly' } })).toEqual([notifyParent]);
  });

  it('applies the close policy only to open children it terminates or cancels', () => {
    const child = (parentClosePolicy: 'TERMINATE' | 'REQUEST_CANCEL' | 'ABANDON', runId?: string) => ({
      seq: 1,
      workflowId: 'child',
      workflowType: 'childType',
      taskQueue: 'loans',
      runId,
      parentClosePolicy,
    });
    const withChildren = (children: RunState['children']) =>
      planDispatch({ ...close!, state: { ...close!.state, children } }, DEFAULT_RETENTION_MS).map(
        (item) => item.task,
      );
    const apply = { kind: 'system', ref: ref('golden-loan'), op: { type: 'applyParentClosePolicy' } };
    expect(withChildren({ 7: child('TERMINATE', 'c-1') })).toEqual([apply]);
    expect(withChildren({ 7: child('REQUEST_CANCEL', 'c-1'), 9: child('ABANDON', 'c-2') })).toEqual([apply]);
    expect(withChildren({ 7: child('ABANDON', 'c-1') })).toEqual([]);
    // A child whose start the parent never recorded has no run the policy could reach (as before).
    expect(withChildren({ 7: child('TERMINATE') })).toEqual([]);
  });

  it('schedules an expiry pass when a run closes too long after its start for its first items', () => {
    const late = { ...close!, state: { ...close!.state, closeTime: close!.state.startTime + 61 * DAY } };
    expect(planDispatch(late, DEFAULT_RETENTION_MS).map((item) => item.task)).toContainEqual({
      kind: 'system',
      ref: ref('golden-loan'),
      op: { type: 'expireRun' },
    });
  });

  it("puts an unbounded run in its start day's renewal sweep, due no later than two weeks before its first items expire", () => {
    const startTime = start!.state.startTime;
    const day = Math.floor(startTime / DAY) * DAY;
    const sweep = {
      task: {
        kind: 'system',
        ref: { namespace: 'default', workflowId: 'retention-renewal', runId: `started-${day}` },
        op: { type: 'renewOpenRuns', startedFrom: day, startedBefore: day + DAY },
      },
      dueTime: day + DEFAULT_RETENTION_MS + CLOSE_WITHOUT_WRITES_MS - RENEWAL_MARGIN_MS,
    };
    expect(planDispatch(start!, DEFAULT_RETENTION_MS)).toContainEqual(sweep);
    expect(sweep.dueTime).toBeLessThanOrEqual(
      startTime + DEFAULT_RETENTION_MS + CLOSE_WITHOUT_WRITES_MS - RENEWAL_MARGIN_MS,
    );
    // No timer of its own: every run started that day parks this very task.
    const otherRun = {
      ...start!,
      runId: 'run-2',
      workflowId: 'other',
      state: { ...start!.state, runId: 'run-2', workflowId: 'other', startTime: day + DAY - 1 },
    };
    expect(planDispatch(otherRun, DEFAULT_RETENTION_MS)).toContainEqual(sweep);
    expect(
      planDispatch(start!, DEFAULT_RETENTION_MS).filter(
        (item) => item.task.kind === 'system' && item.task.op.type === 'expireRun',
      ),
    ).toEqual([]);
    // None for a run its execution timeout ends first, and none where items never expire (no retention).
    const bounded = { ...start!, state: { ...start!.state, executionExpirationTime: startTime + 30 * DAY } };
    const renewals = (batch: CommittedBatch, retentionMs?: number) =>
      planDispatch(batch, retentionMs).filter((item) => item.task.kind === 'system');
    expect(renewals(bounded, DEFAULT_RETENTION_MS)).toEqual([]);
    expect(renewals(start!)).toEqual([]);
  });

  it('is idempotent: the same batch always yields the same tasks', () => {
    for (const batch of [start, firstTask, fastPath, retrying, secondAttempt, close]) {
      expect(planDispatch(batch!)).toEqual(planDispatch(batch!));
    }
  });
});

describe('planDispatch over the approval history', () => {
  it('parks a 30-day timer as a system task due at its fire time', () => {
    const approval = golden('approval-signalled');
    const timer = approval[4] as Extract<HistoryEvent, { type: 'TimerStarted' }>;
    const [, firstTask] = batches(approval, [2, 5]);
    expect(planDispatch(firstTask!)).toEqual([
      {
        task: {
          kind: 'system',
          ref: ref('golden-approval'),
          op: { type: 'fireTimer', startedEventId: 5 },
        },
        dueTime: timer.fireTime,
      },
    ]);
  });
});

describe('planDispatch for a cron workflow', () => {
  it('sends no workflow task with the start, and a cronStart when the backoff has passed', () => {
    const started: HistoryEvent = {
      eventId: 1,
      eventTime: 1_000,
      type: 'WorkflowExecutionStarted',
      workflowType: 'report',
      workflowId: 'nightly',
      taskQueue: 'reports',
      input: [],
      attempt: 1,
      firstRunId: 'run-1',
      randomSeed: 'run-1',
      cronSchedule: '0 2 * * *',
      firstWorkflowTaskBackoffMs: 59_000,
    };
    const [batch] = batches([started], [1]);
    expect(planDispatch(batch!)).toEqual([
      { task: { kind: 'system', ref: ref('nightly'), op: { type: 'cronStart' } }, dueTime: 60_000 },
    ]);
  });
});

describe('planDispatch with eager execution', () => {
  const loan = golden('loan-approved');
  const claimed = (until: number) =>
    loan.map((event) => (event.eventId === 5 ? { ...event, eagerUntil: until } : event)) as HistoryEvent[];

  it('sends no task for an activity its worker claimed', () => {
    const history = claimed(loan[4]!.eventTime + 60_000);
    const [, firstTask] = batches(history, [2, 5]);
    expect(planDispatch(firstTask!)).toEqual([]);
  });

  it('sends a workflow task scheduled while the claim is live beside the chain, not behind it', () => {
    const until = loan[4]!.eventTime + 60_000;
    const history: HistoryEvent[] = [
      ...claimed(until).slice(0, 5),
      {
        eventId: 6,
        eventTime: loan[4]!.eventTime + 10,
        type: 'WorkflowExecutionSignaled',
        signalName: 'nudge',
        input: [],
      },
      { eventId: 7, eventTime: loan[4]!.eventTime + 10, type: 'WorkflowTaskScheduled', attempt: 1 },
    ];
    const [, , signalled] = batches(history, [2, 5, 7]);
    expect(planDispatch(signalled!)).toEqual([
      {
        task: {
          kind: 'workflow',
          ref: ref('golden-loan'),
          taskQueue: 'loans',
          scheduledEventId: 7,
          besideEager: true,
        },
      },
    ]);
  });

  it('queues a workflow task normally once no claim is live', () => {
    const [, , fastPath] = batches(claimed(loan[4]!.eventTime + 60_000), [2, 5, 11]);
    // The claimed activity completed: the next one (not claimed) goes to its queue.
    expect(planDispatch(fastPath!).map((item) => item.task)).toEqual([
      expect.objectContaining({ kind: 'activity', scheduledEventId: 11, attempt: 1 }),
    ]);
  });
});
