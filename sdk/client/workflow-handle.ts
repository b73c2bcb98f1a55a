import type { WorkflowUpdateStage } from '../common/enums.ts';
import {
  HistoryConflictError,
  InvalidArgumentError,
  WorkflowFailedError,
  WorkflowTaskFailedError,
} from '../common/errors.ts';
import type { WorkflowDescription } from '../common/wire/description.ts';
import type { UpdateOutcome } from '../common/wire/messages.ts';
import type { RunOutcome } from '../common/wire/outcome.ts';
import type { WorkflowTaskFailure } from '../common/wire/workflow-task-failure.ts';
import type { HistoryEvent } from '../engine/events.ts';
import type { WorkflowServiceApi } from './connection.ts';
import { HttpApiError } from './http-requester.ts';
import type { PayloadPipeline } from './payload-pipeline.ts';
import { type WorkflowTaskFailureHandler, warnOnWorkflowTaskFailure } from './task-failure-report.ts';
import { checkWaitForStage, WorkflowUpdateHandle } from './workflow-update-handle.ts';

export type Named = { name: string } | string;
export type DefArgs<D> = D extends { __args?: infer A } ? (A extends unknown[] ? A : unknown[]) : unknown[];
export type DefRet<D> = D extends { __ret?: infer R } ? R : unknown;

export function nameOf(definition: Named): string {
  const name = typeof definition === 'string' ? definition : definition?.name;
  if (!name)
    throw new InvalidArgumentError('Expected a definition (defineSignal/defineQuery/defineUpdate) or a name');
  return name;
}

/** `describe()`'s answer, with times as Dates and memo decoded. */
export interface WorkflowExecutionDescription
  extends Omit<WorkflowDescription, 'startTime' | 'closeTime' | 'memo'> {
  type: string;
  startTime: Date;
  closeTime?: Date;
  memo: Record<string, unknown>;
}

/**
 * A workflow's result type: of `typeof workflowFn` (Temporal's way to name a handle's workflow),
 * the function's result; of any other type, the type itself.
 */
export type WorkflowResultType<T> = T extends (...args: never[]) => Promise<infer R> ? R : T;

/** Long-poll length per result request. */
const RESULT_POLL_MS = 20_000;
/** Longest pause between two result polls of a server that answers briefly. */
const MAX_RESULT_POLL_PAUSE_MS = 10_000;
/** Result polls in a row that may fail (after the transport's own retries) before `result()` gives up. */
const MAX_FAILED_RESULT_POLLS = 10;

/**
 * The pause before the next result poll of a server that answers briefly: at least what the server
 * asked for, and a tenth of the time waited so far (jittered, at most
 * {@link MAX_RESULT_POLL_PAUSE_MS}). A quick run is learned of at once, a long wait costs a request
 * every ten seconds, and the result arrives at most ~10% later than the run closed.
 */
