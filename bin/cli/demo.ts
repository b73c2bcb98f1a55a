import { TestWorkflowEnvironment } from 'cairn/testing';
import { createApprovalActivities } from '../../examples/approval/activities.ts';
import * as approvalWorkflows from '../../examples/approval/workflows.ts';
import { createLoanActivities } from '../../examples/loan/activities.ts';
import * as loanWorkflows from '../../examples/loan/workflows.ts';
import { createOrderActivities } from '../../examples/order-saga/activities.ts';
import * as sagaWorkflows from '../../examples/order-saga/workflows.ts';
import { formatTimeline } from './timeline.ts';

type Env = TestWorkflowEnvironment;

async function show(
  env: Env,
  title: string,
  workflowId: string,
  outcome: () => Promise<unknown>,
): Promise<void> {
  console.log(`\n━━ ${title} ━━`);
  try {
    console.log('result:', JSON.stringify(await outcome()));
  } catch (error) {
    const chain: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) chain.push(`${e.name}: ${e.message}`);
    console.log(`failed: ${chain.join('\n   caused by ')}`);
  }
  const { events } = await env.client.workflow.getHandle(workflowId).fetchHistory();
  console.log(formatTimeline(events));
}

/** Runs the seed's examples end to end on the in-memory engine and prints results and histories. */
export async function runDemo(): Promise<void> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workers: [
      {
        taskQueue: 'loans',
        workflows: loanWorkflows,
        activities: createLoanActivities({ scores: { ada: 742, bob: 612 }, flakyCalls: 2 }),
      },
      {
        taskQueue: 'orders',
        workflows: sagaWorkflows,
        activities: createOrderActivities({ stock: { lamp: 3 }, declineCardsOver: 500, journal: [] }),
      },
      { taskQueue: 'approvals', workflows: approvalWorkflows, activities: createApprovalActivities() },
    ],
  });
  const { workflow } = env.client;
  try {
    const applicant = (name: string) => ({ name, ssn: '123-45-6789', email: `${name}@example.com` });
    await show(env, 'Loan: flaky credit bureau, approved on attempt 3', 'loan-ada', () =>
      workflow.execute(loanWorkflows.loanApplication, {
        taskQueue: 'loans',
        workflowId: 'loan-ada',
        args: [{ applicationId: 'A-1', applicant: applicant('ada'), amount: 25_000 }],
      }),
    );
    await show(env, 'Loan: score below 650, rejected', 'loan-bob', () =>
      workflow.execute(loanWorkflows.loanApplication, {
        taskQueue: 'loans',
        workflowId: 'loan-bob',
        args: [{ applicationId: 'A-2', applicant: applicant('bob'), amount: 5_000 }],
      }),
    );
    const order = { orderId: 'O-1', sku: 'lamp', quantity: 1, amount: 120, address: '1 Main St' };
    await show(env, 'Order saga: reserved, charged, shipped', 'order-1', () =>
      workflow.execute(sagaWorkflows.orderSaga, {
        taskQueue: 'orders',
        workflowId: 'order-1',
        args: [order],
      }),
    );
    await show(env, 'Order saga: card declined, reservation released', 'order-2', () =>
      workflow.execute(sagaWorkflows.orderSaga, {
        taskQueue: 'orders',
        workflowId: 'order-2',
        args: [{ ...order, orderId: 'O-2', amount: 900 }],
      }),
    );
    await show(
      env,
      'Approval: waits 12 days (virtual), answers queries, approved by signal',
      'approval-1',
      async () => {
        const handle = await workflow.start(approvalWorkflows.approval, {
          taskQueue: 'approvals',
          workflowId: 'approval-1',
          args: [{ requestId: 'R-1', description: 'New laptop', approvers: ['carol'] }],
        });
        await env.sleep('12 days');
        console.log('status query on day 12:', JSON.stringify(await handle.query(approvalWorkflows.status)));
        await handle.signal(approvalWorkflows.decide, { approve: true, by: 'carol', comment: 'enjoy' });
        return handle.result();
      },
    );
  } finally {
    await env.teardown();
  }
}
