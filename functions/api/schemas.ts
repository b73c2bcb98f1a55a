import * as z from 'zod';
import { WORKFLOW_TASK_FAILURE_CAUSES } from '../../sdk/backend/ports.ts';
import { WorkflowIdReusePolicy } from '../../sdk/common/enums.ts';
import { MAX_WAIT_MS } from '../../sdk/runtime/workflow-service.ts';
import { ERROR_STATUS, InvalidRequestError, type RequestIssue } from './errors.ts';

/**
 * The shapes of the HTTP API: every path parameter, query parameter, request body and response.
 * Handlers parse with these, types are inferred from them, and the OpenAPI document is generated
 * from them, so a shape is written once.
 */

/** The schemas the OpenAPI document names under `components/schemas`. */
export const apiSchemas = z.registry<{ id: string; description: string }>();

function named<T extends z.ZodType>(schema: T, id: string, description: string): T {
  apiSchemas.add(schema, { id, description });
  return schema;
}

/**
 * Default cap on a request body. API Gateway accepts 10 MB and a synchronous Lambda invoke 6 MB;
 * payloads this large belong in S3 anyway (DESIGN.md, "Data and limits").
 */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_ID_LENGTH = 1000;
export const MAX_NAME_LENGTH = 256;
/** Longest long poll: API Gateway cuts requests at 29 s. */
export const MAX_WAIT_SECONDS = MAX_WAIT_MS / 1000;

// Control characters break logs, headers and terminals; everything else printable is a fair id.
const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;

function boundedText(maxLength: number, description: string) {
  return z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(maxLength, { error: `must be at most ${maxLength} characters` })
    .regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' })
    .describe(description);
}

export const namespaceSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be 1–64 letters, digits, dots, underscores or hyphens' })
  .describe('Namespace: isolates tenants');
const workflowId = boundedText(MAX_ID_LENGTH, 'Workflow id, unique per namespace among running workflows');
const runId = boundedText(MAX_ID_LENGTH, 'Run id; the latest run of the workflow id when omitted');
const workflowType = boundedText(MAX_NAME_LENGTH, 'Workflow type: the name of the workflow function');
const taskQueue = boundedText(MAX_NAME_LENGTH, 'Task queue served by the worker that runs the workflow');
const pageToken = z.string().min(1).max(4096).describe('Opaque token from the previous page');
const reason = z.string().max(4096).describe('Why, for the history and the operator');
const taskToken = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(8192, { error: 'must be at most 8192 characters' })
  .regex(/^[A-Za-z0-9_-]+$/, {
    error: 'must be a task token as activityInfo().taskToken gives it (base64url)',
  })
  .describe('The activity attempt, as `activityInfo().taskToken` gives it');
const epochMs = z.number().describe('Epoch milliseconds');

export const payloadSchema = named(
  z.strictObject({ metadata: z.record(z.string(), z.string()), data: z.string() }),
  'Payload',
  'A serialized value: metadata (at least `encoding`) and data as text (JSON text, or base64).',
);
const payloads = z.array(payloadSchema);

const searchAttributeName = z
  .string()
  .max(MAX_NAME_LENGTH, { error: `must be at most ${MAX_NAME_LENGTH} characters` })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'search attribute names are letters, digits and underscores' });
