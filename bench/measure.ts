/**
 * Timing primitives of the benchmarks. Wall time comes from `process.hrtime` and CPU time from
 * `process.cpuUsage` (user + system of the whole process, GC threads included): both are left
 * alone by the engine's global overrides, unlike `performance.now`, which it guards.
 */

/** How long a measurement may run: it stops at `maxRuns`, or at `maxMs` once `minRuns` are done. */
export interface Bounds {
  /** Runs before measuring, so the JIT has compiled the path being timed. */
  warmupRuns: number;
  minRuns: number;
  maxRuns: number;
  /** Soft time budget (ms) of the measured runs; the hard stop is twice this. */
  maxMs: number;
}

export interface Measurement {
  runs: number;
  /** Median wall time of one run (ms). */
  wallMedianMs: number;
  /** 10th-percentile wall time of one run (ms): the runs least disturbed by other load on the machine. */
  wallP10Ms: number;
  /** Mean process CPU time of one run (ms). */
  cpuMeanMs: number;
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The `p`th percentile (0-100), interpolated between the nearest ranks. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = ((sorted.length - 1) * p) / 100;
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/**
 * Times `run(prepare())` repeatedly; only `run` is timed. Between runs the event loop gets one
 * macrotask turn, so work one run leaves behind (timers, microtasks) is not billed to the next.
 */
export async function measure<T>(
  prepare: () => T,
  run: (prepared: T) => Promise<unknown>,
  bounds: Bounds,
): Promise<Measurement> {
  const started = nowMs();
  for (let i = 0; i < bounds.warmupRuns && nowMs() - started < bounds.maxMs; i++) await run(prepare());
  const wall: number[] = [];
  let cpu = 0;
  const measuring = nowMs();
  while (wall.length < bounds.maxRuns) {
    const elapsed = nowMs() - measuring;
    if (elapsed >= 2 * bounds.maxMs || (wall.length >= bounds.minRuns && elapsed >= bounds.maxMs)) break;
    const prepared = prepare();
    await yieldToEventLoop();
    const cpuBefore = cpuMs();
    const wallBefore = nowMs();
    await run(prepared);
    wall.push(nowMs() - wallBefore);
    cpu += cpuMs() - cpuBefore;
  }
  return {
    runs: wall.length,
    wallMedianMs: median(wall),
    wallP10Ms: percentile(wall, 10),
    cpuMeanMs: cpu / wall.length,
  };
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
