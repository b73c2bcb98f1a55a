// The CDK app: Cairn's engine with the example workers. `npx cdk synth` / `npx cdk deploy`.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Engine } from 'cairnflow/cdk';
import { AwsSolutionsChecks } from 'cdk-nag';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What {@link buildExampleStack} made, for tests. */
export interface ExampleStack {
  stack: Stack;
  engine: Engine;
}

/**
 * The stack `cdk deploy` creates: the engine and the workers of the examples (loan application,
 * order saga, approval). Environment-agnostic (no account, region or lookups), so it synthesizes
 * offline; CloudFormation takes the account and region at deploy time.
 */
export function buildExampleStack(app: App, id = 'Cairn', props: StackProps = {}): ExampleStack {
  const stack = new Stack(app, id, {
    description: 'Cairn: durable workflows on Lambda, DynamoDB and SQS (engine and example workers)',
    ...props,
  });
  const engine = new Engine(stack, 'Engine', {
    bundling: { projectRoot: root, depsLockFilePath: join(root, 'package-lock.json') },
  });
  engine.addWorker('Loans', { taskQueue: 'loans', entry: join(root, 'examples/loan/worker.ts') });
  engine.addWorker('Orders', { taskQueue: 'orders', entry: join(root, 'examples/order-saga/worker.ts') });
  engine.addWorker('Approvals', { taskQueue: 'approvals', entry: join(root, 'examples/approval/worker.ts') });
  new CfnOutput(stack, 'ApiUrl', {
    value: engine.apiUrl,
    description: 'Pass to the cairn CLI as --endpoint (requests are SigV4-signed)',
  });
  new CfnOutput(stack, 'HistoryTableName', { value: engine.historyTable.tableName });
  new CfnOutput(stack, 'ExecutionsTableName', { value: engine.executionsTable.tableName });
  new CfnOutput(stack, 'PayloadBucketName', { value: engine.payloadBucket.bucketName });
  return { stack, engine };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = new App();
  // cdk-nag runs as a policy validation plugin: `cdk synth` fails on any unacknowledged finding.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  buildExampleStack(app);
  app.synth();
}
