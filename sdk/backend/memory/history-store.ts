import {
  HistoryConflictError,
  InvalidArgumentError,
  WorkflowExecutionAlreadyStartedError,
} from '../../common/errors.ts';
import type { HistoryEvent, WorkflowIdReusePolicyName } from '../../engine/events.ts';
import { mayReuseWorkflowId } from '../../engine/id-reuse.ts';
import type { RunState } from '../../engine/run-state.ts';
import type {
  AppendRequest,
  CommittedBatch,
  EventPage,
  ExpiryOptions,
  ExpiryResult,
  HeartbeatRecord,
  HistoryStore,
  NewRun,
  RunRef,
  RunSummary,
  StartWindow,
  WorkflowTaskFailureRecord,
} from '../ports.ts';
import { summarizeRun } from '../run-summary.ts';

interface StoredRun {
  state: RunState;
  events: HistoryEvent[];
}

/** Events per history page, as a DynamoDB query page would hold. */
const PAGE_SIZE = 1000;

/**
 * The history store in memory. Each write is one synchronous step, so its conditions are atomic
 * exactly as DynamoDB's conditional writes are. Committed batches go to `onCommit` listeners
 * after the write, as the table's stream delivers them to the router.
 */
export class MemoryHistoryStore implements HistoryStore {
  private readonly runs = new Map<string, StoredRun>();
  private readonly current = new Map<string, string>();
  private readonly order: string[] = [];
  private readonly failures = new Map<string, WorkflowTaskFailureRecord>();
  private readonly heartbeats = new Map<string, HeartbeatRecord>();
  private readonly listeners: ((batch: CommittedBatch) => void)[] = [];
  /** Writes that changed history, for benchmarks (the DynamoDB adapter reports capacity units). */
  writes = 0;

  onCommit(listener: (batch: CommittedBatch) => void): void {
    this.listeners.push(listener);
  }

  private emit(state: RunState, events: HistoryEvent[]): void {
    const batch: CommittedBatch = {
      namespace: state.namespace,
      workflowId: state.workflowId,
      runId: state.runId,
      taskQueue: state.taskQueue,
      events,
      state,
    };
    for (const listener of this.listeners) listener(batch);
  }

  private checkAppend(request: AppendRequest): StoredRun {
    const run = this.runs.get(`${request.namespace}/${request.runId}`);
    if (!run) throw new InvalidArgumentError(`Run ${request.runId} does not exist`);
    if (run.state.nextEventId !== request.expectedNextEventId) {
      throw new HistoryConflictError(
        `Run ${request.runId} is at event ${run.state.nextEventId}, not ${request.expectedNextEventId}`,
      );
    }
    return run;
  }

  private checkClaim(run: NewRun, policy: WorkflowIdReusePolicyName, terminate?: AppendRequest): void {
    const { namespace, workflowId } = run.state;
    const currentId = this.current.get(`${namespace}/${workflowId}`);
    const current = currentId ? this.runs.get(`${namespace}/${currentId}`) : undefined;
    const status =
      terminate && current?.state.runId === terminate.runId ? terminate.state.status : current?.state.status;
    // As the DynamoDB claim's condition: a retried start (same request id) never takes the id again.
    const requestId = run.state.requestIds?.[0];
    const retried = requestId !== undefined && current?.state.requestIds?.[0] === requestId;
    if (retried || !mayReuseWorkflowId(policy, status) || (status === 'Running' && !terminate)) {
      throw new WorkflowExecutionAlreadyStartedError(
        `Workflow '${workflowId}' ${status === 'Running' ? 'is already running' : `exists (last run ${status?.toLowerCase()}) and the reuse policy ${policy} forbids a new run`}`,
        workflowId,
        run.state.workflowType,
      );
    }
  }

  private insert(run: NewRun): void {
    const { namespace, workflowId, runId } = run.state;
    this.runs.set(`${namespace}/${runId}`, { state: run.state, events: [...run.events] });
    this.current.set(`${namespace}/${workflowId}`, runId);
    this.order.push(`${namespace}/${runId}`);
  }

  /** Every batch is routed here, so the run's first tasks are the router's (`dispatchFirst` unused). */
  async createRun(
    run: NewRun,
    reusePolicy: WorkflowIdReusePolicyName,
    terminate?: AppendRequest,
  ): Promise<void> {
    const closing = terminate ? this.checkAppend(terminate) : undefined;
    this.checkClaim(run, reusePolicy, terminate);
    if (closing && terminate) {
      closing.state = terminate.state;
      closing.events.push(...terminate.events);
    }
    this.insert(run);
    this.writes++;
    if (closing && terminate) this.emit(terminate.state, terminate.events);
    this.emit(run.state, run.events);
  }

