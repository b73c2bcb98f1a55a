import { type Duration, optionalDurationToMs } from '../common/duration.ts';
import type { WorkflowIdReusePolicy, WorkflowUpdateStage } from '../common/enums.ts';
import { InvalidArgumentError, WorkflowFailedError } from '../common/errors.ts';
import type { DataConverter } from '../common/payload.ts';
import {
  normalizeSearchAttributes,
  type SearchAttributesInput,
  type SearchAttributeValue,
} from '../common/search-attributes.ts';
import {
  type SearchAttributePair,
  TypedSearchAttributes,
  typedToRecord,
} from '../common/typed-search-attributes.ts';
import type { WorkflowDescription } from '../common/wire/description.ts';
import type { RunOutcome } from '../common/wire/outcome.ts';
import type { RunSummary } from '../common/wire/run-summary.ts';
import type { UpdateWithStartResult } from '../common/wire/update-with-start.ts';
import type { HistoryEvent } from '../engine/events.ts';
import { AsyncCompletionClient } from './async-completion-client.ts';
import { Connection, type RequestSigner, type WorkflowServiceApi } from './connection.ts';
import { PayloadPipeline } from './payload-pipeline.ts';
import type { RetryOptions } from './retry-policy.ts';
import { ScheduleClient } from './schedule-client.ts';
import { type WorkflowTaskFailureHandler, warnOnWorkflowTaskFailure } from './task-failure-report.ts';
import { type UpdateWithStartOptions, WithStartWorkflowOperation } from './with-start-operation.ts';
import {
  type DefArgs,
  type DefRet,
  type Named,
  nameOf,
  WorkflowHandle,
  type WorkflowResultType,
} from './workflow-handle.ts';
import { checkWaitForStage, WorkflowUpdateHandle } from './workflow-update-handle.ts';

type WorkflowFn = (...args: never[]) => Promise<unknown>;
/** A workflow named by its type only: its arguments and result are not known statically. */
type UntypedWorkflow = (...args: unknown[]) => Promise<unknown>;
// A workflow given only by name infers no parameters (never[]): accept any arguments then.
type ArgsOf<F> = F extends (...args: infer A) => unknown ? (A extends never[] ? unknown[] : A) : unknown[];
type ResultOf<F> = F extends (...args: never[]) => Promise<infer R> ? R : unknown;

/** Options of `new Client(...)`. */
export interface ClientOptions {
  /**
   * Base URL of the HTTP API. Or pass `connection`.
   * @default `CAIRN_ENDPOINT` if set, else `cairn dev`'s `http://127.0.0.1:4680`
   */
  endpoint?: string;
  connection?: Connection;
  /** @default 'default' */
  namespace?: string;
  signer?: RequestSigner;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /**
   * Retries of throttled and transient failures (429, 503, `HistoryConflict`, an unreachable API),
   * with jittered exponential backoff; every mutating request carries a request id, so its retry is
   * applied once. @default { maxAttempts: 5 }
   */
  retry?: RetryOptions;
  dataConverter?: DataConverter;
  /**
   * Told, while `result()` / `execute()` wait, of each distinct failure of the run's workflow task
   * (workflow code throwing, a determinism violation, an unknown workflow type) or of a task set
   * aside, so a wait that cannot finish is not silent. Throw from it to make the waiting call reject
   * with what you throw; return to keep waiting (a deploy of fixed code heals the run).
   * @default warnOnWorkflowTaskFailure: one `console.warn` line per distinct failure
   */
  onWorkflowTaskFailure?: WorkflowTaskFailureHandler;
}

