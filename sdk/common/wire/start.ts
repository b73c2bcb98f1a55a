import * as z from 'zod';
import type { ParentClosePolicyName, ParentRef } from '../../engine/events.ts';
import { WorkflowIdReusePolicy } from '../enums.ts';
import {
  requestIdSchema,
  signalNameSchema,
  taskQueueSchema,
  workflowIdSchema,
  workflowTypeSchema,
} from './fields.ts';
import { memoSchema, payloadsSchema } from './payload.ts';
import { searchAttributesSchema } from './search-attributes.ts';

/** Starts a workflow run; with `signal`, signal-with-start. Payloads arrive already encoded by the client. */
export const startWorkflowRequestSchema = z.strictObject({
  workflowId: workflowIdSchema,
  workflowType: workflowTypeSchema,
  taskQueue: taskQueueSchema,
  input: payloadsSchema.default([]).describe("The workflow function's arguments, one payload each"),
  workflowIdReusePolicy: z.enum(WorkflowIdReusePolicy).optional(),
  workflowExecutionTimeoutMs: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Bound on the whole chain of runs'),
  workflowRunTimeoutMs: z.number().int().positive().optional().describe('Bound on one run'),
  memo: memoSchema.optional(),
  searchAttributes: searchAttributesSchema.optional(),
  cronSchedule: z
    .string()
    .max(1000)
    .optional()
    .describe(
      "Temporal's cron workflow: each run waits for the next matching time (UTC); the next starts as it closes",
    ),
  requestEagerStart: z
    .boolean()
    .optional()
    .describe(
      "Temporal's eager start: the API runs the new run's first workflow task on its worker before answering, skipping the stream and queue hop",
    ),
  signal: z
    .strictObject({ name: signalNameSchema, input: payloadsSchema.default([]) })
    .optional()
    .describe('Signal-with-start: signal the running workflow, or start it and deliver the signal first'),
  requestId: requestIdSchema.optional(),
});

/** The start body as the API reads it (defaults applied). */
export type StartWorkflowRequest = z.output<typeof startWorkflowRequestSchema>;

/**
 * Everything a new run is started with: the API's start body in its namespace. `parent` and
 * `parentClosePolicy` never cross the wire: the engine sets them when a workflow starts a child.
 */
export type StartRequest = StartWorkflowRequest & {
  namespace: string;
  parent?: ParentRef;
  parentClosePolicy?: ParentClosePolicyName;
  /** The chain's first run, when this run carries a chain on (a cron workflow's next run). */
  firstRunId?: string;
};

/** The run that was started (or signalled). */
export const startWorkflowResultSchema = z.object({
  runId: z.string(),
  started: z
    .boolean()
    .describe('False when signal-with-start found the workflow running and only signalled it'),
  eagerlyStarted: z
    .boolean()
    .optional()
    .describe(
      'With requestEagerStart: whether the first workflow task ran on the worker within this request',
    ),
});
export type StartResult = z.infer<typeof startWorkflowResultSchema>;
