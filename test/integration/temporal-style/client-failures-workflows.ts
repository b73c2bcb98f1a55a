// Workflows that fail in each of the ways a client sees: an activity's failure, a child's, a
// timeout, and runs left waiting for a cancel or terminate.
import * as wf from 'cairnflow/workflow';
import type * as activities from './client-failures-activities.ts';

const { declineCard } = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });
const { hang } = wf.proxyActivities<typeof activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
});

export async function payment(cardId: string): Promise<void> {
  await declineCard(cardId);
}

export async function checkout(cardId: string): Promise<void> {
  await wf.executeChild(payment, { workflowId: `${wf.workflowInfo().workflowId}-payment`, args: [cardId] });
}

export async function slowShipping(): Promise<string> {
  return hang();
}

export async function waitForever(): Promise<void> {
  await wf.condition(() => false);
}
