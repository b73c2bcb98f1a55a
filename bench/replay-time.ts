import type { HistoryEvent } from '../sdk/engine/events.ts';
import { measure } from './measure.ts';
import { coldReplay } from './replay-tasks.ts';
import type { BenchResult } from './results.ts';

const SIZES = [100, 1_000, 10_000] as const;

/**
 * Replay time by history length: `new Replayer(...).replay(events)` from scratch (a cache miss) on
 * the first N events of a recorded run of sequential trivial activities. Median of several runs in
 * a process whose JIT is already warm, as in a warm Lambda that missed its workflow cache.
 */
export async function benchReplayTime(history: readonly HistoryEvent[]): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const size of SIZES) {
    if (history.length < size) throw new RangeError(`The recorded history has only ${history.length} events`);
    const events = history.slice(0, size);
    const { wallMedianMs, wallP10Ms, cpuMeanMs, runs } = await measure(
      () => events,
      (prefix) => coldReplay(prefix),
      { warmupRuns: 3, minRuns: 5, maxRuns: 200, maxMs: size >= 10_000 ? 1_500 : 500 },
    );
    results.push({
      name: `replay.cold.${size}_events`,
      value: wallMedianMs,
      unit: 'ms',
      target: size === 10_000 ? { op: '<=', value: 50 } : undefined,
      note: size === 10_000 ? `median of ${runs} cold replays (new Replayer + replay), wall time` : undefined,
    });
    if (size === 10_000) {
      results.push(
        { name: `replay.cold.${size}_events.p10`, value: wallP10Ms, unit: 'ms' },
        { name: `replay.cold.${size}_events.cpu`, value: cpuMeanMs, unit: 'ms' },
      );
    }
  }
  return results;
}
