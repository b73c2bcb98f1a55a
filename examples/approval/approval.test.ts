import { describe, expect, it } from 'vitest';
import { testEnv } from '../../test/support/env.ts';
import { createApprovalActivities } from './activities.ts';
import * as workflows from './workflows.ts';
import { type ApprovalRequest, type ApprovalStatus, approval, decide, status } from './workflows.ts';

const request: ApprovalRequest = { requestId: 'r-1', description: 'New laptop', approvers: ['carol'] };

async function setup() {
  const ledger: { requestId: string; status: ApprovalStatus }[] = [];
  const env = await testEnv({
    workers: [{ taskQueue: 'approvals', workflows, activities: createApprovalActivities(ledger) }],
  });
  return { env, ledger };
}

describe('approval waiting up to 30 days', () => {
  it('answers status queries while it waits, and completes when signalled on day 12', async () => {
    const { env, ledger } = await setup();
    const handle = await env.client.workflow.start(approval, {
      taskQueue: 'approvals',
      workflowId: 'approval-1',
      args: [request],
    });
    const waiting = await handle.query(status);
    expect(waiting.state).toBe('waiting');
    await env.sleep('12 days');
    expect((await handle.query(status)).state).toBe('waiting');
    await handle.signal(decide, { approve: true, by: 'mallory' }); // not an approver: ignored
    await handle.signal(decide, { approve: true, by: 'carol', comment: 'ok' });
    expect(await handle.result()).toEqual({ state: 'approved', by: 'carol', comment: 'ok' });
    expect(ledger).toEqual([{ requestId: 'r-1', status: { state: 'approved', by: 'carol', comment: 'ok' } }]);
    expect(await handle.query(status)).toEqual({ state: 'approved', by: 'carol', comment: 'ok' });
  });

  it('expires when 31 days pass without a decision', async () => {
    const { env } = await setup();
    const start = await env.currentTimeMs();
    const handle = await env.client.workflow.start(approval, {
      taskQueue: 'approvals',
      workflowId: 'approval-2',
      args: [request],
    });
    await env.sleep('31 days');
    expect((await handle.describe()).status).toBe('Completed');
    expect(await handle.result()).toEqual({ state: 'expired' });
    const { events } = await handle.fetchHistory();
    const fired = events.find((e) => e.type === 'TimerFired')!;
    expect(fired.eventTime - start).toBe(30 * 86_400_000);
  });
});
