import * as z from 'zod';
import {
  completeActivityRequestSchema,
  failActivityRequestSchema,
  heartbeatActivityRequestSchema,
  heartbeatActivityResponseSchema,
} from '../../sdk/common/wire/activity-completion.ts';
import { closeWorkflowRequestSchema } from '../../sdk/common/wire/close.ts';
import { workflowDescriptionSchema } from '../../sdk/common/wire/description.ts';
import { errorBodySchema, errorDetailSchema } from '../../sdk/common/wire/error-body.ts';
import { failureInfoSchema } from '../../sdk/common/wire/failure-info.ts';
import {
  boundedText,
  namespaceSchema,
  signalNameSchema,
  workflowIdSchema,
} from '../../sdk/common/wire/fields.ts';
import { historyEventSchema, historyPageSchema } from '../../sdk/common/wire/history-page.ts';
import { MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_WAIT_MS } from '../../sdk/common/wire/limits.ts';
import {
  queryRequestSchema,
  queryResponseSchema,
  signalRequestSchema,
  updateRequestSchema,
  updateResponseSchema,
} from '../../sdk/common/wire/messages.ts';
import { runOutcomeSchema } from '../../sdk/common/wire/outcome.ts';
import { payloadSchema } from '../../sdk/common/wire/payload.ts';
import { resultsRequestSchema, resultsResponseSchema } from '../../sdk/common/wire/results.ts';
import { runPageSchema, runSummarySchema } from '../../sdk/common/wire/run-summary.ts';
import { searchAttributesSchema } from '../../sdk/common/wire/search-attributes.ts';
import { startWorkflowRequestSchema, startWorkflowResultSchema } from '../../sdk/common/wire/start.ts';
import {
  updatePollResponseSchema,
  updateWithStartRequestSchema,
  updateWithStartResultSchema,
} from '../../sdk/common/wire/update-with-start.ts';
import { workflowTaskFailureSchema } from '../../sdk/common/wire/workflow-task-failure.ts';
import { ERROR_STATUS } from './errors.ts';

/**
 * The schemas of the HTTP API's routes. Bodies and responses are the shared wire schemas
 * (`sdk/common/wire/`, which the client's types are inferred from); path and query parameters are
 * the API's own. Handlers parse with these, and the OpenAPI document is generated from them, so a
 * shape is written once.
 */

/** The schemas the OpenAPI document names under `components/schemas`. */
export const apiSchemas = z.registry<{ id: string; description: string }>();

/** Names a schema in the OpenAPI document's `components/schemas`. */
export function named<T extends z.ZodType>(schema: T, id: string, description: string): T {
  apiSchemas.add(schema, { id, description });
  return schema;
}

/**
 * Default cap on a request body. API Gateway accepts 10 MB and a synchronous Lambda invoke 6 MB;
 * payloads this large belong in S3 anyway (DESIGN.md, "Data and limits").
 */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Longest long poll: API Gateway cuts requests at 29 s. */
export const MAX_WAIT_SECONDS = MAX_WAIT_MS / 1000;

// ---- Shared shapes, named in the document (registered in the order they are listed there) ----

named(
  payloadSchema,
  'Payload',
  'A serialized value: metadata (at least `encoding`) and data as text (JSON text, or base64).',
);
named(
  searchAttributesSchema,
  'SearchAttributes',
  'Indexed values that list queries can filter on; dates as ISO-8601 strings.',
);
named(failureInfoSchema, 'FailureInfo', 'A serialized failure with its cause chain, as stored in history.');

// ---- Path parameters ----

export const namespacePath = z.strictObject({ namespace: namespaceSchema });
export const workflowPath = namespacePath.extend({ workflowId: workflowIdSchema });
export const signalPath = workflowPath.extend({ signalName: signalNameSchema });
export const queryPath = workflowPath.extend({ queryName: boundedText(MAX_NAME_LENGTH, 'Query name') });
export const updatePath = workflowPath.extend({ updateName: boundedText(MAX_NAME_LENGTH, 'Update name') });
export const updateIdPath = workflowPath.extend({
  updateId: boundedText(MAX_ID_LENGTH, 'Update id, as the update request returned it'),
});
export const noPath = z.strictObject({});

// ---- Query parameters (strings on the wire; numbers coerced) ----

const runId = boundedText(MAX_ID_LENGTH, 'Run id; the latest run of the workflow id when omitted');
const pageToken = z.string().min(1).max(4096).describe('Opaque token from the previous page');
const waitSeconds = z.coerce
  .number()
  .min(0, { error: 'must be ≥ 0' })
  .max(MAX_WAIT_SECONDS, { error: `must be at most ${MAX_WAIT_SECONDS} (seconds); ask again to wait longer` })
  .default(MAX_WAIT_SECONDS)
  .describe('How long to wait for the outcome before answering without it, in seconds');

