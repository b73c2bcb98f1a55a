// The Lambda entry of the `loans` task queue: the CDK Worker construct bundles this file.
import { createWorker } from 'cairnflow/worker';
import { createLoanActivities } from './activities.ts';
import * as workflows from './workflows.ts';

export const handler = createWorker({
  taskQueue: 'loans',
  workflows,
  activities: createLoanActivities({ scores: { ada: 742, bob: 612, grace: 801 }, flakyCalls: 1 }),
});
