// The CDK app: Cairn's engine and this project's worker. `npx cdk synth` works offline;
// `npx cdk deploy` needs AWS credentials (and `npx cdk bootstrap` once per account and region).
import { App, CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import { Engine } from 'cairnflow/cdk';
import { AwsSolutionsChecks } from 'cdk-nag';

const app = new App();
// cdk-nag's AWS Solutions checks run at synth: any finding without a written reason fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

const stack = new Stack(app, '{{stackName}}');
const engine = new Engine(stack, 'Engine');
engine.addWorker('Greetings', { taskQueue: 'greetings', entry: 'src/worker.ts' });
new CfnOutput(stack, 'ApiUrl', { value: engine.apiUrl, description: 'cairn --endpoint (SigV4-signed)' });
app.synth();
