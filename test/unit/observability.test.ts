import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CommittedBatch } from '../../sdk/backend/ports.ts';
import { EmfMetrics } from '../../sdk/runtime/emf-metrics.ts';
import { runContext } from '../../sdk/runtime/log-context.ts';
import { RecordingMetrics } from '../../sdk/runtime/metrics.ts';
import { powertoolsLogger } from '../../sdk/runtime/powertools-logger.ts';
import { reportCommittedBatch } from '../../sdk/runtime/run-metrics.ts';
import { textLogger } from '../../sdk/runtime/text-logger.ts';

/** Captures what is written to stdout and stderr while `fn` runs. */
function capture(fn: () => void): string[] {
  const lines: string[] = [];
  const take = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(take);
  vi.spyOn(process.stderr, 'write').mockImplementation(take);
  fn();
  vi.restoreAllMocks();
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe('handler observability', () => {
  it('keeps only the run keys a call site knows', () => {
    expect(runContext({ workflowId: 'w', runId: undefined, eventId: 3 })).toEqual({
      workflowId: 'w',
      eventId: 3,
    });
  });

  it('writes Powertools JSON lines with timestamp, level, service and the run ids', () => {
    const [line] = capture(() =>
      powertoolsLogger('info', 'cairn-worker')('warn', 'activity failed', {
        ...runContext({ workflowId: 'w1', runId: 'r1', taskQueue: 'q', eventId: 5 }),
        message: 'boom',
      }),
    );
    const entry = JSON.parse(line ?? '{}');
    expect(entry).toMatchObject({
      level: 'WARN',
      message: 'activity failed',
      service: 'cairn-worker',
      workflowId: 'w1',
      runId: 'r1',
      taskQueue: 'q',
      eventId: 5,
      // A field named like one of Powertools' own keys does not replace it.
      detail: { message: 'boom' },
    });
    expect(Date.parse(entry.timestamp)).not.toBeNaN();
  });

  it('writes readable lines with the run ids first, below the minimum level nothing', () => {
    const lines = capture(() => {
      const log = textLogger('info');
      log('info', 'task failed', { attempt: 2, runId: 'r1', workflowId: 'w1' });
      log('debug', 'hidden');
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}task failed workflowId=w1 runId=r1 attempt=2$/);
  });

  it('emits EMF in namespace Cairn, one line per dimension set, only when flushed', () => {
    const metrics = new EmfMetrics('prod', 'cairn-router');
    const early = capture(() => metrics.count('WorkflowsStarted', 1, { TaskQueue: 'q', WorkflowType: 't' }));
    expect(early).toEqual([]);
    const lines = capture(() => {
      metrics.timing('WorkflowTaskLatency', 42, { TaskQueue: 'q' });
      metrics.flush();
      metrics.flush(); // nothing new: no line, no Powertools warning
    });
    expect(lines).toHaveLength(2);
    const [started, latency] = lines.map((line) => JSON.parse(line));
    expect(started._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Cairn',
      Metrics: [{ Name: 'WorkflowsStarted', Unit: 'Count' }],
    });
    expect(started).toMatchObject({ Engine: 'prod', TaskQueue: 'q', WorkflowType: 't', WorkflowsStarted: 1 });
    expect(latency).toMatchObject({ TaskQueue: 'q', WorkflowTaskLatency: 42 });
  });

  it('counts run starts, closes and activity retries from a committed batch, without ids', () => {
    const metrics = new RecordingMetrics();
    const batch = {
      namespace: 'default',
      workflowId: 'w1',
      runId: 'r1',
      taskQueue: 'q',
      state: { workflowType: 'order', activities: { 5: { taskQueue: 'q', activityType: 'charge' } } },
      events: [
        { type: 'WorkflowExecutionStarted' },
        { type: 'ActivityTaskFailed', scheduledEventId: 5, retryState: 'InProgress' },
        { type: 'ActivityTaskFailed', scheduledEventId: 5, retryState: 'MaximumAttemptsReached' },
        { type: 'WorkflowExecutionFailed' },
      ],
    } as unknown as CommittedBatch;
    reportCommittedBatch(metrics, batch);
    expect(metrics.recorded).toEqual([
      { name: 'WorkflowsStarted', value: 1, dimensions: { TaskQueue: 'q', WorkflowType: 'order' } },
      { name: 'ActivityRetries', value: 1, dimensions: { TaskQueue: 'q', ActivityType: 'charge' } },
      { name: 'WorkflowsFailed', value: 1, dimensions: { TaskQueue: 'q', WorkflowType: 'order' } },
    ]);
  });
});
