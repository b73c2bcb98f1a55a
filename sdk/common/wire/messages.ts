import * as z from 'zod';
import { failureInfoSchema } from './failure-info.ts';
import { boundedText, requestIdSchema } from './fields.ts';
import { MAX_ID_LENGTH } from './limits.ts';
import { payloadSchema, payloadsSchema } from './payload.ts';

/*
 * The bodies of signals, queries and updates: the messages a client sends a running workflow.
 */

/** The signal handler's arguments. */
export const signalRequestSchema = z.strictObject({
  input: payloadsSchema.default([]),
  requestId: requestIdSchema.optional(),
});
export type SignalRequest = z.output<typeof signalRequestSchema>;

/** The query handler's arguments. */
export const queryRequestSchema = z.strictObject({ input: payloadsSchema.default([]) });
export type QueryRequest = z.output<typeof queryRequestSchema>;

/** The query handler's answer. */
export const queryResponseSchema = z.object({ result: payloadSchema });
export type QueryResponse = z.infer<typeof queryResponseSchema>;

/** The update handler's arguments; resend with the returned updateId to keep waiting for the outcome. */
export const updateRequestSchema = z.strictObject({
  input: payloadsSchema.default([]),
  updateId: boundedText(MAX_ID_LENGTH, 'Idempotency key: resend it to ask for the same update').optional(),
});
export type UpdateRequest = z.output<typeof updateRequestSchema>;

/** An update's result, or its failure (a rejection by the validator, or the handler throwing). */
export const updateOutcomeSchema = z.union([
  z.object({ result: payloadSchema }),
  z.object({ failure: failureInfoSchema }),
]);
export type UpdateOutcome = z.infer<typeof updateOutcomeSchema>;

/** The update's result or failure; no outcome while it still runs. */
export const updateResponseSchema = z.object({
  updateId: z.string(),
  runId: z.string().optional().describe('The run the update went to'),
  stage: z
    .enum(['ADMITTED', 'ACCEPTED', 'COMPLETED'])
    .optional()
    .describe('How far the update got: ADMITTED (not yet seen by the workflow), ACCEPTED or COMPLETED'),
  outcome: updateOutcomeSchema
    .optional()
    .describe('Absent while the update still runs: resend the request with this updateId'),
});
export type UpdateResponse = z.infer<typeof updateResponseSchema>;