/** Options of `client.workflow.start`. */
export interface WorkflowStartOptions<Args extends unknown[] = unknown[]> {
  taskQueue: string;
  workflowId: string;
  args?: Args;
  workflowIdReusePolicy?: WorkflowIdReusePolicy;
  workflowExecutionTimeout?: Duration;
  workflowRunTimeout?: Duration;
  memo?: Record<string, unknown>;
  /** Cairn's values or Temporal's arrays (`{ CustomIntField: [42] }`; `[]` leaves one out). */
  searchAttributes?: SearchAttributesInput;
  /** Typed search attributes, as in Temporal: `[{ key: defineSearchAttributeKey(name, type), value }]`. */
  typedSearchAttributes?: SearchAttributePair[] | TypedSearchAttributes;
  /**
   * Temporal's cron workflows (e.g. `'0 * * * *'`, UTC): each run starts at the next matching time,
   * and as it closes the next run starts, under the same workflow id. Prefer `client.schedule`.
   */
  cronSchedule?: string;
  /**
   * Temporal's eager start: the engine runs the first workflow task on the task queue's worker
   * within the start call, skipping the stream and queue hop; `handle.eagerlyStarted` says whether
   * it did (false when no worker could take it then: the task is queued as usual).
   */
  requestEagerStart?: boolean;
}

function eagerStartOption(value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new InvalidArgumentError(`requestEagerStart must be true or false, not ${JSON.stringify(value)}`);
}

/** What `list` yields per run. */
export interface WorkflowExecutionInfo extends Omit<RunSummary, 'memo' | 'startTime' | 'closeTime'> {
  type: string;
  startTime: Date;
  closeTime?: Date;
  memo: Record<string, unknown>;
}

/** A start's search attributes, untyped and typed together; a name given in both is refused. */
function startSearchAttributes(
  options: WorkflowStartOptions,
): Record<string, SearchAttributeValue> | undefined {
  const { searchAttributes, typedSearchAttributes } = options;
  if (!searchAttributes && !typedSearchAttributes) return undefined;
  const pairs =
    typedSearchAttributes instanceof TypedSearchAttributes
      ? typedSearchAttributes.getAll()
      : typedSearchAttributes;
  const typed = typedToRecord(pairs ?? []) as SearchAttributesInput;
  for (const name of Object.keys(typed)) {
    if (searchAttributes && name in searchAttributes) {
      throw new InvalidArgumentError(
        `Search attribute '${name}' is in both searchAttributes and typedSearchAttributes; give it once`,
      );
    }
  }
  return normalizeSearchAttributes({ ...searchAttributes, ...typed });
}

/** Starting, finding and listing workflows. */
export class WorkflowClient {
  constructor(
    private readonly service: WorkflowServiceApi,
    readonly namespace: string,
    private readonly payloads: PayloadPipeline,
    private readonly onWorkflowTaskFailure: WorkflowTaskFailureHandler = warnOnWorkflowTaskFailure,
  ) {}

  private handle<R>(
    workflowId: string,
    runId: string | undefined,
    firstExecutionRunId: string | undefined,
    eagerlyStarted = false,
  ) {
    return new WorkflowHandle<R>(
      this.service,
      this.namespace,
      this.payloads,
      workflowId,
      runId,
      firstExecutionRunId,
      this.onWorkflowTaskFailure,
      eagerlyStarted,
    );
  }

  private async startRequest(workflow: WorkflowFn | string, options: WorkflowStartOptions) {
    if (!options || typeof options !== 'object')
      throw new InvalidArgumentError('start needs options { taskQueue, workflowId, args }');
    const workflowType = typeof workflow === 'string' ? workflow : workflow?.name;
    if (!workflowType)
      throw new InvalidArgumentError('start needs a workflow function or a workflow type name');
    if (typeof options.taskQueue !== 'string' || !options.taskQueue)
      throw new InvalidArgumentError('start needs a taskQueue');
    if (typeof options.workflowId !== 'string' || !options.workflowId)
      throw new InvalidArgumentError('start needs a workflowId');
    return {
      namespace: this.namespace,
      workflowId: options.workflowId,
      workflowType,
      taskQueue: options.taskQueue,
      input: await this.payloads.encode(options.args ?? []),
      workflowIdReusePolicy: options.workflowIdReusePolicy,
      workflowExecutionTimeoutMs: optionalDurationToMs(options.workflowExecutionTimeout),
      workflowRunTimeoutMs: optionalDurationToMs(options.workflowRunTimeout),
      memo: await this.payloads.encodeMap(options.memo),
      searchAttributes: startSearchAttributes(options),
      cronSchedule: options.cronSchedule,
      requestEagerStart: eagerStartOption(options.requestEagerStart),
    };
  }

