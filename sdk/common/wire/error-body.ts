import * as z from 'zod';

/** What went wrong, with a stable code and a message saying what to change. */
export const errorDetailSchema = z.looseObject({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean().optional().describe('Nothing was written: the same request may be sent again'),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/**
 * Every error response of the API: `{ "error": { "code", "message", ... } }`. The API's schema
 * narrows `code` to the codes of its status table (functions/api/errors.ts).
 */
export const errorBodySchema = z.object({ error: errorDetailSchema });
export type ErrorBody = z.infer<typeof errorBodySchema>;
