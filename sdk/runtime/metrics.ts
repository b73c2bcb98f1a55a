import type { CountMetric, MetricDimensions, TimingMetric } from '../backend/metric-definitions.ts';

/**
 * Where the runtime reports what it knows happened (a run started or closed, a task's latency).
 * The cloud writes CloudWatch EMF through Powertools Metrics (`emf-metrics.ts`); the in-memory
 * engine records or drops them. Entries are buffered: each handler calls `flush()` once at the end
 * of its invocation.
 */
export interface MetricsPort {
  count(name: CountMetric, value: number, dimensions: MetricDimensions): void;
  timing(name: TimingMetric, milliseconds: number, dimensions: MetricDimensions): void;
  flush(): void;
}

/** Drops every metric (tests, the time-skipping engine, `cairn dev`). */
export const noMetrics: MetricsPort = { count() {}, timing() {}, flush() {} };

/** One recorded metric. */
export interface RecordedMetric {
  name: CountMetric | TimingMetric;
  value: number;
  dimensions: MetricDimensions;
}

/**
 * Keeps every metric in memory, for tests that assert what the runtime reported.
 *
 * @example
 * const metrics = new RecordingMetrics();
 * // … run a workflow with deps.metrics = metrics …
 * expect(metrics.sum('WorkflowsCompleted')).toBe(1);
 */
export class RecordingMetrics implements MetricsPort {
  readonly recorded: RecordedMetric[] = [];
  count(name: CountMetric, value: number, dimensions: MetricDimensions): void {
    this.recorded.push({ name, value, dimensions });
  }
  timing(name: TimingMetric, milliseconds: number, dimensions: MetricDimensions): void {
    this.recorded.push({ name, value: milliseconds, dimensions });
  }
  flush(): void {}
  sum(name: CountMetric | TimingMetric): number {
    return this.recorded.filter((m) => m.name === name).reduce((total, m) => total + m.value, 0);
  }
}