  /**
   * Starts a workflow and returns its handle.
   *
   * @example
   * const handle = await client.workflow.start(loanApplication, { taskQueue: 'loans', workflowId: 'loan-42', args: [application] });
   */
  async start<F extends WorkflowFn = UntypedWorkflow>(
    workflow: F | string,
    options: WorkflowStartOptions<ArgsOf<F>>,
  ): Promise<WorkflowHandle<ResultOf<F>>> {
    const request = await this.startRequest(workflow, options as WorkflowStartOptions);
    const { runId, eagerlyStarted } = await this.service.start(request);
    return this.handle(options.workflowId, undefined, runId, eagerlyStarted === true);
  }

  /** Starts a workflow and waits for its result. */
  async execute<F extends WorkflowFn = UntypedWorkflow>(
    workflow: F | string,
    options: WorkflowStartOptions<ArgsOf<F>>,
  ): Promise<ResultOf<F>> {
    const handle = await this.start(workflow, options);
    return handle.result();
  }

  /** A handle to an existing workflow (its latest run, or the given one); `T`: its result or, as in Temporal, `typeof workflowFn`. */
  getHandle<T = unknown>(workflowId: string, runId?: string): WorkflowHandle<WorkflowResultType<T>> {
    return this.handle(workflowId, runId, runId);
  }

  /** Signals a running workflow, or starts it with the signal if it is not running. */
  async signalWithStart<F extends WorkflowFn = UntypedWorkflow, SA extends unknown[] = unknown[]>(
    workflow: F | string,
    options: WorkflowStartOptions<ArgsOf<F>> & { signal: { name: string } | string; signalArgs?: SA },
  ): Promise<WorkflowHandle<ResultOf<F>>> {
    const request = await this.startRequest(workflow, options as WorkflowStartOptions);
    const signalName = typeof options.signal === 'string' ? options.signal : options.signal?.name;
    if (!signalName) throw new InvalidArgumentError('signalWithStart needs a signal');
    const { runId, eagerlyStarted } = await this.service.signalWithStart({
      ...request,
      signal: { name: signalName, input: await this.payloads.encode(options.signalArgs ?? []) },
    });
    return this.handle(options.workflowId, undefined, runId, eagerlyStarted === true);
  }

  /**
   * Update-with-start: starts the operation's workflow and sends it an update, atomically (a new run
   * and the update's admission are one write); with a running run, `workflowIdConflictPolicy`
   * decides (USE_EXISTING sends the update to it). Returns the update's handle once it reached
   * `waitForStage`; `startWorkflowOperation.workflowHandle()` gives the run's.
   */
  async startUpdateWithStart<D extends Named, F = UntypedWorkflow>(
    update: D,
    options: UpdateWithStartOptions<DefArgs<D>, F> & { waitForStage: WorkflowUpdateStage },
  ): Promise<WorkflowUpdateHandle<DefRet<D>>> {
    const op = options?.startWorkflowOperation;
    if (!(op instanceof WithStartWorkflowOperation))
      throw new InvalidArgumentError(
        'Update-with-start needs startWorkflowOperation: a WithStartWorkflowOperation',
      );
    const stage = checkWaitForStage(options.waitForStage);
    const name = nameOf(update);
    op.claim();
    let response: UpdateWithStartResult;
    try {
      response = await this.service.updateWithStart({
        start: await this.startRequest(
          op.workflowTypeOrFunc as WorkflowFn | string,
          op.options as WorkflowStartOptions,
        ),
        workflowIdConflictPolicy: op.options.workflowIdConflictPolicy,
        update: { name, input: await this.payloads.encode(options.args ?? []), updateId: options.updateId },
        waitForStage: stage,
      });
    } catch (error) {
      op.settle({ error });
      throw error;
    }
    const { workflowId } = op.options;
    op.settle({ handle: this.handle(workflowId, undefined, response.runId) });
    let { outcome } = response;
    let reachedStage = response.stage;
    while (reachedStage === 'ADMITTED' || (stage === 'COMPLETED' && !outcome)) {
      const polled = await this.service.pollUpdate(
        this.namespace,
        workflowId,
        response.runId,
        response.updateId,
        stage,
      );
      reachedStage = polled.stage;
      outcome = polled.outcome;
    }
    return new WorkflowUpdateHandle(
      this.service,
      this.namespace,
      this.payloads,
      response.updateId,
      workflowId,
      response.runId,
      outcome,
      name,
    );
  }