export const noQuery = z.strictObject({});
export const runQuery = z.strictObject({ runId: runId.optional() });
export const historyQuery = runQuery.extend({ pageToken: pageToken.optional() });
export const waitQuery = runQuery.extend({ waitSeconds });
export const resultQuery = waitQuery.extend({
  reportedFailureTime: z.coerce
    .number()
    .min(0, { error: 'must be ≥ 0' })
    .optional()
    .describe(
      'Time (epoch ms) of the last workflow-task failure the caller reported: the wait also ends when a newer one is recorded',
    ),
});
export const pollUpdateQuery = waitQuery.extend({
  waitForStage: z
    .enum(['ACCEPTED', 'COMPLETED'])
    .default('COMPLETED')
    .describe('Answer once the update reached this stage (or waitSeconds passed)'),
});
export const listQuery = z.strictObject({
  query: z
    .string()
    .max(10_000, { error: 'must be at most 10000 characters' })
    .optional()
    .describe("Visibility query, e.g. WorkflowType = 'loan' AND ExecutionStatus = 'Running'"),
  pageToken: pageToken.optional(),
  pageSize: z.coerce
    .number()
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be between 1 and 1000' })
    .max(1000, { error: 'must be between 1 and 1000' })
    .default(100)
    .describe('Runs per page'),
});

// ---- Request bodies ----

export const startWorkflowBody = named(
  startWorkflowRequestSchema,
  'StartWorkflowRequest',
  'Starts a workflow run; with `signal`, signal-with-start.',
);
export const signalWorkflowBody = named(
  signalRequestSchema,
  'SignalWorkflowRequest',
  "The signal handler's arguments.",
);
export const queryWorkflowBody = named(
  queryRequestSchema,
  'QueryWorkflowRequest',
  "The query handler's arguments.",
);
export const updateWorkflowBody = named(
  updateRequestSchema,
  'UpdateWorkflowRequest',
  "The update handler's arguments; resend with the returned updateId to keep waiting for the outcome.",
);
export const updateWithStartBody = named(
  updateWithStartRequestSchema,
  'UpdateWithStartRequest',
  "Starts a workflow (or, by workflowIdConflictPolicy, uses the running one) and sends it an update; a new run and the update's admission are one write.",
);
export const closeWorkflowBody = named(
  closeWorkflowRequestSchema,
  'CloseWorkflowRequest',
  'Why the workflow is cancelled or terminated. The body may be omitted.',
);
export const completeActivityBody = named(
  completeActivityRequestSchema,
  'CompleteActivityRequest',
  "Completes an activity that threw CompleteAsyncError, with the activity's result.",
);
export const failActivityBody = named(
  failActivityRequestSchema,
  'FailActivityRequest',
  "Fails an activity that threw CompleteAsyncError; the activity's retry policy decides what follows.",
);
export const heartbeatActivityBody = named(
  heartbeatActivityRequestSchema,
  'HeartbeatActivityRequest',
  'Records progress of an activity that completes asynchronously.',
);

// ---- Responses (documentation; handlers' return types are checked against them) ----

export const startWorkflowResponse = named(
  startWorkflowResultSchema,
  'StartWorkflowResponse',
  'The run that was started (or signalled).',
);
named(runSummarySchema, 'RunSummary', 'What list and describe show of a run.');
export const listWorkflowsResponse = named(
  runPageSchema,
  'ListWorkflowsResponse',
  'A page of runs, newest start first.',
);
named(
  workflowTaskFailureSchema,
  'WorkflowTaskFailure',
  "Why the run's workflow task keeps failing, or why one of its tasks was set aside.",
);
export const describeWorkflowResponse = named(
  workflowDescriptionSchema,
  'WorkflowDescription',
  "A run's summary, pending work and, if it is stuck, why.",
);
named(
  historyEventSchema,
  'HistoryEvent',
  'One history event: gap-free id, commit time, type, and the fields of that type.',
);
export const historyResponse = named(
  historyPageSchema,
  'HistoryPage',
  "A page of a run's history, oldest first.",
);
export const resultsBody = named(
  resultsRequestSchema,
  'WorkflowResultsRequest',
  'The runs whose outcomes to answer, at most 100; each is answered at once, as `result` with waitSeconds 0.',
);
export const resultsResponse = named(
  resultsResponseSchema,
  'WorkflowResultsResponse',
  "Each run's outcome (`Running` with retryAfterMs while open), or the error its own `result` request would have answered.",
);
export const resultResponse = named(
  runOutcomeSchema,
  'RunOutcome',
  'How the run ended; `Running` if it did not close within waitSeconds (ask again).',
);
export const queryWorkflowResponse = named(
  queryResponseSchema,
  'QueryWorkflowResponse',
  "The query handler's answer.",
);
export const updateWorkflowResponse = named(
  updateResponseSchema,
  'UpdateWorkflowResponse',
  "The update's result or failure.",
);
export const pollUpdateResponse = named(
  updatePollResponseSchema,
  'PollUpdateResponse',
  "An update's stage and, once it completed, its result or failure.",
);
export const updateWithStartResponse = named(
  updateWithStartResultSchema,
  'UpdateWithStartResponse',
  "The run the update went to, and the update's stage and outcome.",
);
export const heartbeatActivityResponse = named(
  heartbeatActivityResponseSchema,
  'HeartbeatActivityResponse',
  "Whether the activity's cancellation was requested.",
);

export const openApiDocumentResponse = z.record(z.string(), z.unknown());

const errorCodes = Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]];
/** The wire's error body, its `code` narrowed to the codes of the API's status table. */
export const errorResponseSchema = named(
  errorBodySchema.extend({ error: errorDetailSchema.extend({ code: z.enum(errorCodes) }) }),
  'Error',
  'What went wrong, with a stable code and a message saying what to change.',
);
