import * as z from 'zod';
import { failureInfoSchema } from './failure-info.ts';
import { payloadSchema } from './payload.ts';

/*
 * Finishing an activity from outside its worker, by task token: an activity that threw
 * CompleteAsyncError is completed, failed or heartbeated over the HTTP API.
 */

const taskTokenSchema = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(8192, { error: 'must be at most 8192 characters' })
  .regex(/^[A-Za-z0-9_-]+$/, {
    error: 'must be a task token as activityInfo().taskToken gives it (base64url)',
  })
  .describe('The activity attempt, as `activityInfo().taskToken` gives it');

/** Completes an activity that threw CompleteAsyncError, with the activity's result. */
export const completeActivityRequestSchema = z.strictObject({
  taskToken: taskTokenSchema,
  result: payloadSchema,
});
export type CompleteActivityRequest = z.output<typeof completeActivityRequestSchema>;

/** Fails an activity that threw CompleteAsyncError; the activity's retry policy decides what follows. */
export const failActivityRequestSchema = z.strictObject({
  taskToken: taskTokenSchema,
  failure: failureInfoSchema,
});
export type FailActivityRequest = z.output<typeof failActivityRequestSchema>;

/** Records progress of an activity that completes asynchronously. */
export const heartbeatActivityRequestSchema = z.strictObject({
  taskToken: taskTokenSchema,
  details: payloadSchema.optional(),
});
export type HeartbeatActivityRequest = z.output<typeof heartbeatActivityRequestSchema>;

/** Whether the activity's cancellation was requested. */
export const heartbeatActivityResponseSchema = z.object({ cancelRequested: z.boolean() });
export type HeartbeatActivityResponse = z.infer<typeof heartbeatActivityResponseSchema>;

export type { ActivityOutcome } from '../../engine/activity-outcome.ts';
