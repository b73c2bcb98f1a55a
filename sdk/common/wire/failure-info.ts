import * as z from 'zod';
import {
  APPLICATION_FAILURE_CATEGORIES,
  FAILURE_KINDS,
  type FailureInfo,
  RETRY_STATES,
  TIMEOUT_TYPES,
} from '../failures.ts';
import { payloadsSchema } from './payload.ts';
import type { SameShape } from './same-shape.ts';

/** Which timeout fired; the values are `TIMEOUT_TYPES` (sdk/common/failures.ts). */
export const timeoutTypeSchema = z.enum(TIMEOUT_TYPES);

// `FailureInfo` (sdk/common/failures.ts) is the source: history stores it and workflow code builds it.
const failureInfoObject = z.strictObject({
  kind: z.enum(FAILURE_KINDS),
  message: z.string(),
  stack: z.string().optional(),
  type: z.string().optional(),
  nonRetryable: z.boolean().optional(),
  details: payloadsSchema.optional(),
  activityType: z.string().optional(),
  activityId: z.string().optional(),
  workflowId: z.string().optional(),
  workflowType: z.string().optional(),
  runId: z.string().optional(),
  retryState: z.enum(RETRY_STATES).optional(),
  timeoutType: timeoutTypeSchema.optional(),
  category: z.enum(APPLICATION_FAILURE_CATEGORIES).optional(),
  get cause() {
    return failureInfoSchema.optional();
  },
});
true satisfies SameShape<z.output<typeof failureInfoObject>, FailureInfo>;

/** A serialized failure with its cause chain, as stored in history. */
export const failureInfoSchema: z.ZodType<FailureInfo, FailureInfo> = failureInfoObject;
