import * as z from 'zod';
import { failureInfoSchema } from './failure-info.ts';
import { epochMsSchema } from './fields.ts';
import { payloadSchema } from './payload.ts';
import { runSummarySchema } from './run-summary.ts';
import { workflowTaskFailureSchema } from './workflow-task-failure.ts';

/** An activity that is scheduled and not yet resolved, as `describe` shows it. */
export const pendingActivitySchema = z.object({
  scheduledEventId: z.number().int(),
  activityId: z.string(),
  activityType: z.string(),
  attempt: z.number().int(),
  taskQueue: z.string(),
  scheduledTime: epochMsSchema,
  lastFailure: failureInfoSchema.optional(),
  nextAttemptTime: epochMsSchema.optional(),
  heartbeatDetails: payloadSchema
    .optional()
    .describe(
      "The last heartbeat's details, which the next attempt starts from (encoded by the worker's codec)",
    ),
  lastHeartbeatTime: epochMsSchema.optional().describe('When the current attempt last heartbeated'),
});

/** What `describe` returns: a run's summary, pending work and, if it is stuck, why. */
export const workflowDescriptionSchema = runSummarySchema.extend({
  cancelRequested: z.boolean(),
  pendingActivities: z.array(pendingActivitySchema),
  pendingWorkflowTask: z.boolean(),
  workflowTaskFailure: workflowTaskFailureSchema
    .optional()
    .describe('Why the pending workflow task keeps failing (e.g. a determinism violation), if it does'),
  failure: failureInfoSchema
    .optional()
    .describe('How a run that closed without a result ended, with its cause chain'),
  continuedAsNewRunId: z.string().optional(),
});

/** What `describe` returns: a run's summary, pending work and, if it is stuck, why. */
export type WorkflowDescription = z.infer<typeof workflowDescriptionSchema>;
