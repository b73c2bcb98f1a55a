import * as z from 'zod';
import { WorkflowIdConflictPolicy, WorkflowUpdateStage } from '../enums.ts';
import { boundedText } from './fields.ts';
import { MAX_ID_LENGTH, MAX_NAME_LENGTH } from './limits.ts';
import { updateOutcomeSchema } from './messages.ts';
import { payloadsSchema } from './payload.ts';
import { type StartRequest, startWorkflowRequestSchema } from './start.ts';

const updateStageSchema = z
  .enum(['ADMITTED', 'ACCEPTED', 'COMPLETED'])
  .describe('How far the update got: ADMITTED (not yet seen by the workflow), ACCEPTED or COMPLETED');

/** An update's stage and outcome, polled by its id. */
export const updatePollResponseSchema = z.object({
  updateId: z.string(),
  runId: z.string(),
  stage: updateStageSchema,
  outcome: updateOutcomeSchema.optional().describe('Absent until the update completed'),
});
export type UpdatePollResponse = z.infer<typeof updatePollResponseSchema>;

const updateIdSchema = boundedText(MAX_ID_LENGTH, 'Idempotency key: resend it to ask for the same update');

/** The update half of update-with-start. */
export const startUpdateSchema = z.strictObject({
  name: boundedText(MAX_NAME_LENGTH, 'Update name'),
  input: payloadsSchema.default([]).describe("The update handler's arguments"),
  updateId: updateIdSchema.optional(),
});

/**
 * Update-with-start: start the workflow (or, by the conflict policy, use the running one) and send
 * it an update. A new run and the update's admission are one conditional write.
 */
export const updateWithStartRequestSchema = z.strictObject({
  start: startWorkflowRequestSchema.omit({ signal: true }),
  workflowIdConflictPolicy: z
    .enum(WorkflowIdConflictPolicy)
    .describe('What to do when a run with the workflow id is running'),
  update: startUpdateSchema,
  waitForStage: z
    .enum([WorkflowUpdateStage.ACCEPTED, WorkflowUpdateStage.COMPLETED])
    .describe('Answer once the update is accepted, or once it completed (within the long-poll bound)'),
});
export type UpdateWithStartBody = z.output<typeof updateWithStartRequestSchema>;

/** Update-with-start as the engine takes it: the body in its namespace. */
export type UpdateWithStartRequest = Omit<UpdateWithStartBody, 'start'> & {
  start: Omit<StartRequest, 'signal'>;
};

/** The run the update went to, and the update's outcome if it is known already. */
export const updateWithStartResultSchema = z.object({
  runId: z.string(),
  started: z.boolean().describe('False when the update went to the running run (USE_EXISTING)'),
  updateId: z.string(),
  stage: updateStageSchema,
  outcome: updateOutcomeSchema.optional().describe('Absent while the update still runs: poll it by updateId'),
});
export type UpdateWithStartResult = z.infer<typeof updateWithStartResultSchema>;
