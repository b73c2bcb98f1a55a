import type { RunRef, WorkflowTaskFailureRecord } from '../backend/ports.ts';
import { isClosed, type RunState } from '../engine/run-state.ts';
import type { RuntimeDeps } from './deps.ts';
import { type CurrentTaskFailure, currentTaskFailure } from './run-outcome.ts';

/** What a {@link ResultWatch} is told by the service and its caller. */
export interface ResultWatchOptions {
  /** The `time` of the last failure the caller reported: a newer one ends the wait. */
  reportedFailureTime?: number;
  /** How often the failure record is read beside the run's head. */
  failurePollMs: number;
  /** Whether a failure will never heal in this engine (may try the task again to find out). */
  confirmFinal?: (state: RunState, failure: WorkflowTaskFailureRecord) => Promise<boolean>;
}

/**
 * One waiting `result` call: it watches a run until the run closes or its workflow task fails in a
 * way the caller has not heard of yet (or that will never heal), so a wait that cannot end on its
 * own says why instead of staying silent.
 */
export class ResultWatch {
  state: RunState | undefined;
  private failure: WorkflowTaskFailureRecord | undefined;
  private final = false;
  private failureReadAt = Number.NEGATIVE_INFINITY;
  private readonly confirmed = new Set<string>();

  /** The state the caller just read (resolving the run): the first check need not read it again. */
  private fresh: RunState | undefined;

  constructor(
    private readonly deps: Pick<RuntimeDeps, 'store'>,
    private readonly ref: RunRef,
    private readonly options: ResultWatchOptions,
    current?: RunState,
  ) {
    this.fresh = current;
  }

  /** True when the wait is over: the run closed, or there is a failure to report now. */
  async check(): Promise<boolean> {
    this.state = this.fresh ?? (await this.deps.store.getRun(this.ref.namespace, this.ref.runId));
    this.fresh = undefined;
    if (this.state === undefined) return false;
    if (isClosed(this.state)) return true;
    // Read beside the head at most every failurePollMs: a stuck run is news, not a hot path.
    if (Date.now() - this.failureReadAt >= this.options.failurePollMs) {
      await this.readFailure();
      if (this.state !== undefined && isClosed(this.state)) return true;
    }
    if (!this.failure) return false;
    const reported = this.options.reportedFailureTime;
    return this.final || (reported !== undefined && this.failure.time > reported);
  }

  /** The run's current workflow-task failure, as the answer to an open run carries it. */
  async currentFailure(): Promise<CurrentTaskFailure | undefined> {
    if (this.failureReadAt === Number.NEGATIVE_INFINITY && this.state) await this.readFailure();
    if (!this.failure) return undefined;
    return this.final ? { ...this.failure, final: true } : this.failure;
  }

  private async readRecord(): Promise<void> {
    this.failure =
      this.state &&
      currentTaskFailure(
        this.state,
        await this.deps.store.getWorkflowTaskFailure(this.ref.namespace, this.ref.runId),
      );
  }

  private async readFailure(): Promise<void> {
    this.failureReadAt = Date.now();
    await this.readRecord();
    const { failure, state } = this;
    if (!failure || !state || !this.options.confirmFinal) return;
    const key = `${failure.eventId}/${failure.cause}`;
    if (this.confirmed.has(key)) return;
    this.confirmed.add(key);
    this.final = await this.options.confirmFinal(state, failure);
    if (this.final) return;
    // The try may have healed the run (fixed code): what was read before it may be stale.
    this.state = await this.deps.store.getRun(this.ref.namespace, this.ref.runId);
    await this.readRecord();
  }
}