export const searchAttributesSchema = named(
  z.record(searchAttributeName, z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
  'SearchAttributes',
  'Indexed values that list queries can filter on; dates as ISO-8601 strings.',
);
const memo = z
  .record(z.string().max(MAX_NAME_LENGTH), payloadSchema)
  .describe('Unindexed values shown by describe');

const failureKind = z.enum([
  'application',
  'activity',
  'child',
  'cancelled',
  'timeout',
  'terminated',
  'server',
]);
const retryState = z.enum([
  'InProgress',
  'NonRetryableFailure',
  'MaximumAttemptsReached',
  'Timeout',
  'RetryPolicyNotSet',
  'CancelRequested',
]);
const timeoutType = z.enum(['StartToClose', 'ScheduleToStart', 'ScheduleToClose', 'Heartbeat']);

export const failureInfoSchema = named(
  z.strictObject({
    kind: failureKind,
    message: z.string(),
    stack: z.string().optional(),
    type: z.string().optional(),
    nonRetryable: z.boolean().optional(),
    details: payloads.optional(),
    activityType: z.string().optional(),
    activityId: z.string().optional(),
    workflowId: z.string().optional(),
    workflowType: z.string().optional(),
    runId: z.string().optional(),
    retryState: retryState.optional(),
    timeoutType: timeoutType.optional(),
    get cause() {
      return failureInfoSchema.optional();
    },
  }),
  'FailureInfo',
  'A serialized failure with its cause chain, as stored in history.',
);

// ---- Path parameters ----

export const namespacePath = z.strictObject({ namespace: namespaceSchema });
export const workflowPath = namespacePath.extend({ workflowId });
export const signalPath = workflowPath.extend({ signalName: boundedText(MAX_NAME_LENGTH, 'Signal name') });
export const queryPath = workflowPath.extend({ queryName: boundedText(MAX_NAME_LENGTH, 'Query name') });
export const updatePath = workflowPath.extend({ updateName: boundedText(MAX_NAME_LENGTH, 'Update name') });
export const noPath = z.strictObject({});

// ---- Query parameters (strings on the wire; numbers coerced) ----

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
  z.strictObject({
    workflowId,
    workflowType,
    taskQueue,
    input: payloads.default([]).describe("The workflow function's arguments, one payload each"),
    workflowIdReusePolicy: z.enum(WorkflowIdReusePolicy).optional(),
    workflowExecutionTimeoutMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Bound on the whole chain of runs'),
    workflowRunTimeoutMs: z.number().int().positive().optional().describe('Bound on one run'),
    memo: memo.optional(),
    searchAttributes: searchAttributesSchema.optional(),
    signal: z
      .strictObject({ name: boundedText(MAX_NAME_LENGTH, 'Signal name'), input: payloads.default([]) })
      .optional()
      .describe('Signal-with-start: signal the running workflow, or start it and deliver the signal first'),
  }),
  'StartWorkflowRequest',
  'Starts a workflow run; with `signal`, signal-with-start.',
);
export type StartWorkflowBody = z.output<typeof startWorkflowBody>;

export const signalWorkflowBody = named(
  z.strictObject({ input: payloads.default([]) }),
  'SignalWorkflowRequest',
  "The signal handler's arguments.",
);
export type SignalWorkflowBody = z.output<typeof signalWorkflowBody>;

export const queryWorkflowBody = named(
  z.strictObject({ input: payloads.default([]) }),
  'QueryWorkflowRequest',
  "The query handler's arguments.",
);
export type QueryWorkflowBody = z.output<typeof queryWorkflowBody>;

export const updateWorkflowBody = named(
  z.strictObject({
    input: payloads.default([]),
    updateId: boundedText(MAX_ID_LENGTH, 'Idempotency key: resend it to ask for the same update').optional(),
  }),
  'UpdateWorkflowRequest',
  "The update handler's arguments; resend with the returned updateId to keep waiting for the outcome.",
);
export type UpdateWorkflowBody = z.output<typeof updateWorkflowBody>;

export const closeWorkflowBody = named(
  z.strictObject({ reason: reason.optional() }),
  'CloseWorkflowRequest',
  'Why the workflow is cancelled or terminated. The body may be omitted.',
);
export type CloseWorkflowBody = z.output<typeof closeWorkflowBody>;

export const completeActivityBody = named(
  z.strictObject({ taskToken, result: payloadSchema }),
  'CompleteActivityRequest',
  "Completes an activity that threw CompleteAsyncError, with the activity's result.",
);
export type CompleteActivityBody = z.output<typeof completeActivityBody>;

export const failActivityBody = named(
  z.strictObject({ taskToken, failure: failureInfoSchema }),
  'FailActivityRequest',
  "Fails an activity that threw CompleteAsyncError; the activity's retry policy decides what follows.",
);
export type FailActivityBody = z.output<typeof failActivityBody>;

