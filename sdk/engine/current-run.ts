import { AsyncLocalStorage } from 'node:async_hooks';
import { IllegalWorkflowOperationError } from '../common/errors.ts';
import type { Activator } from './activator.ts';
import type { CancellationScope } from './cancellation-scope.ts';

/** What workflow code sees as "here": its run and its innermost cancellation scope. */
export interface RunSlot {
  activator: Activator;
  scope: CancellationScope;
}

/**
 * The one slot for the current run. Workflow functions are plain module objects loaded in the
 * main realm, so the run a piece of code belongs to travels with its async context: promise
 * continuations inside workflow code keep the slot, code outside it never sees one.
 */
const slot = new AsyncLocalStorage<RunSlot>();

export function runInSlot<T>(value: RunSlot, fn: () => T): T {
  return slot.run(value, fn);
}

/** The current run's slot, or undefined outside workflow code. */
export function maybeCurrentSlot(): RunSlot | undefined {
  return slot.getStore();
}

/** The current run's slot; throws a clear error when called outside workflow code. */
export function currentSlot(api: string): RunSlot {
  const value = slot.getStore();
  if (value === undefined) {
    throw new IllegalWorkflowOperationError(
      `${api} can only be called from workflow code (inside a workflow function run by a Cairn worker)`,
    );
  }
  return value;
}
