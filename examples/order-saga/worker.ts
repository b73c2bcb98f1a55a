// The Lambda entry of the `orders` task queue: the CDK Worker construct bundles this file.
import { createWorker } from 'cairnflow/worker';
import { createOrderActivities } from './activities.ts';
import * as workflows from './workflows.ts';

export const handler = createWorker({
  taskQueue: 'orders',
  workflows,
  activities: createOrderActivities({ stock: { lamp: 100, desk: 5 }, declineCardsOver: 500, journal: [] }),
});
