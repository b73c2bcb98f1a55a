import * as z from 'zod';
import { errorDetailSchema } from './error-body.ts';
import { boundedText, workflowIdSchema } from './fields.ts';
import { MAX_ID_LENGTH, MAX_RESULTS_PER_REQUEST } from './limits.ts';
import { runOutcomeSchema } from './outcome.ts';

/**
 * Many runs' outcomes in one request: how a client that awaits many runs at once (a starter that
 * fans out, a burst of `result()` calls) polls them, one API request per batch instead of one per
 * run. Each is answered at once, as `result` with no wait is.
 */

export const resultsRequestSchema = z.strictObject({
  runs: z
    .array(
      z.strictObject({
        workflowId: workflowIdSchema,
        runId: boundedText(
          MAX_ID_LENGTH,
          'Run id; the latest run of the workflow id when omitted',
        ).optional(),
        reportedFailureTime: z
          .number()
          .min(0, { error: 'must be ≥ 0' })
          .optional()
          .describe('Time (epoch ms) of the last workflow-task failure the caller reported for this run'),
      }),
    )
    .min(1, { error: 'must name at least one run' })
    .max(MAX_RESULTS_PER_REQUEST, { error: `must name at most ${MAX_RESULTS_PER_REQUEST} runs` }),
});
export type ResultsRequest = z.infer<typeof resultsRequestSchema>;

/** One run's answer: its outcome, or the error its own `result` request would have had. */
export const resultsEntrySchema = z.union([
  z.strictObject({ outcome: runOutcomeSchema }),
  z.strictObject({
    status: z.number().int().describe('The HTTP status of the error'),
    error: errorDetailSchema,
  }),
]);
export type ResultsEntry = z.infer<typeof resultsEntrySchema>;

export const resultsResponseSchema = z.strictObject({
  results: z.array(resultsEntrySchema).describe('One entry per requested run, in the order asked'),
});
export type ResultsResponse = z.infer<typeof resultsResponseSchema>;
