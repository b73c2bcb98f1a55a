// MockActivityEnvironment, as Temporal's activity unit tests use it: one activity run with its
// context, its heartbeats observed and its cancellation triggered, without a workflow.
import { activityInfo, CancelledFailure, Context, heartbeat, log } from 'cairnflow/activity';
import { DefaultLogger, type LogEntry, MockActivityEnvironment, Runtime } from 'cairnflow/testing';
import { describe, expect, it } from 'vitest';

const entries: LogEntry[] = [];
Runtime.install({ logger: new DefaultLogger('INFO', (entry) => entries.push(entry)) });

async function processBatch(rows: number): Promise<string> {
  const { attempt, heartbeatDetails, workflowExecution } = activityInfo();
  const from: number = heartbeatDetails ?? 0;
  for (let row = from; row < rows; row++) heartbeat(row);
  log.info('processed', { rows });
  return `attempt ${attempt} of ${workflowExecution.workflowId} from ${from}`;
}

async function waitForCancel(): Promise<string> {
  const ctx = Context.current();
  try {
    await ctx.sleep('1 day');
    return 'slept';
  } catch (error) {
    if (error instanceof CancelledFailure) return `cancelled: ${error.message}`;
    throw error;
  }
}

describe('MockActivityEnvironment', () => {
  it('runs an activity with the given info and reports its heartbeats', async () => {
    const env = new MockActivityEnvironment({
      attempt: 2,
      heartbeatDetails: 3,
      workflowExecution: { workflowId: 'wf-7', runId: 'run-7' },
    });
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    expect(await env.run(processBatch, 5)).toBe('attempt 2 of wf-7 from 3');
    expect(heartbeats).toEqual([3, 4]);
    expect(env.context.info).toMatchObject({ workflowId: 'wf-7', runId: 'run-7', isLocal: false });
    expect(entries.find((e) => e.message === 'processed')?.level).toBe('INFO');
  });

  it("cancels the activity's sleep and signal with CancelledFailure", async () => {
    const env = new MockActivityEnvironment();
    const running = env.run(waitForCancel);
    env.cancel('test over');
    expect(await running).toBe('cancelled: test over');
    expect(env.context.cancellationSignal.aborted).toBe(true);
    await expect(env.context.cancelled).rejects.toBeInstanceOf(CancelledFailure);
  });

  it('refuses options Cairn has no meaning for', () => {
    expect(() => new MockActivityEnvironment({}, { interceptors: [] } as never)).toThrow(/'interceptors'/);
  });
});
