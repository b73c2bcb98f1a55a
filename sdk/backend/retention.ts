import type { RunState } from '../engine/run-state.ts';

/**
 * When a run's stored items may expire: the one policy the DynamoDB store writes TTLs by, the router
 * decides whether a close needs an expiry pass by, and the `expireRun` system op renews open runs by.
 * Plain functions of a run's state and a time, so the three cannot disagree.
 *
 * Closing a run must not cost one write per item, and nothing of an open run may ever expire. So
 * every item gets its expiry when it is written: the write time plus a horizon that covers the
 * retention of a run closing within {@link CLOSE_WITHOUT_WRITES_MS} of its start, or, when an
 * execution or run timeout bounds the run, its deadline plus the retention (plus slack for a late
 * timeout), whichever is sooner. Expiries only grow with the write time, so a run's first batch
 * (written at its start) expires first, and its close needs no write at all when that first expiry
 * already covers close + retention: the common case, decided from the state alone
 * ({@link closeNeedsExpiryPass}). Otherwise (a run older than that at its close, or renewed while
 * open) a bounded, resumable pass extends exactly the items that would expire too early.
 *
 * An open run whose items could outlive neither its deadline nor its horizon is renewed (the
 * `expireRun` system op while the run is open) {@link RENEWAL_MARGIN_MS} before its earliest item
 * would expire: two weeks for the op's retries, the sweeper and any outage to pass before anything
 * is at risk. Each renewal moves every item's expiry to at least what an item written then would
 * get, and schedules the next as a durable timer of that run. The first renewal is not a timer per
 * run, though: almost every run closes long before it, and a timer each would cost every run a
 * due-time index write. Instead the runs started within one {@link RENEWAL_SWEEP_BUCKET_MS} of a
 * namespace share one renewal sweep ({@link renewalSweep}, the `renewOpenRuns` op), due when the
 * first of them would need its renewal; it reads those runs' visibility records (the `byStart`
 * index is sorted by start time) and renews the ones still open. Every run of the bucket parks the
 * same task, which the due-time index keeps as one item and a process writes once.
 *
 * The cost is data kept longer than the retention: up to {@link CLOSE_WITHOUT_WRITES_MS} past it
 * (storage is cheap; writes are what a close would otherwise pay per item), and the closing batch
 * {@link HEAD_EXPIRY_SLACK_MS} more, so that TTL, which deletes in no set order, removes a run's head
 * last. Readers treat a closed run as gone once its close + retention has passed, whatever DynamoDB
 * still holds.
 */

const DAY_MS = 86_400_000;

/** Retention of closed runs when none is configured (the Engine's `retention` default). */
export const DEFAULT_RETENTION_MS = 30 * DAY_MS;

/** A run that closes within this long after its start pays no write for its retention. */
export const CLOSE_WITHOUT_WRITES_MS = 60 * DAY_MS;

/** How long before an open run's earliest item would expire its renewal is due. */
export const RENEWAL_MARGIN_MS = 14 * DAY_MS;

/** The runs of a namespace started within one such span share the sweep that renews them the first time. */
export const RENEWAL_SWEEP_BUCKET_MS = DAY_MS;

/** How late a timeout may close a run past its deadline (queue retries, the sweeper) and still pay nothing. */
export const DEADLINE_SLACK_MS = 7 * DAY_MS;

/** How much longer than the run's other items a closing batch (its last head) is kept, so it goes last. */
export const HEAD_EXPIRY_SLACK_MS = 7 * DAY_MS;

/** The earliest of the run's run and execution deadlines, if any bounds it. */
function deadlineOf(state: RunState): number | undefined {
  const deadline = Math.min(state.runExpirationTime ?? Infinity, state.executionExpirationTime ?? Infinity);
  return Number.isFinite(deadline) ? deadline : undefined;
}

/** The expiry (epoch ms) of an item of `state`'s run written at `writeTime`. */
export function itemExpiry(state: RunState, writeTime: number, retentionMs: number): number {
  const horizon = writeTime + retentionMs + CLOSE_WITHOUT_WRITES_MS;
  const deadline = deadlineOf(state);
  return deadline === undefined ? horizon : Math.min(horizon, deadline + retentionMs + DEADLINE_SLACK_MS);
}

/**
 * When an open run whose items were all written or renewed at or after `since` must be renewed, or
 * undefined if its deadline ends it (plus retention) before those items expire.
 */
export function renewalTime(state: RunState, since: number, retentionMs: number): number | undefined {
  const expiry = itemExpiry(state, since, retentionMs);
  const deadline = deadlineOf(state);
  if (deadline !== undefined && expiry >= deadline + retentionMs + DEADLINE_SLACK_MS) return undefined;
  return expiry - RENEWAL_MARGIN_MS;
}

/**
 * Whether a closed run's items may expire before its close + retention, so that its close needs an
 * expiry pass. False in the common case: the run was never renewed (it closed before its first
 * renewal was due) and its first item's expiry already covers the retention.
 */
export function closeNeedsExpiryPass(state: RunState, retentionMs: number): boolean {
  const closeTime = state.closeTime ?? Infinity;
  const renewal = renewalTime(state, state.startTime, retentionMs);
  if (renewal !== undefined && closeTime >= renewal) return true;
  return itemExpiry(state, state.startTime, retentionMs) < closeTime + retentionMs;
}

/** The first renewal sweep of the runs started in `[startedFrom, startedBefore)`, due at `dueTime`. */
export interface RenewalSweep {
  startedFrom: number;
  startedBefore: number;
  dueTime: number;
}

/**
 * The sweep that renews a run for the first time, if it may need one (as {@link renewalTime} says):
 * the one of its start's {@link RENEWAL_SWEEP_BUCKET_MS}, due when a run started at the bucket's
 * beginning would need its renewal, so no earlier than this run's own renewal time. The same for
 * every such run of the bucket: a renewal is due only where the horizon, not a deadline, bounds the
 * first items, and the horizon depends on the start time alone.
 */
export function renewalSweep(state: RunState, retentionMs: number): RenewalSweep | undefined {
  if (renewalTime(state, state.startTime, retentionMs) === undefined) return undefined;
  const startedFrom = Math.floor(state.startTime / RENEWAL_SWEEP_BUCKET_MS) * RENEWAL_SWEEP_BUCKET_MS;
  const dueTime = startedFrom + retentionMs + CLOSE_WITHOUT_WRITES_MS - RENEWAL_MARGIN_MS;
  return { startedFrom, startedBefore: startedFrom + RENEWAL_SWEEP_BUCKET_MS, dueTime };
}
