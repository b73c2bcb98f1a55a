// The repository's main job (`npm run demo`): the seed's examples end to end on the embedded AWS
// stack, or in memory with `--in-memory`. Not part of the published package.
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { formatTimeline } from '../bin/cli/timeline.ts';
import * as approvalWorkflows from '../examples/approval/workflows.ts';
import * as loanWorkflows from '../examples/loan/workflows.ts';
import * as sagaWorkflows from '../examples/order-saga/workflows.ts';
import { exampleWorkers } from '../examples/workers.ts';

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

/** Runs the seed's examples end to end and prints results and histories: on the local AWS stack, or in memory. */
async function runDemo(options: { inMemory?: boolean } = {}): Promise<void> {
  const started = Date.now();
  if (!options.inMemory)
    console.log('Starting the embedded AWS stack (DynamoDB Local, SQS/S3 emulator, local Lambda host)…');
  const env = options.inMemory
    ? await TestWorkflowEnvironment.createTimeSkipping({ workers: exampleWorkers() })
    : await TestWorkflowEnvironment.createLocal({ workers: exampleWorkers(), logLevel: 'error' });
  if (!options.inMemory) console.log(`Stack up in ${Date.now() - started} ms; HTTP API at ${env.endpoint}`);
  const { workflow } = env.client;
  try {
    const applicant = (name: string) => ({ name, ssn: '123-45-6789', email: `${name}@example.com` });
    await show(env, 'Loan: flaky credit bureau (fails twice), approved on attempt 3', 'loan-ada', () =>
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
    await show(env, 'Order saga: card declined, reservation released (compensation)', 'order-2', () =>
      workflow.execute(sagaWorkflows.orderSaga, {
        taskQueue: 'orders',
        workflowId: 'order-2',
        args: [{ ...order, orderId: 'O-2', amount: 900 }],
      }),
    );
    const waitLabel = options.inMemory ? 'waits 12 days (virtual time)' : 'waits (up to 30 days)';
    await show(
      env,
      `Approval: ${waitLabel}, answers a status query, approved by signal`,
      'approval-1',
      async () => {
        const handle = await workflow.start(approvalWorkflows.approval, {
          taskQueue: 'approvals',
          workflowId: 'approval-1',
          args: [{ requestId: 'R-1', description: 'New laptop', approvers: ['carol'] }],
        });
        await env.sleep(options.inMemory ? '12 days' : '500ms');
        console.log(
          'status query while waiting:',
          JSON.stringify(await handle.query(approvalWorkflows.status)),
        );
        await handle.signal(approvalWorkflows.decide, { approve: true, by: 'carol', comment: 'enjoy' });
        return handle.result();
      },
    );
    const problems = await env.verifyHistories();
    console.log(
      `\nReplayed every history with the same code and checked its invariants: ${problems.length ? problems.join('; ') : 'all sound'}.`,
    );
    console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await env.teardown();
  }
}

await runDemo({ inMemory: process.argv.includes('--in-memory') });
