import { IllegalWorkflowOperationError } from '../../sdk/common/errors.ts';
import type { RunSlot } from '../../sdk/engine/current-run.ts';

/**
 * Baseline stand-in for `sdk/engine/current-run.ts`, loaded only in the baseline arm of the
 * determinism-overhead benchmark (see ./hooks.ts). The current run lives in a plain module variable
 * instead of an AsyncLocalStorage: entering a run sets it and leaves it set, so the run's promise
 * continuations still find it. That is only correct while a single run executes at a time, which is
 * what the benchmark does and what a sandbox-per-run design gets for free; it is the cheapest slot
 * there can be, hence the baseline. Calls are counted to explain where the overhead comes from.
 */
let current: RunSlot | undefined;

/** Slot entries (`runInSlot`) and lookups (`currentSlot`, `maybeCurrentSlot`) since the last reset. */
export const slotCalls = { entries: 0, lookups: 0 };

export type { RunSlot };

export function runInSlot<T>(value: RunSlot, fn: () => T): T {
  slotCalls.entries++;
  current = value;
  return fn();
}

export function maybeCurrentSlot(): RunSlot | undefined {
  slotCalls.lookups++;
  return current;
}

export function currentSlot(api: string): RunSlot {
  slotCalls.lookups++;
  if (current === undefined) {
    throw new IllegalWorkflowOperationError(`${api} can only be called from workflow code`);
  }
  return current;
}
