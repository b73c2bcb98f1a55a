// Client and test code as a Temporal project writes it; type-checked (tsc, strict) against
// cairnflow/*. Not run: the point is that it compiles (tsconfig includes test/).
import {
  Client,
  Connection,
  WithStartWorkflowOperation,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
  WorkflowUpdateStage,
} from 'cairnflow/client';
import { MockActivityEnvironment, TestWorkflowEnvironment } from 'cairnflow/testing';
import { bundleWorkflowCode, DefaultLogger, type LogEntry, Runtime, Worker } from 'cairnflow/worker';
import * as activities from './temporal-style-activities.ts';
import {
  addNote,
  cancelOrder,
  notesWorkflow,
  orderStatus,
  orderWorkflow,
} from './temporal-style-workflows.ts';

export async function clientCode(address: string): Promise<string> {
  const client = new Client({ connection: await Connection.connect({ address }) });
  const handle: WorkflowHandle<typeof orderWorkflow> = await client.workflow.start(orderWorkflow, {
    taskQueue: 'orders',
    workflowId: 'order-1',
    args: ['c-1', 500],
  });
  await handle.signal(cancelOrder, 'changed my mind');
  const status: string = await handle.query(orderStatus);
  const again = client.workflow.getHandle<typeof orderWorkflow>('order-1');
  const result: string = await again.result();
  // @ts-expect-error the result of an orderWorkflow handle is a string
  const wrong: number = await handle.result();
  return `${status} ${result} ${wrong}`;
}

export async function updateCode(client: Client): Promise<number> {
  const startWorkflowOperation = new WithStartWorkflowOperation(notesWorkflow, {
    workflowId: 'notes-1',
    taskQueue: 'notes',
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const count: number = await client.workflow.executeUpdateWithStart(addNote, {
    args: ['first'],
    startWorkflowOperation,
  });
  const handle = await startWorkflowOperation.workflowHandle();
  const update: WorkflowUpdateHandle<number> = await handle.startUpdate(addNote, {
    args: ['second'],
    waitForStage: WorkflowUpdateStage.ACCEPTED,
  });
  const eager = await client.workflow.start(notesWorkflow, {
    taskQueue: 'notes',
    workflowId: 'notes-2',
    requestEagerStart: true,
  });
  const eagerly: boolean = eager.eagerlyStarted;
  // @ts-expect-error an addNote update takes a string
  await handle.startUpdate(addNote, { args: [42], waitForStage: 'ACCEPTED' });
  return count + (await update.result()) + (eagerly ? 1 : 0);
}

export async function testCode(): Promise<void> {
  const entries: LogEntry[] = [];
  Runtime.install({ logger: new DefaultLogger('WARN', (entry) => entries.push(entry)) });
  const env = await TestWorkflowEnvironment.createLocal();
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: './temporal-style-workflows.ts' });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'orders',
    workflowBundle,
    activities,
  });
  const result: string = await worker.runUntil(
    env.client.workflow.execute(orderWorkflow, { taskQueue: 'orders', workflowId: 'o-2', args: ['c', 1] }),
  );
  await env.sleep('1 day');
  await env.teardown();

  const mock = new MockActivityEnvironment({ attempt: 2 });
  mock.on('heartbeat', (details: unknown) =>
    entries.push({ level: 'INFO', message: String(details), timestampNanos: 0n }),
  );
  const { chargeId }: { chargeId: string } = await mock.run(activities.chargeCard, 'c', 10);
  mock.cancel();
  void result;
  void chargeId;

  const skipping = await TestWorkflowEnvironment.createTimeSkipping();
  await skipping.teardown();
}
