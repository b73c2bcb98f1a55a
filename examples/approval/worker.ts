// The Lambda entry of the `approvals` task queue: the CDK Worker construct bundles this file.
import { createWorker } from 'cairnflow/worker';
import { createApprovalActivities } from './activities.ts';
import * as workflows from './workflows.ts';

export const handler = createWorker({
  taskQueue: 'approvals',
  workflows,
  activities: createApprovalActivities(),
});
