import * as z from 'zod';
import { failureInfoSchema } from './failure-info.ts';
import { epochMsSchema } from './fields.ts';

/**
 * Why a run's workflow task failed, or one of its tasks was set aside.
 * DeadLettered: a task of the run kept failing and its message moved to the dead-letter queue.
 * UnknownTaskQueue: the router could not send a task of the run (event `eventId`) to its task
 * queue, because no worker serves it; the task was set aside.
 */
export const WORKFLOW_TASK_FAILURE_CAUSES = [
  'WorkflowError',
  'NonDeterminism',
  'UnknownWorkflowType',
  'DeadLettered',
  'UnknownTaskQueue',
] as const;

export type WorkflowTaskFailureCause = (typeof WORKFLOW_TASK_FAILURE_CAUSES)[number];

/** Why the run's workflow task keeps failing, or why one of its tasks was set aside. */
export const workflowTaskFailureSchema = z.object({
  attempt: z.number().int(),
  time: epochMsSchema,
  eventId: z.number().int(),
  cause: z.enum(WORKFLOW_TASK_FAILURE_CAUSES),
  failure: failureInfoSchema,
  retryAt: epochMsSchema.optional().describe('When the one pending retry of the task is due'),
  final: z
    .boolean()
    .optional()
    .describe('The engine expects this failure never to heal (the time-skipping test environment)'),
});

/**
 * A run's current workflow-task failure, as `describe` and a waiting `result` report it. `final`
 * says the engine expects it never to heal (the time-skipping environment, where the task failed
 * again with the code as it is now): stop waiting.
 */
export type WorkflowTaskFailure = z.infer<typeof workflowTaskFailureSchema>;
