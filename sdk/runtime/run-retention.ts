import type { DispatchItem, RunRef, SystemOp } from '../backend/ports.ts';
import { closeNeedsExpiryPass, itemExpiry, type RenewalSweep, renewalTime } from '../backend/retention.ts';
import { isClosed } from '../engine/run-state.ts';
import { DEFAULT_RETENTION_MS, type RuntimeDeps } from './deps.ts';

/**
 * Wall-clock time one `expireRun` task spends before it hands the rest to a continuation: the system
 * function's timeout is 10 s (SYSTEM_QUEUE's visibility timeout / 6), and the continuation's dispatch
 * and the other messages of the batch need their share of it.
 */
export const EXPIRY_BUDGET_MS = 4_000;

/**
 * The `expireRun` system op (DESIGN.md "Data and limits"; the policy is `backend/retention.ts`).
 * For a closed run it makes every item live until close + retention; for an open run it is its
 * renewal (sent by the run's renewal sweep the first time, by its own timer after that): every item
 * then lives at least as long as one written now, and the next renewal is scheduled. Either way, when the pass runs out of time it dispatches itself again to go on where
 * it stopped, so a history of any length is covered in bounded pieces.
 */
export async function keepRunRetention(deps: RuntimeDeps, ref: RunRef): Promise<void> {
  const state = await deps.store.getRun(ref.namespace, ref.runId);
  if (!state) return;
  const retentionMs = deps.retentionMs ?? DEFAULT_RETENTION_MS;
  const now = deps.clock.now();
  const closed = isClosed(state);
  if (closed && !closeNeedsExpiryPass(state, retentionMs)) return;
  const keepUntil = closed ? (state.closeTime ?? now) + retentionMs : itemExpiry(state, now, retentionMs);
  const { done } = await deps.store.expireRun(ref, keepUntil, { stopBy: Date.now() + EXPIRY_BUDGET_MS });
  if (!done) {
    await deps.dispatch.dispatch([{ task: { kind: 'system', ref, op: { type: 'expireRun' } } }]);
    return;
  }
  const next = closed ? undefined : renewalTime(state, now, retentionMs);
  if (next !== undefined) {
    await deps.dispatch.dispatch([
      { task: { kind: 'system', ref, op: { type: 'expireRun' } }, dueTime: next },
    ]);
  }
}

/** Visibility records one page of a renewal sweep reads (its open runs' `expireRun` tasks go out per page). */
const SWEEP_PAGE_SIZE = 100;

/**
 * The task of a renewal sweep (`backend/retention.ts`): the same for every run of the namespace
 * started in its bucket, so the due-time index keeps it as one item, whichever run parked it.
 */
export function renewalSweepItem(namespace: string, sweep: RenewalSweep): DispatchItem {
  const { startedFrom, startedBefore, dueTime } = sweep;
  return {
    task: {
      kind: 'system',
      ref: { namespace, workflowId: 'retention-renewal', runId: `started-${startedFrom}` },
      op: { type: 'renewOpenRuns', startedFrom, startedBefore },
    },
    dueTime,
  };
}

/**
 * The `renewOpenRuns` system op: the first renewal of the runs a namespace started in one bucket.
 * Reads their visibility records in start order (the `byStart` index) and sends an `expireRun` for
 * each one still shown open, which renews it and from then on keeps a renewal timer of its own: a
 * run still open this long is a long-lived one. A record shown open whose run closed meanwhile
 * costs one harmless `expireRun`; a run shown closed has closed, and its close saw to its expiry.
 * Runs out of time between pages and goes on in a continuation that names the next page.
 */
export async function renewOpenRuns(
  deps: RuntimeDeps,
  ref: RunRef,
  op: Extract<SystemOp, { type: 'renewOpenRuns' }>,
): Promise<void> {
  const stopBy = Date.now() + EXPIRY_BUDGET_MS;
  const started = { from: op.startedFrom, before: op.startedBefore };
  let pageToken = op.pageToken;
  do {
    const page = await deps.store.listRuns(
      ref.namespace,
      (run) => run.status === 'Running',
      SWEEP_PAGE_SIZE,
      pageToken,
      started,
    );
    const renewals = page.runs.map(
      ({ namespace, workflowId, runId }): DispatchItem => ({
        task: { kind: 'system', ref: { namespace, workflowId, runId }, op: { type: 'expireRun' } },
      }),
    );
    if (renewals.length > 0) await deps.dispatch.dispatch(renewals);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined && Date.now() < stopBy);
  if (pageToken !== undefined) {
    await deps.dispatch.dispatch([{ task: { kind: 'system', ref, op: { ...op, pageToken } } }]);
  }
}
