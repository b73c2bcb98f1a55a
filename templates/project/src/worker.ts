// The worker of the `greetings` task queue. `cairn dev --worker src/worker.ts` runs it locally;
// in infra/app.ts, engine.addWorker deploys this very file as a Lambda function.
import { createWorker } from 'cairnflow/worker';
import * as activities from './activities.js';
import * as workflows from './workflows.js';

export const handler = createWorker({ taskQueue: 'greetings', workflows, activities });
