import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from 'cairnflow/workflow';
import type { createApprovalActivities } from './activities.ts';

export interface ApprovalRequest {
  requestId: string;
  description: string;
  approvers: string[];
}

export type ApprovalStatus =
  | { state: 'waiting'; since: string; deadline: string }
  | { state: 'approved' | 'rejected'; by: string; comment?: string }
  | { state: 'expired' };

export const decide = defineSignal<[decision: { approve: boolean; by: string; comment?: string }]>('decide');
export const status = defineQuery<ApprovalStatus>('status');

const { recordDecision } = proxyActivities<ReturnType<typeof createApprovalActivities>>({
  startToCloseTimeout: '30s',
});

/** Waits up to 30 days for a decision signal; answers a status query meanwhile. Costs nothing while it waits. */
export async function approval(request: ApprovalRequest): Promise<ApprovalStatus> {
  const since = new Date();
  let current: ApprovalStatus = {
    state: 'waiting',
    since: since.toISOString(),
    deadline: new Date(since.getTime() + 30 * 86_400_000).toISOString(),
  };
  setHandler(status, () => current);
  setHandler(decide, (decision) => {
    if (current.state !== 'waiting' || !request.approvers.includes(decision.by)) return;
    current = {
      state: decision.approve ? 'approved' : 'rejected',
      by: decision.by,
      comment: decision.comment,
    };
  });
  const decided = await condition(() => current.state !== 'waiting', '30 days');
  if (!decided) current = { state: 'expired' };
  await recordDecision(request.requestId, current);
  return current;
}
