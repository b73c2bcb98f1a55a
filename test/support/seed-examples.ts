import { Client } from 'cairnflow/client';
import type { ApprovalRequest } from '../../examples/approval/workflows.ts';
import type { LoanApplication } from '../../examples/loan/workflows.ts';
import type { Order } from '../../examples/order-saga/workflows.ts';

/** Markup in a workflow input: the UI must show it as text and never run it. */
export const SCRIPT_INPUT = `<script>window.__cairnInjected = 1</script><img src="x" onerror="window.__cairnInjected = 2">`;

/** The workflow ids {@link seedExamples} starts. */
export const SEEDED = {
  loan: 'loan-ada',
  orderShipped: 'order-lamp',
  orderDeclined: 'order-desk-declined',
  approval: 'approval-budget',
  approvalToTerminate: 'approval-to-terminate',
  scriptInput: 'approval-script-input',
} as const;

/**
 * Starts the seed examples on a `cairn dev` hosting examples/*\/worker.ts: a loan whose credit
 * bureau fails first, an order that ships, one whose payment is declined (the saga compensates),
 * and approvals that wait for a signal (one with markup in its input).
 */
export async function seedExamples(endpoint: string): Promise<Client> {
  const client = new Client({ endpoint });
  const application: LoanApplication = {
    applicationId: 'app-1',
    applicant: { name: 'ada', ssn: '123-45-6789', email: 'ada@example.com' },
    amount: 25_000,
  };
  await client.workflow.start('loanApplication', {
    taskQueue: 'loans',
    workflowId: SEEDED.loan,
    args: [application],
  });
  const order = (orderId: string, amount: number): Order => ({
    orderId,
    sku: 'lamp',
    quantity: 1,
    amount,
    address: '1 Main St',
  });
  await client.workflow.start('orderSaga', {
    taskQueue: 'orders',
    workflowId: SEEDED.orderShipped,
    args: [order('o-1', 120)],
  });
  await client.workflow.start('orderSaga', {
    taskQueue: 'orders',
    workflowId: SEEDED.orderDeclined,
    args: [order('o-2', 900)],
  });
  const request = (requestId: string, description: string): ApprovalRequest => ({
    requestId,
    description,
    approvers: ['grace'],
  });
  await client.workflow.start('approval', {
    taskQueue: 'approvals',
    workflowId: SEEDED.approval,
    args: [request('r-1', 'Budget for Q3')],
    searchAttributes: { Team: 'finance' },
  });
  await client.workflow.start('approval', {
    taskQueue: 'approvals',
    workflowId: SEEDED.approvalToTerminate,
    args: [request('r-2', 'Laptop')],
  });
  await client.workflow.start('approval', {
    taskQueue: 'approvals',
    workflowId: SEEDED.scriptInput,
    args: [request('r-3', SCRIPT_INPUT)],
  });
  return client;
}
