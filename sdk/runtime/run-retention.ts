import type { RunRef } from '../backend/ports.ts';
import { closeNeedsExpiryPass, itemExpiry, renewalTime } from '../backend/retention.ts';
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
 * For a closed run it makes every item live until close + retention; for an open run it is the
 * renewal timer: every item then lives at least as long as one written now, and the next renewal is
 * scheduled. Either way, when the pass runs out of time it dispatches itself again to go on where
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
