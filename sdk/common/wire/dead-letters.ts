import * as z from 'zod';
import { boundedText, epochMsSchema, workflowIdSchema } from './fields.ts';
import { MAX_ID_LENGTH, MAX_NAME_LENGTH } from './limits.ts';

/*
 * Work set aside (`cairn dlq list|redrive`, API.md "CLI"): messages waiting in the engine's
 * dead-letter queues and in the router's failure destination, and putting them back.
 */

/** Most messages one list or redrive request reads (each is one SQS receive slot and one run read). */
export const MAX_DEAD_LETTER_LIMIT = 100;

/** What is set aside: a task message of a queue, or a stream batch the router gave up on. */
export const DEAD_LETTER_KINDS = ['workflow', 'activity', 'system', 'stream'] as const;

/** One message waiting in a dead-letter queue (a stream failure: one of the records it names). */
export const deadLetterSchema = z.object({
  queue: z.string().describe("The queue it waits in, by its id: 'act-<taskQueue>-dlq', 'router-failures', …"),
  sourceQueue: z
    .string()
    .optional()
    .describe('The queue a redrive sends it back to (none for the router: a redrive re-routes its records)'),
  messageId: z.string(),
  kind: z.enum(DEAD_LETTER_KINDS),
  workflowId: z.string().optional(),
  runId: z.string().optional(),
  /** The event the task is for (its scheduled or initiated event), or the stream batch's first event. */
  eventId: z.number().int().optional(),
  taskQueue: z.string().optional(),
  /** A system task's operation, e.g. `fireTimer`. */
  operation: z.string().optional(),
  /** The activity attempt the task carries. */
  attempt: z.number().int().optional(),
  receiveCount: z.number().int().describe("SQS's ApproximateReceiveCount (listing counts as a receive)"),
  sentTime: epochMsSchema.describe('When the message was first sent'),
  deadLetteredTime: epochMsSchema.optional().describe('When the run recorded that it was set aside'),
  reason: z.string().describe("Why: the run's recorded failure, or what the failure destination says"),
});
export type DeadLetter = z.output<typeof deadLetterSchema>;

/** Which messages a list or a redrive concerns; every given field must match. */
export const deadLetterFilterSchema = z.strictObject({
  queue: boundedText(
    MAX_NAME_LENGTH,
    "Only this queue (its id or physical name, e.g. 'act-orders-dlq')",
  ).optional(),
  workflowId: workflowIdSchema.optional(),
  runId: boundedText(MAX_ID_LENGTH, 'Only messages of this run').optional(),
  limit: z.coerce
    .number()
    .int({ error: 'must be a whole number' })
    .min(1, { error: `must be between 1 and ${MAX_DEAD_LETTER_LIMIT}` })
    .max(MAX_DEAD_LETTER_LIMIT, { error: `must be between 1 and ${MAX_DEAD_LETTER_LIMIT}` })
    .default(MAX_DEAD_LETTER_LIMIT)
    .describe('Most messages to read'),
});
export type DeadLetterFilter = Omit<z.input<typeof deadLetterFilterSchema>, 'limit'> & { limit?: number };

export const deadLetterPageSchema = z.object({
  deadLetters: z.array(deadLetterSchema),
  /** Every queue that was looked at, by id. */
  queues: z.array(z.string()),
  truncated: z.boolean().describe('True when the limit was reached: more messages may wait'),
});
export type DeadLetterPage = z.output<typeof deadLetterPageSchema>;

export const redriveResultSchema = z.object({
  redriven: z.array(deadLetterSchema).describe('What was put back, each as it was listed'),
  skipped: z
    .array(deadLetterSchema)
    .describe('Matching messages left where they are, with the reason (e.g. stream records expired)'),
  truncated: z.boolean().describe('True when the limit was reached: redrive again for the rest'),
});
export type RedriveResult = z.output<typeof redriveResultSchema>;

/** The dead-letter operations of the API, transport-free (see `WorkflowServiceApi`). */
export interface DeadLetterServiceApi {
  listDeadLetters(namespace: string, filter?: DeadLetterFilter): Promise<DeadLetterPage>;
  redriveDeadLetters(namespace: string, filter?: DeadLetterFilter): Promise<RedriveResult>;
}
