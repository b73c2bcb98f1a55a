import * as z from 'zod';
import { requestIdSchema } from './fields.ts';

/** Why a workflow is cancelled or terminated. The body may be omitted. */
export const closeWorkflowRequestSchema = z.strictObject({
  reason: z.string().max(4096).describe('Why, for the history and the operator').optional(),
  requestId: requestIdSchema.optional(),
});
export type CloseWorkflowRequest = z.output<typeof closeWorkflowRequestSchema>;