export const heartbeatActivityBody = named(
  z.strictObject({ taskToken, details: payloadSchema.optional() }),
  'HeartbeatActivityRequest',
  'Records progress of an activity that completes asynchronously.',
);
export type HeartbeatActivityBody = z.output<typeof heartbeatActivityBody>;

// ---- Responses (documentation; handlers' return types are checked against them) ----

const executionStatus = z.enum([
  'Running',
  'Completed',
  'Failed',
  'Canceled',
  'Terminated',
  'TimedOut',
  'ContinuedAsNew',
]);

export const startWorkflowResponse = named(
  z.object({
    runId: z.string(),
    started: z
      .boolean()
      .describe('False when signal-with-start found the workflow running and only signalled it'),
  }),
  'StartWorkflowResponse',
  'The run that was started (or signalled).',
);

export const runSummarySchema = named(
  z.object({
    namespace: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    workflowType: z.string(),
    taskQueue: z.string(),
    status: executionStatus,
    startTime: epochMs,
    closeTime: epochMs.optional(),
    historyLength: z.number().int(),
    searchAttributes: searchAttributesSchema,
    memo: z.record(z.string(), payloadSchema),
    parent: z
      .object({
        namespace: z.string(),
        workflowId: z.string(),
        runId: z.string(),
        initiatedEventId: z.number(),
      })
      .optional(),
  }),
  'RunSummary',
  'What list and describe show of a run.',
);

export const listWorkflowsResponse = named(
  z.object({ runs: z.array(runSummarySchema), nextPageToken: z.string().optional() }),
  'ListWorkflowsResponse',
  'A page of runs, newest start first.',
);

const workflowTaskFailureSchema = named(
  z.object({
    attempt: z.number().int(),
    time: epochMs,
    eventId: z.number().int(),
    cause: z.enum(WORKFLOW_TASK_FAILURE_CAUSES),
    failure: failureInfoSchema,
    retryAt: epochMs.optional().describe('When the one pending retry of the task is due'),
    final: z
      .boolean()
      .optional()
      .describe('The engine expects this failure never to heal (the time-skipping test environment)'),
  }),
  'WorkflowTaskFailure',
  "Why the run's workflow task keeps failing, or why one of its tasks was set aside.",
);

export const describeWorkflowResponse = named(
  runSummarySchema.extend({
    cancelRequested: z.boolean(),
    pendingActivities: z.array(
      z.object({
        scheduledEventId: z.number().int(),
        activityId: z.string(),
        activityType: z.string(),
        attempt: z.number().int(),
        taskQueue: z.string(),
        scheduledTime: epochMs,
        lastFailure: failureInfoSchema.optional(),
        nextAttemptTime: epochMs.optional(),
      }),
    ),
    pendingWorkflowTask: z.boolean(),
    workflowTaskFailure: workflowTaskFailureSchema
      .optional()
      .describe('Why the pending workflow task keeps failing (e.g. a determinism violation), if it does'),
    failure: failureInfoSchema
      .optional()
      .describe('How a run that closed without a result ended, with its cause chain'),
    continuedAsNewRunId: z.string().optional(),
  }),
  'WorkflowDescription',
  "A run's summary, pending work and, if it is stuck, why.",
);

export const historyEventSchema = named(
  z.looseObject({ eventId: z.number().int(), eventTime: epochMs, type: z.string() }),
  'HistoryEvent',
  'One history event: gap-free id, commit time, type, and the fields of that type.',
);

export const historyResponse = named(
  z.object({ runId: z.string(), events: z.array(historyEventSchema), nextPageToken: z.string().optional() }),
  'HistoryPage',
  "A page of a run's history, oldest first.",
);

