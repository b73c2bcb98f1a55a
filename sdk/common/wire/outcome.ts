import * as z from 'zod';
import { failureInfoSchema } from './failure-info.ts';
import { payloadSchema } from './payload.ts';
import { workflowTaskFailureSchema } from './workflow-task-failure.ts';

/** How a run ended, as `result` reports it; `Running` if it did not close within the wait. */
export const runOutcomeSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('Running'),
    runId: z.string(),
    workflowTaskFailure: workflowTaskFailureSchema
      .optional()
      .describe('Why the run is not moving, if its workflow task keeps failing'),
    retryAfterMs: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        'Wait at least this long before asking again: the server answers waits briefly and lets the client back off, so no invocation is held per waiting client',
      ),
  }),
  z.object({ status: z.literal('Completed'), runId: z.string(), result: payloadSchema }),
  z.object({ status: z.literal('ContinuedAsNew'), runId: z.string(), newRunId: z.string() }),
  z.object({
    status: z.enum(['Failed', 'Canceled', 'Terminated', 'TimedOut']),
    runId: z.string(),
    failure: failureInfoSchema,
  }),
]);

/** How a run ended, as `result` reports it; `Running` if it did not close within the wait. */
export type RunOutcome = z.infer<typeof runOutcomeSchema>;