function resultPollPause(retryAfterMs: number, waitedMs: number): Promise<void> {
  const grown = Math.min(MAX_RESULT_POLL_PAUSE_MS, waitedMs / 10);
  const ms = Math.max(retryAfterMs, grown) * (0.8 + Math.random() * 0.4);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A poll that failed for a reason that may pass (throttled, unreachable, a gateway 5xx, a conflict). */
function mayPass(error: unknown): boolean {
  if (error instanceof HistoryConflictError) return true;
  if (!(error instanceof HttpApiError)) return false;
  return error.status === 0 || error.status === 429 || error.status >= 500;
}

/**
 * A handle to one workflow: its result, state, signals, queries, updates and lifecycle.
 *
 * @example
 * const handle = client.workflow.getHandle('loan-42');
 * await handle.signal(approve, 'alice');
 * const status = await handle.query(statusQuery);
 */
export class WorkflowHandle<R = unknown> {
  constructor(
    private readonly service: WorkflowServiceApi,
    private readonly namespace: string,
    private readonly payloads: PayloadPipeline,
    readonly workflowId: string,
    /** The run this handle is pinned to, or undefined for the latest run. */
    readonly runId: string | undefined,
    /** The run `start` created; `result()` follows continue-as-new from there. */
    readonly firstExecutionRunId: string | undefined,
    private readonly onWorkflowTaskFailure: WorkflowTaskFailureHandler = warnOnWorkflowTaskFailure,
    /**
     * True when `start` asked for an eager start (`requestEagerStart`) and the first workflow task
     * did run on the worker within the start call, as Temporal's `handle.eagerlyStarted`.
     */
    readonly eagerlyStarted: boolean = false,
  ) {}

  /**
   * Waits for the workflow's result, following continue-as-new to the last run. A workflow that
   * closed without a result rejects with `WorkflowFailedError` whose `cause` says why. While the
   * run's workflow task keeps failing, each distinct failure goes to the client's
   * `onWorkflowTaskFailure`; where the engine knows it cannot heal (the time-skipping environment)
   * the call rejects with `WorkflowTaskFailedError` instead of waiting for ever.
   */
  async result(): Promise<R> {
    let runId = this.firstExecutionRunId ?? this.runId;
    let reportedFailureTime = 0;
    let reportedKey: string | undefined;
    const waitStart = Date.now();
    let failedPolls = 0;
    for (;;) {
      let outcome: RunOutcome;
      try {
        outcome = await this.service.result(this.namespace, this.workflowId, runId, RESULT_POLL_MS, {
          reportedFailureTime,
        });
        failedPolls = 0;
      } catch (error) {
        // A wait outlasts a busy API: a poll the transport could not get through is asked again later.
        if (!mayPass(error) || ++failedPolls >= MAX_FAILED_RESULT_POLLS) throw error;
        await resultPollPause(1000 * failedPolls, Date.now() - waitStart);
        continue;
      }
      switch (outcome.status) {
        case 'Running': {
          runId = outcome.runId;
          // The server answered briefly instead of holding an invocation while this client waits.
          if (outcome.retryAfterMs !== undefined)
            await resultPollPause(outcome.retryAfterMs, Date.now() - waitStart);
          const failure = outcome.workflowTaskFailure;
          if (!failure) continue;
          reportedFailureTime = Math.max(reportedFailureTime, failure.time);
          const key = `${failure.eventId}\n${failure.cause}\n${failure.failure.message}`;
          if (failure.final) throw await this.taskFailedError(outcome.runId, failure);
          if (key !== reportedKey) {
            reportedKey = key;
            await this.onWorkflowTaskFailure({
              workflowId: this.workflowId,
              runId: outcome.runId,
              cause: failure.cause,
              attempt: failure.attempt,
              failure: await this.payloads.decodeFailure(failure.failure),
              time: new Date(failure.time),
            });
          }
          continue;
        }
        case 'ContinuedAsNew':
          runId = outcome.newRunId;
          continue;
        case 'Completed':
          return this.payloads.decode<R>(outcome.result);
        default: {
          const cause = await this.payloads.decodeFailure(outcome.failure);
          throw new WorkflowFailedError(
            `Workflow execution ${outcome.status.toLowerCase()}: ${cause.message}`,
            cause,
          );
        }
      }
    }
  }

  private async taskFailedError(
    runId: string,
    failure: WorkflowTaskFailure,
  ): Promise<WorkflowTaskFailedError> {
    const cause = await this.payloads.decodeFailure(failure.failure);
    return new WorkflowTaskFailedError(
      `Workflow ${this.workflowId} cannot make progress: its workflow task fails (${failure.cause}): ${cause.message}`,
      cause,
      this.workflowId,
      runId,
      failure.cause,
    );
  }

  async describe(): Promise<WorkflowExecutionDescription> {
    const description = await this.service.describe(this.namespace, this.workflowId, this.runId);
    return {
      ...description,
      type: description.workflowType,
      startTime: new Date(description.startTime),
      closeTime: description.closeTime !== undefined ? new Date(description.closeTime) : undefined,
      memo: await this.payloads.decodeMap(description.memo),
    };
  }

  async signal<D extends Named>(definition: D, ...args: DefArgs<D>): Promise<void> {
    await this.service.signal(
      this.namespace,
      this.workflowId,
      this.runId,
      nameOf(definition),
      await this.payloads.encode(args),
    );
  }

  /** Asks the workflow a read-only question, answered from its current state. */
  async query<D extends Named>(definition: D, ...args: DefArgs<D>): Promise<DefRet<D>> {
    const result = await this.service.query(
      this.namespace,
      this.workflowId,
      this.runId,
      nameOf(definition),
      await this.payloads.encode(args),
    );
    return this.payloads.decode(result);
  }

  /**
   * Sends an update and waits for its result. A validator's rejection or a failing handler
   * rejects with `WorkflowUpdateFailedError`.
   */
  async executeUpdate<D extends Named>(
    definition: D,
    options: { args?: DefArgs<D>; updateId?: string } = {},
  ): Promise<DefRet<D>> {
    const handle = await this.startUpdate(definition, { ...options, waitForStage: 'COMPLETED' });
    return handle.result();
  }

  /**
   * Sends an update and returns its handle once it reached `waitForStage`: ACCEPTED (the
   * validator passed it, or rejected it: then `result()` rejects) or COMPLETED.
   *
   * @example
   * const update = await handle.startUpdate(addItem, { args: ['apple'], waitForStage: WorkflowUpdateStage.ACCEPTED });
   */
  async startUpdate<D extends Named>(
    definition: D,
    options: { args?: DefArgs<D>; updateId?: string; waitForStage?: WorkflowUpdateStage },
  ): Promise<WorkflowUpdateHandle<DefRet<D>>> {
    const stage = checkWaitForStage(options?.waitForStage);
    const name = nameOf(definition);
    const input = await this.payloads.encode(options?.args ?? []);
    const waitMs = stage === 'COMPLETED' ? undefined : 0;
    let response = await this.service.update(
      this.namespace,
      this.workflowId,
      this.runId,
      name,
      input,
      options?.updateId,
      waitMs,
    );
    const runId = response.runId ?? this.runId;
    // Admitted but not yet decided (update-with-start's own update), or still running: ask on.
    while (response.stage === 'ADMITTED' || (stage === 'COMPLETED' && !response.outcome)) {
      response = await this.service.pollUpdate(
        this.namespace,
        this.workflowId,
        runId,
        response.updateId,
        stage,
      );
    }
    return this.updateHandle<DefRet<D>>(response.updateId, runId, response.outcome, name);
  }

  /** A handle to an update of this workflow by its id (its result is polled). */
  getUpdateHandle<Ret = unknown>(
    updateId: string,
    options: { workflowRunId?: string } = {},
  ): WorkflowUpdateHandle<Ret> {
    if (typeof updateId !== 'string' || !updateId)
      throw new InvalidArgumentError('getUpdateHandle needs an update id');
    return this.updateHandle<Ret>(updateId, options.workflowRunId ?? this.runId, undefined);
  }

  private updateHandle<Ret>(
    updateId: string,
    runId: string | undefined,
    outcome: UpdateOutcome | undefined,
    updateName?: string,
  ) {
    return new WorkflowUpdateHandle<Ret>(
      this.service,
      this.namespace,
      this.payloads,
      updateId,
      this.workflowId,
      runId,
      outcome,
      updateName,
    );
  }

  async cancel(reason?: string): Promise<void> {
    await this.service.cancel(this.namespace, this.workflowId, this.runId, reason);
  }

  async terminate(reason?: string): Promise<void> {
    await this.service.terminate(this.namespace, this.workflowId, this.runId, reason);
  }

  /** The run's whole history (all pages), payloads decoded by the codec (not the converter). */
  async fetchHistory(): Promise<{ runId: string; events: HistoryEvent[] }> {
    const events: HistoryEvent[] = [];
    let pageToken: string | undefined;
    let runId = this.runId ?? '';
    do {
      const page = await this.service.history(this.namespace, this.workflowId, this.runId, pageToken);
      runId = page.runId;
      events.push(...(await this.payloads.codec.decode(page.events)));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return { runId, events };
  }
}