  /** Update-with-start, waiting for the update's result (see `startUpdateWithStart`). */
  async executeUpdateWithStart<D extends Named, F = UntypedWorkflow>(
    update: D,
    options: UpdateWithStartOptions<DefArgs<D>, F>,
  ): Promise<DefRet<D>> {
    const handle = await this.startUpdateWithStart(update, { ...options, waitForStage: 'COMPLETED' });
    return handle.result();
  }

  /**
   * Lists runs matching a visibility query, newest first, page by page.
   *
   * @example
   * for await (const wf of client.workflow.list({ query: "ExecutionStatus = 'Running'" })) console.log(wf.workflowId);
   */
  async *list(options: { query?: string; pageSize?: number } = {}): AsyncIterable<WorkflowExecutionInfo> {
    let pageToken: string | undefined;
    do {
      const page = await this.service.list(this.namespace, options.query, options.pageSize ?? 100, pageToken);
      for (const run of page.runs) {
        yield {
          ...run,
          type: run.workflowType,
          startTime: new Date(run.startTime),
          closeTime: run.closeTime !== undefined ? new Date(run.closeTime) : undefined,
          memo: await this.payloads.decodeMap(run.memo),
        };
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
  }
}

/**
 * The client: starts and manages workflows over the HTTP API (or in-process in tests).
 *
 * @example
 * const client = new Client({ endpoint: 'http://127.0.0.1:4680' });
 * const result = await client.workflow.execute(loanApplication, { taskQueue: 'loans', workflowId: 'loan-42', args: [app] });
 */
export class Client {
  readonly connection: Connection;
  readonly namespace: string;
  readonly workflow: WorkflowClient;
  readonly activity: AsyncCompletionClient;
  /** Schedules: start workflows on a calendar (Temporal's `client.schedule`). */
  readonly schedule: ScheduleClient;

  constructor(options: ClientOptions = {}) {
    if (options.connection && options.endpoint) {
      throw new InvalidArgumentError('Client takes an endpoint or a connection, not both');
    }
    if (options.connection && options.retry) {
      throw new InvalidArgumentError(
        'Client takes retry with an endpoint; with a connection, pass retry to Connection.connect',
      );
    }
    this.connection =
      options.connection ??
      Connection.lazy({
        address: options.endpoint,
        headers: options.headers,
        signer: options.signer,
        fetch: options.fetch,
        retry: options.retry,
      });
    this.namespace = options.namespace ?? 'default';
    const payloads = new PayloadPipeline(options.dataConverter);
    this.workflow = new WorkflowClient(
      this.connection.service,
      this.namespace,
      payloads,
      options.onWorkflowTaskFailure ?? warnOnWorkflowTaskFailure,
    );
    this.activity = new AsyncCompletionClient(this.connection.service, this.namespace, payloads);
    this.schedule = new ScheduleClient(this.connection.service, this.namespace, payloads);
  }
}

export type { HistoryEvent, RunOutcome, WorkflowDescription };
export { PayloadPipeline, WorkflowFailedError };
