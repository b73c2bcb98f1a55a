import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { promiseHooks } from 'node:v8';
import type { HistoryEvent } from '../../sdk/engine/events.ts';
import { type Measurement, measure } from '../measure.ts';

/**
 * One arm of the determinism-overhead benchmark, in its own process so that each arm starts from
 * the same clean state (AsyncLocalStorage's promise hooks, once enabled, stay on for the process).
 *
 *   child.ts <als|plain> <history.json> <maxEvents>
 *
 * `als` runs the engine as shipped; `plain` first swaps the determinism mechanism for the baseline
 * stand-ins (./hooks.ts). Both then time the same cold workflow task and print one JSON line.
 * Nothing of the engine is imported at the top (types aside): it must load after the hook is registered.
 */
export interface ArmResult extends Measurement {
  mode: 'als' | 'plain';
  /** Per cold task, counted in an untimed pass (baseline arm only). */
  counts?: { slotEntries: number; slotLookups: number; promises: number };
}

const [mode, historyPath, maxEventsArg] = process.argv.slice(2);
if ((mode !== 'als' && mode !== 'plain') || !historyPath || !maxEventsArg) {
  throw new TypeError('usage: child.ts <als|plain> <history.json> <maxEvents>');
}
if (mode === 'plain') register('./hooks.ts', import.meta.url);

const { coldTask, taskPrefix } = await import('../replay-tasks.ts');
const history = JSON.parse(readFileSync(historyPath, 'utf8')) as HistoryEvent[];
const prefix = taskPrefix(history, Number(maxEventsArg));
const timed = await measure(
  () => prefix,
  (events) => coldTask(history, events),
  { warmupRuns: 20, minRuns: 30, maxRuns: 600, maxMs: 1_000 },
);
const result: ArmResult = { mode, ...timed };
if (mode === 'plain') {
  const { slotCalls } = await import('./plain-slot.ts');
  slotCalls.entries = 0;
  slotCalls.lookups = 0;
  let promises = 0;
  const stop = promiseHooks.onInit(() => {
    promises++;
  });
  await coldTask(history, prefix);
  stop();
  if (slotCalls.entries === 0) {
    throw new Error('The baseline stand-ins were not loaded: check the paths in bench/determinism/hooks.ts');
  }
  result.counts = { slotEntries: slotCalls.entries, slotLookups: slotCalls.lookups, promises };
}
process.stdout.write(`${JSON.stringify(result)}\n`);