  /** A run's claim and first events are one write here: a run without history never starts. */
  async voidStart(namespace: string, runId: string): Promise<boolean> {
    return !this.runs.has(`${namespace}/${runId}`);
  }

  async append(request: AppendRequest): Promise<void> {
    const run = this.checkAppend(request);
    if (request.newRun) this.checkClaim(request.newRun, 'ALLOW_DUPLICATE', request);
    run.state = request.state;
    run.events.push(...request.events);
    if (request.newRun) this.insert(request.newRun);
    this.writes++;
    this.emit(request.state, request.events);
    if (request.newRun) this.emit(request.newRun.state, request.newRun.events);
  }

  async getRun(namespace: string, runId: string): Promise<RunState | undefined> {
    return this.runs.get(`${namespace}/${runId}`)?.state;
  }

  async getCurrentRunId(namespace: string, workflowId: string): Promise<string | undefined> {
    return this.current.get(`${namespace}/${workflowId}`);
  }

  async readHistory(
    namespace: string,
    runId: string,
    fromEventId: number,
    pageToken?: string,
  ): Promise<EventPage> {
    const run = this.runs.get(`${namespace}/${runId}`);
    if (!run) return { events: [] };
    const start = pageToken ? Number(pageToken) : fromEventId;
    if (!Number.isInteger(start) || start < 1) throw new InvalidArgumentError('Malformed history page token');
    const events = run.events.slice(start - 1, start - 1 + PAGE_SIZE);
    const next = start + events.length;
    return {
      events,
      nextPageToken: next < run.state.nextEventId && events.length ? String(next) : undefined,
    };
  }

  /** Nothing to settle: here visibility is read from the runs themselves, committed with them. */
  async settleVisibility(_batch: CommittedBatch): Promise<void> {}

  async listRuns(
    namespace: string,
    matches: (run: RunSummary) => boolean,
    pageSize: number,
    pageToken?: string,
    started?: StartWindow,
  ) {
    const offset = pageToken ? Number(pageToken) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError('Malformed list page token');
    const runs: RunSummary[] = [];
    let index = offset;
    for (; index < this.order.length && runs.length < pageSize; index++) {
      const key = this.order[this.order.length - 1 - index]!;
      const run = this.runs.get(key)!;
      if (run.state.namespace !== namespace) continue;
      const { startTime } = run.state;
      if (started && (startTime < started.from || startTime >= started.before)) continue;
      const summary = summarizeRun(run.state);
      if (matches(summary)) runs.push(summary);
    }
    return { runs, nextPageToken: index < this.order.length ? String(index) : undefined };
  }

  async setWorkflowTaskFailure(
    namespace: string,
    runId: string,
    failure: WorkflowTaskFailureRecord | null,
  ): Promise<void> {
    if (failure) this.failures.set(`${namespace}/${runId}`, failure);
    else this.failures.delete(`${namespace}/${runId}`);
  }

  async getWorkflowTaskFailure(
    namespace: string,
    runId: string,
  ): Promise<WorkflowTaskFailureRecord | undefined> {
    return this.failures.get(`${namespace}/${runId}`);
  }

  async recordHeartbeat(
    namespace: string,
    runId: string,
    scheduledEventId: number,
    record: HeartbeatRecord,
  ): Promise<void> {
    this.heartbeats.set(`${namespace}/${runId}/${scheduledEventId}`, record);
  }

  async getHeartbeat(
    namespace: string,
    runId: string,
    scheduledEventId: number,
  ): Promise<HeartbeatRecord | undefined> {
    return this.heartbeats.get(`${namespace}/${runId}/${scheduledEventId}`);
  }

  /**
   * How long each run was asked to be kept by `expireRun` (memory keeps everything, and items have
   * no expiry of their own: the store lives only as long as a test).
   */
  readonly expiries = new Map<string, number>();

  async expireRun(ref: RunRef, keepUntil: number, _options?: ExpiryOptions): Promise<ExpiryResult> {
    const key = `${ref.namespace}/${ref.runId}`;
    this.expiries.set(key, Math.max(this.expiries.get(key) ?? 0, keepUntil));
    return { done: true };
  }

  /** Every run's full history (for invariant checks and replay tests). */
  allHistories(): { state: RunState; events: HistoryEvent[] }[] {
    return [...this.runs.values()].map((run) => ({ state: run.state, events: run.events }));
  }
}