export const resultResponse = named(
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('Running'),
      runId: z.string(),
      workflowTaskFailure: workflowTaskFailureSchema
        .optional()
        .describe('Why the run is not moving, if its workflow task keeps failing'),
    }),
    z.object({ status: z.literal('Completed'), runId: z.string(), result: payloadSchema }),
    z.object({ status: z.literal('ContinuedAsNew'), runId: z.string(), newRunId: z.string() }),
    z.object({
      status: z.enum(['Failed', 'Canceled', 'Terminated', 'TimedOut']),
      runId: z.string(),
      failure: failureInfoSchema,
    }),
  ]),
  'RunOutcome',
  'How the run ended; `Running` if it did not close within waitSeconds (ask again).',
);

export const queryWorkflowResponse = named(
  z.object({ result: payloadSchema }),
  'QueryWorkflowResponse',
  "The query handler's answer.",
);

export const updateWorkflowResponse = named(
  z.object({
    updateId: z.string(),
    outcome: z
      .union([z.object({ result: payloadSchema }), z.object({ failure: failureInfoSchema })])
      .optional()
      .describe('Absent while the update still runs: resend the request with this updateId'),
  }),
  'UpdateWorkflowResponse',
  "The update's result or failure.",
);

export const heartbeatActivityResponse = named(
  z.object({ cancelRequested: z.boolean() }),
  'HeartbeatActivityResponse',
  "Whether the activity's cancellation was requested.",
);

export const openApiDocumentResponse = z.record(z.string(), z.unknown());

const errorCodes = Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]];
export const errorResponseSchema = named(
  z.object({
    error: z.looseObject({
      code: z.enum(errorCodes),
      message: z.string(),
      retryable: z.boolean().optional().describe('Nothing was written: the same request may be sent again'),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  }),
  'Error',
  'What went wrong, with a stable code and a message saying what to change.',
);

// ---- Parsing ----

/** Which part of a request a value came from, for messages. */
export type RequestPart = 'path' | 'query' | 'body';

const PART_LABEL: Record<RequestPart, string> = {
  path: 'path parameter',
  query: 'query parameter',
  body: 'request body field',
};

function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let current: z.ZodType = schema;
  for (const key of path) {
    if (!(current instanceof z.ZodObject)) return undefined;
    current = current.shape[String(key)] as z.ZodType;
    while (current instanceof z.ZodOptional || current instanceof z.ZodDefault)
      current = current.unwrap() as z.ZodType;
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : undefined;
}

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path)
    current = current !== null && typeof current === 'object' ? Reflect.get(current, key) : undefined;
  return current;
}

function issuesOf(error: z.ZodError, schema: z.ZodType, value: unknown, part: RequestPart): RequestIssue[] {
  return error.issues.flatMap((issue): RequestIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path);
      const expected = known?.length ? `; expected ${known.join(', ')}` : `; this ${part} takes none`;
      return issue.keys.map((key) => ({
        path: pathText([...issue.path, key]),
        message: `is not a known ${PART_LABEL[part]}${expected}`,
      }));
    }
    let message = issue.message.replace(/^Invalid input: /, '');
    if (issue.code === 'invalid_type' && message.endsWith('received undefined')) message = 'is required';
    else if (part === 'body' && issue.path.length === 0) message = `must be a JSON object (${message})`;
    else if (!/^(must|is) /.test(message)) message = `is invalid: ${message}`;
    // Path and query values are short strings the caller may not see in their own code: echo them.
    const given = valueAt(value, issue.path);
    if (part !== 'body' && typeof given === 'string' && message !== 'is required') {
      message = `'${given.length > 100 ? `${given.slice(0, 100)}…` : given}' ${message}`;
    }
    return [{ path: pathText(issue.path), message }];
  });
}

/**
 * Parses one part of a request, or throws an `InvalidRequestError` naming every problem, e.g.
 * "Invalid request body: workflowId is required; taskQueue must not be empty".
 */
export function parseRequestPart<T extends z.ZodType>(
  schema: T,
  value: unknown,
  part: RequestPart,
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error, schema, value, part);
  const label = { path: 'Invalid path', query: 'Invalid query string', body: 'Invalid request body' }[part];
  const text = issues
    .map((issue) => (issue.path ? `${issue.path} ${issue.message}` : issue.message))
    .join('; ');
  throw new InvalidRequestError(`${label}: ${text}`, issues);
}
