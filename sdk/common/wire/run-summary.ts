import * as z from 'zod';
import type { ParentRef } from '../../engine/events.ts';
import { EXECUTION_STATUSES } from '../../engine/run-state.ts';
import { epochMsSchema } from './fields.ts';
import { payloadSchema } from './payload.ts';
import type { SameShape } from './same-shape.ts';
import { searchAttributesSchema } from './search-attributes.ts';

// `ParentRef` (sdk/engine/events.ts) is the source: a child's start event records it.
const parentRefObject = z.object({
  namespace: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  initiatedEventId: z.number(),
});
true satisfies SameShape<z.output<typeof parentRefObject>, ParentRef>;
const parentRefSchema: z.ZodType<ParentRef, ParentRef> = parentRefObject;

/** What `list` and `describe` show of a run. */
export const runSummarySchema = z.object({
  namespace: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  workflowType: z.string(),
  taskQueue: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  startTime: epochMsSchema,
  closeTime: epochMsSchema.optional(),
  historyLength: z.number().int(),
  searchAttributes: searchAttributesSchema,
  memo: z.record(z.string(), payloadSchema),
  parent: parentRefSchema.optional(),
});

/** What `list` and `describe` show of a run. */
export type RunSummary = z.infer<typeof runSummarySchema>;

/** A page of runs, newest start first. */
export const runPageSchema = z.object({
  runs: z.array(runSummarySchema),
  nextPageToken: z.string().optional(),
});

/** A page of runs, newest start first. */
export type RunPage = z.infer<typeof runPageSchema>;
