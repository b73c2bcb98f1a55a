// The example workers, as `cairn dev` and `npm run demo` host them on the local stack.
import type { WorkerDefinition } from 'cairnflow/worker';
import { createApprovalActivities } from './approval/activities.ts';
import * as approvalWorkflows from './approval/workflows.ts';
import { createLoanActivities } from './loan/activities.ts';
import * as loanWorkflows from './loan/workflows.ts';
import { createOrderActivities } from './order-saga/activities.ts';
import * as sagaWorkflows from './order-saga/workflows.ts';

export function exampleWorkers(): WorkerDefinition[] {
  return [
    {
      taskQueue: 'loans',
      workflows: loanWorkflows,
      activities: createLoanActivities({ scores: { ada: 742, bob: 612, grace: 801 }, flakyCalls: 2 }),
    },
    {
      taskQueue: 'orders',
      workflows: sagaWorkflows,
      activities: createOrderActivities({
        stock: { lamp: 100, desk: 5 },
        declineCardsOver: 500,
        journal: [],
      }),
    },
    { taskQueue: 'approvals', workflows: approvalWorkflows, activities: createApprovalActivities() },
  ];
}
