import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  type CountMetric,
  METRICS_NAMESPACE,
  type MetricDimensions,
  type TimingMetric,
} from '../backend/metric-definitions.ts';
import type { MetricsPort } from './metrics.ts';

/**
 * Metrics as CloudWatch Embedded Metric Format: JSON lines on stdout that CloudWatch Logs turns into
 * metrics, so reporting one costs no API call and no latency. Powertools Metrics holds one dimension
 * set per buffer, so there is one buffer per distinct set (few: the dimensions are low-cardinality),
 * each with the engine's name (`Engine`) as a dimension so that engines in one account stay apart.
 */
export class EmfMetrics implements MetricsPort {
  private readonly buffers = new Map<string, { metrics: Metrics; pending: boolean }>();

  constructor(
    private readonly engine: string,
    private readonly service: string,
  ) {}

  count(name: CountMetric, value: number, dimensions: MetricDimensions): void {
    this.add(name, MetricUnit.Count, value, dimensions);
  }

  timing(name: TimingMetric, milliseconds: number, dimensions: MetricDimensions): void {
    this.add(name, MetricUnit.Milliseconds, Math.max(0, milliseconds), dimensions);
  }

  flush(): void {
    for (const buffer of this.buffers.values()) {
      if (!buffer.pending) continue;
      buffer.pending = false;
      buffer.metrics.publishStoredMetrics();
    }
  }

  private add(
    name: string,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    dimensions: MetricDimensions,
  ): void {
    const all = { Engine: this.engine, ...dimensions };
    const key = JSON.stringify(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
    let buffer = this.buffers.get(key);
    if (!buffer) {
      const metrics = new Metrics({
        namespace: METRICS_NAMESPACE,
        serviceName: this.service,
        defaultDimensions: all,
      });
      buffer = { metrics, pending: false };
      this.buffers.set(key, buffer);
    }
    buffer.metrics.addMetric(name, unit, value);
    buffer.pending = true;
  }
}
