import type { ScheduleOverlapPolicy } from '../common/enums.ts';
import type { Payload } from '../common/payload.ts';
import type { SearchAttributeValue } from '../common/search-attributes.ts';
import type { ScheduleActionResult, ScheduleBody } from '../common/wire/schedule.ts';
import type { CompiledSpec } from './schedule-spec.ts';

/** An action that is due and not yet taken: waiting for a running one to close, or for this tick. */
export interface BufferedStart {
  nominal: number;
  actual: number;
  overlap: ScheduleOverlapPolicy;
  /** Trigger or backfill: not counted against `remainingActions`, taken while paused too. */
  manual: boolean;
}

/** A workflow the schedule started that has not closed yet. */
export interface RunningAction {
  workflowId: string;
  firstExecutionRunId: string;
  /** CANCEL_OTHER asked it to cancel already. */
  cancelRequested?: boolean;
}

/**
 * A schedule as the store keeps it: its definition and the state its ticks move on. Every write is
 * conditional on `version`, so two ticks (or a tick and an API call) never both win.
 */
export interface ScheduleRecord {
  namespace: string;
  scheduleId: string;
  /** Incremented by every write; the store's optimistic-concurrency guard. */
  version: number;
  body: ScheduleBody;
  memo?: Record<string, Payload>;
  searchAttributes?: Record<string, SearchAttributeValue>;
  createdAt: number;
  lastUpdatedAt?: number;
  /** Nominal times up to here have been considered (taken, buffered, skipped or missed). */
  processedUntil: number;
  buffer: BufferedStart[];
  running: RunningAction[];
  /** The latest actions taken, oldest first (at most {@link MAX_RECENT}). */
  recent: ScheduleActionResult[];
  numActions: number;
  numActionsMissedCatchupWindow: number;
  numActionsSkippedOverlap: number;
  /**
   * The one tick the schedule waits for: a tick message carrying another token is stale. Absent:
   * nothing is due (paused, exhausted or past `endAt`) until an API call or a run's close pokes it.
   */
  wake?: { token: string; at: number };
}

export const MAX_RECENT = 10;
/** Temporal's bound on held actions (BUFFER_ALL). */
export const MAX_BUFFER = 1000;
/** Due times looked at in one tick; a longer outage is caught up over several ticks. */
export const MAX_DUE_PER_TICK = 1000;

/**
 * Moves the record's cursor to `now`: each due time becomes a held action, or counts as missed
 * (later than the catch-up window) or is passed over (paused; `remainingActions` used up). Returns
 * true when it stopped early at {@link MAX_DUE_PER_TICK} and another tick should go on at once.
 */
export function collectDue(record: ScheduleRecord, spec: CompiledSpec, now: number): boolean {
  const { policies, state } = record.body;
  // A cursor older than the catch-up window can only find misses: count up to the bound, then jump.
  for (let i = 0; i < MAX_DUE_PER_TICK; i++) {
    const due = spec.next(record.processedUntil);
    if (!due || due.actual > now) return false;
    record.processedUntil = due.nominal;
    if (state.paused) continue;
    if (state.remainingActions !== undefined) {
      const held = record.buffer.filter((b) => !b.manual).length;
      if (state.remainingActions - held <= 0) continue;
    }
    if (now - due.actual > policies.catchupWindowMs) {
      record.numActionsMissedCatchupWindow++;
      continue;
    }
    record.buffer.push({
      nominal: due.nominal,
      actual: due.actual,
      overlap: policies.overlap,
      manual: false,
    });
  }
  const windowStart = now - policies.catchupWindowMs;
  if (record.processedUntil < windowStart) record.processedUntil = windowStart;
  return true;
}

/** What the held actions call for now, given what runs. */
export interface BufferPlan {
  start: BufferedStart[];
  cancel: RunningAction[];
  terminate: RunningAction[];
  keep: BufferedStart[];
  skipped: number;
}

/**
 * Temporal's overlap rules over the held actions in order. An action starts when nothing runs (or
 * ALLOW_ALL); otherwise SKIP drops it, BUFFER_ONE holds it if nothing else is held, BUFFER_ALL holds
 * it, CANCEL_OTHER asks the running ones to cancel and holds it, TERMINATE_OTHER terminates them and
 * starts it.
 */
export function planBuffer(buffer: readonly BufferedStart[], running: readonly RunningAction[]): BufferPlan {
  const plan: BufferPlan = { start: [], cancel: [], terminate: [], keep: [], skipped: 0 };
  let runningNow = running.length > 0;
  let others = [...running];
  for (const item of buffer) {
    if (item.overlap === 'ALLOW_ALL') {
      plan.start.push(item);
      runningNow = true;
      continue;
    }
    if (!runningNow && plan.keep.length === 0) {
      plan.start.push(item);
      runningNow = true;
      continue;
    }
    switch (item.overlap) {
      case 'SKIP':
        plan.skipped++;
        break;
      case 'BUFFER_ONE':
        if (plan.keep.length === 0) plan.keep.push(item);
        else plan.skipped++;
        break;
      case 'BUFFER_ALL':
        if (plan.keep.length < MAX_BUFFER) plan.keep.push(item);
        else plan.skipped++;
        break;
      case 'CANCEL_OTHER':
        for (const other of others) if (!other.cancelRequested) plan.cancel.push(other);
        others = others.map((other) => ({ ...other, cancelRequested: true }));
        // Only the newest waits for the cancelled ones to close.
        plan.skipped += plan.keep.length;
        plan.keep = [item];
        break;
      case 'TERMINATE_OTHER':
        plan.terminate.push(...others);
        others = [];
        plan.skipped += plan.keep.length;
        plan.keep = [];
        plan.start.push(item);
        break;
    }
  }
  return plan;
}
