import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { InvalidArgumentError } from '../../common/errors.ts';
import { type HistoryEvent, isCloseEvent, type WorkflowIdReusePolicyName } from '../../engine/events.ts';
import { isClosed, type RunState } from '../../engine/run-state.ts';
import { committedBatch } from '../committed-batch.ts';
import { PAYLOAD_HARD_CAP_BYTES, PAYLOAD_OFFLOAD_BYTES } from '../definitions.ts';
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
import { CLOSE_WITHOUT_WRITES_MS, DEFAULT_RETENTION_MS } from '../retention.ts';
import { PayloadOffloader } from '../s3/payload-offload.ts';
import { decodeField, type Image } from './batch-codec.ts';
import { BatchWriter, checkContinues, newCommitId } from './batch-writer.ts';
import { loadChunks } from './chunks.ts';
import { pageItems, parsePageToken } from './history-pages.ts';
import { claimKey, heartbeatKey, historyPk, workflowTaskFailureKey } from './keys.ts';
import { type ConsumedUnits, MeteredDynamo } from './metered-client.ts';
import { RunClaims, VOIDED_RUN } from './run-claims.ts';
import { extendRunExpiry } from './run-expiry.ts';
import { RunRecords } from './run-records.ts';
import { claimVisibility, mayNeedRecord, RunVisibility, recordChange } from './run-visibility.ts';
import { SharedReads } from './shared-reads.ts';
import { listVisibility } from './visibility.ts';

export interface DynamoHistoryStoreOptions {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  /** Physical name of the history table (`HISTORY_TABLE`). */
  historyTable: string;
  /** Physical name of the executions table (`EXECUTIONS_TABLE`). */
  executionsTable: string;
  /** Bucket for offloaded payloads. */
  payloadBucket: string;
  /** Payload data above this many bytes goes to S3. @default PAYLOAD_OFFLOAD_BYTES (64 KB) */
  offloadBytes?: number;
  /** Payload data above this many bytes is refused with `PayloadTooLargeError`. @default PAYLOAD_HARD_CAP_BYTES */
  hardCapBytes?: number;
  /** How long closed runs are kept (the Engine's `retention`); items get their expiry from it. @default 30 days */
  retentionMs?: number;
  /** The engine's clock (epoch ms), for expiries of side records and for what counts as expired. @default Date.now */
  now?: () => number;
  /**
   * Whether the router has nothing to do for a committed batch (`routerHasWork` in
   * `sdk/runtime/route.ts`): its head is marked so that the router's stream mapping skips it.
   * @default every batch is routed
   */
  routerIdle?: (batch: CommittedBatch) => boolean;
  /** Told of each batch once its commit succeeded (the runtime reports its run-level metrics). */
  committed?: (batch: CommittedBatch) => void;
  /**
   * What concurrent head reads of one run are shared within (`shared-reads.ts`); undefined: the
   * process, as in Lambda. The embedded local stack names the invocation.
   */
  readScope?: () => object | undefined;
}

/** Capacity the store consumed, as DynamoDB reports it, and the S3 requests it made. */
export interface StoreCapacity extends ConsumedUnits {
  s3Puts: number;
  s3Gets: number;
}

/**
 * The history store on DynamoDB, with large payloads in S3 (DESIGN.md, "Data and limits").
 *
 * A batch of events is one head item keyed by its first event id; `attribute_not_exists(pk)` on it
 * is the fork guard, so an append, a close or a search-attribute upsert is one conditional PutItem
 * (`batch-writer.ts`), and a start two: the workflow-id claim, then the first batch
 * (`run-claims.ts` makes that sound against a start that dies in between). Transactions are used
 * only where the claim must move with another run's close: a start's TERMINATE_IF_RUNNING (the
 * claim, the first batch and the closing batch) and continue-as-new (the closing batch and the
 * new run's claim and first batch). The claim lists the new run (`visibility.ts`); a batch that
 * changes what a list cannot read from the head (an upsert; a close whose claim moved) is followed
 * by one conditional put of the run's visibility record (a later one never loses to an earlier one),
 * and the router repairs a record its committer did not get to.
 * Appends trust `expectedNextEventId` to come from a committed head (as `commitToRun` reads it): a
 * stale one always names an existing batch and conflicts.
 *
 * Every item expires by DynamoDB's TTL at the time `retention.ts` gives it when written; a closed
 * run counts as gone once its close + retention has passed, even while DynamoDB still holds items.
 *
 * @example
 * const store = new DynamoHistoryStore({ dynamodb, s3, historyTable, executionsTable, payloadBucket });
 * await store.append(appendRequest(state, events));
 */
export class DynamoHistoryStore implements HistoryStore {
  /** Running totals, for benchmarks. */
  readonly capacity: StoreCapacity = { readUnits: 0, writeUnits: 0, s3Puts: 0, s3Gets: 0 };
  private readonly payloads: PayloadOffloader;
  private readonly db: MeteredDynamo;
  private readonly history: string;
  private readonly executions: string;
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly writer: BatchWriter;
  private readonly records: RunRecords;
  private readonly visibility: RunVisibility;
  private readonly claims: RunClaims;
  private readonly committed: (batch: CommittedBatch) => void;
  /** Head reads shared by this process's concurrent callers for one run (`shared-reads.ts`). */
  private readonly headReads: SharedReads<Image | undefined>;

  constructor(options: DynamoHistoryStoreOptions) {
    this.db = new MeteredDynamo(options.dynamodb, this.capacity);
    this.history = options.historyTable;
    this.executions = options.executionsTable;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.now = options.now ?? Date.now;
    this.headReads = new SharedReads(options.readScope);
    this.committed = options.committed ?? (() => {});
    this.payloads = new PayloadOffloader({
      s3: options.s3,
      bucket: options.payloadBucket,
      offloadBytes: options.offloadBytes ?? PAYLOAD_OFFLOAD_BYTES,
      hardCapBytes: options.hardCapBytes ?? PAYLOAD_HARD_CAP_BYTES,
      usage: this.capacity,
    });
    this.writer = new BatchWriter(this.db, {
      history: this.history,
      executions: this.executions,
      payloads: this.payloads,
      retentionMs: this.retentionMs,
      // Idle for the router when it has nothing to send and nothing to settle (`mayNeedRecord`).
      routerIdle:
        options.routerIdle &&
        ((batch) => options.routerIdle!(batch) && !mayNeedRecord(batch, this.retentionMs)),
    });
    this.claims = new RunClaims(this.db, this.writer, {
      executions: this.executions,
      history: this.history,
      retentionMs: this.retentionMs,
      now: this.now,
      getRun: (namespace, runId) => this.getRun(namespace, runId),
    });
    this.visibility = new RunVisibility(this.writer, this.retentionMs, (namespace, workflowId) =>
      this.getCurrentRunId(namespace, workflowId),
    );
    // A side record outlives every history item written before it (the horizon without a deadline).
    this.records = new RunRecords(
      this.db.for('records'),
      this.executions,
      this.payloads,
      (writeTime) => writeTime + this.retentionMs + CLOSE_WITHOUT_WRITES_MS,
    );
  }

  /**
   * A plain start calls `dispatchFirst` between its claim and its first batch, and marks that batch
   * idle for the router unless its visibility needs the router (`mayNeedRecord`); a start that
   * terminates a run is one transaction, routed as ever.
   */
  async createRun(
    run: NewRun,
    reusePolicy: WorkflowIdReusePolicyName,
    terminate?: AppendRequest,
    dispatchFirst?: () => Promise<boolean>,
  ): Promise<void> {
    checkContinues(run.events, 1, run.state, `New run ${run.state.runId}`);
    if (terminate) {
      const { events, expectedNextEventId, state, runId } = terminate;
      checkContinues(events, expectedNextEventId, state, `Run ${runId}`);
    }
    await this.payloads.assertWithinCap([run, terminate]);
    const commitId = newCommitId();
    const starterSends = dispatchFirst !== undefined && !terminate && !mayNeedRecord(run, this.retentionMs);
    const [created, closing] = await Promise.all([
      this.writer.prepare(run.events, run.state, commitId, starterSends || undefined),
      terminate && this.writer.prepare(terminate.events, terminate.state, commitId),
    ]);
    const listing = claimVisibility(created.state, created.expiresAt);
    if (closing && terminate) {
      const holder = { runId: terminate.runId, status: terminate.state.status };
      await this.claims.takeOver(created, closing, holder, reusePolicy, listing, 'start');
    } else {
      await this.claims.start(created, reusePolicy, listing, starterSends ? dispatchFirst : undefined);
    }
    this.tell(run.events, run.state);
    if (terminate) this.tell(terminate.events, terminate.state);
    // The claim lists the new run if it fits (else its record does); a run this start terminated needs its record.
    await this.visibility.show([listing ? undefined : created, closing], 'start');
  }

  /** Tells `committed` of a batch whose commit succeeded. */
  private tell(events: HistoryEvent[], state: RunState): void {
    this.committed(committedBatch(events, state));
  }

  voidStart(namespace: string, runId: string): Promise<boolean> {
    return this.claims.voidRun(namespace, runId);
  }

  async append(request: AppendRequest): Promise<void> {
    const { namespace, runId, state, events, newRun } = request;
    if (state.namespace !== namespace || state.runId !== runId) {
      throw new InvalidArgumentError(
        `Append to ${namespace}/${runId} carries the state of ${state.namespace}/${state.runId}`,
      );
    }
    checkContinues(events, request.expectedNextEventId, state, `Run ${runId}`);
    if (newRun) checkContinues(newRun.events, 1, newRun.state, `New run ${newRun.state.runId}`);
    await this.payloads.assertWithinCap([events, state, newRun]);
    const commitId = newCommitId();
    const [batch, next] = await Promise.all([
      this.writer.prepare(events, state, commitId),
      newRun && this.writer.prepare(newRun.events, newRun.state, commitId),
    ]);
    const purpose = events.some(isCloseEvent) ? 'close' : 'append';
    if (!next) {
      // A close or a search-attribute upsert is an ordinary append too; an upsert's record follows it
      // (a list reads a close from the head: `recordChange`).
      await this.writer.putHead(batch, purpose);
      this.tell(events, state);
      if (recordChange(events) === 'upsert') await this.visibility.show([batch], purpose);
      return;
    }
    // Continue-as-new: the new run takes over the claim in the same write that closes this one.
    const listing = claimVisibility(next.state, next.expiresAt);
    const holder = { runId, status: state.status };
    await this.claims.takeOver(next, batch, holder, 'ALLOW_DUPLICATE', listing, 'close');
    this.tell(events, state);
    this.tell(newRun!.events, newRun!.state);
    await this.visibility.show([batch, listing ? undefined : next], 'close');
  }

  /** The router's half of visibility (`run-visibility.ts`): repairs a record its committer missed. */
  settleVisibility(batch: CommittedBatch): Promise<void> {
    return this.visibility.settle(batch);
  }

  async getRun(namespace: string, runId: string): Promise<RunState | undefined> {
    const head = await this.headReads.read(historyPk(namespace, runId), () => this.head(namespace, runId));
    // A voided run (`run-claims.ts`) never started.
    if (!head || head.kind?.S === VOIDED_RUN) return undefined;
    const state = await this.payloads.resolve(await decodeField(head, 'state', () => this.loadChunks(head)));
    return this.retained(state) ? state : undefined;
  }

  /** False for a closed run past its retention, whatever DynamoDB's TTL has deleted of it yet. */
  private retained(state: RunState): boolean {
    return !isClosed(state) || (state.closeTime ?? Infinity) + this.retentionMs > this.now();
  }

  async getCurrentRunId(namespace: string, workflowId: string): Promise<string | undefined> {
    const item = await this.db.getItem({ TableName: this.executions, Key: claimKey(namespace, workflowId) });
    return item?.runId?.S;
  }

  /**
   * Pages hold whole batches, about 1,000 events each (see `pageItems`); the page token is the next
   * page's first event id. A page holding an item whose TTL has passed belongs to a run on its way
   * out: if that run is closed, it is gone, and no partial history is returned.
   */
  async readHistory(
    namespace: string,
    runId: string,
    fromEventId: number,
    pageToken?: string,
  ): Promise<EventPage> {
    const start = parsePageToken(pageToken, fromEventId);
    const pk = historyPk(namespace, runId);
    const { items, more } = await pageItems(
      this.db,
      this.history,
      pk,
      start,
      Boolean(pageToken) || start === 1,
    );
    // A voided run (`run-claims.ts`) has no history.
    if (items.some((item) => item.kind?.S === VOIDED_RUN)) return { events: [] };
    const nowSeconds = this.now() / 1000;
    if (items.some((item) => Number(item.expiresAt?.N ?? Infinity) <= nowSeconds)) {
      if (!(await this.getRun(namespace, runId))) return { events: [] };
    }
    const batches = await Promise.all(
      items.map((item) => decodeField(item, 'events', () => this.loadChunks(item))),
    );
    const events = await this.payloads.resolve(batches.flat().filter((event) => event.eventId >= start));
    const last = events.at(-1)?.eventId;
    return { events, nextPageToken: more && last !== undefined ? String(last + 1) : undefined };
  }

  /**
   * Runs of a namespace, newest start first (`visibility.ts`). `matches` sees each run as it is
   * now ({@link listed}).
   */
  async listRuns(
    namespace: string,
    matches: (run: RunSummary) => boolean,
    pageSize: number,
    pageToken?: string,
    started?: StartWindow,
  ): Promise<{ runs: RunSummary[]; nextPageToken?: string }> {
    return listVisibility(
      this.db,
      this.executions,
      namespace,
      pageSize,
      pageToken,
      async (stored) => {
        const summary = await this.listed(await this.payloads.resolve(stored));
        return summary && matches(summary) ? summary : undefined;
      },
      started,
    );
  }

  /**
   * A listed run as it is now. An entry that shows it running may be behind: its history has grown,
   * and a close writes no record while the claim lists the run (`recordChange`). So its status,
   * close time and history length come from the run's head, one strongly consistent read (a run
   * shown closed once its `result()` returned). An entry whose run has no head lists nothing: the
   * run's items have expired, or its start never got to its first batch.
   */
  private async listed(summary: RunSummary): Promise<RunSummary | undefined> {
    if (summary.status !== 'Running') return summary;
    const head = await this.head(summary.namespace, summary.runId, {
      projection: 'lastEventId, #status, closeTime',
      names: { '#status': 'status' },
    });
    if (!head?.lastEventId?.N) return undefined;
    const status = (head.status?.S ?? summary.status) as RunSummary['status'];
    const closeTime = head.closeTime?.N === undefined ? summary.closeTime : Number(head.closeTime.N);
    return { ...summary, status, closeTime, historyLength: Number(head.lastEventId.N) };
  }

  async setWorkflowTaskFailure(
    namespace: string,
    runId: string,
    failure: WorkflowTaskFailureRecord | null,
  ): Promise<void> {
    await this.records.put(workflowTaskFailureKey(namespace, runId), namespace, runId, failure, this.now());
  }

  async getWorkflowTaskFailure(
    namespace: string,
    runId: string,
  ): Promise<WorkflowTaskFailureRecord | undefined> {
    return this.records.get(workflowTaskFailureKey(namespace, runId));
  }

  async recordHeartbeat(
    namespace: string,
    runId: string,
    scheduledEventId: number,
    record: HeartbeatRecord,
  ): Promise<void> {
    const key = heartbeatKey(namespace, runId, scheduledEventId);
    await this.records.put(key, namespace, runId, record, Math.max(record.time, this.now()));
  }

  async getHeartbeat(
    namespace: string,
    runId: string,
    scheduledEventId: number,
  ): Promise<HeartbeatRecord | undefined> {
    return this.records.get(heartbeatKey(namespace, runId, scheduledEventId));
  }

  /** Extends what would expire before `keepUntil`, in bounded pieces (`run-expiry.ts`). */
  async expireRun(ref: RunRef, keepUntil: number, options: ExpiryOptions = {}): Promise<ExpiryResult> {
    const stopBy = options.stopBy ?? Number.POSITIVE_INFINITY;
    const tables = { history: this.history, executions: this.executions };
    const { done } = await extendRunExpiry(this.db.for('retention'), tables, ref, keepUntil, stopBy);
    return { done };
  }

  /**
   * The committed batch a history-table stream record carries (its NewImage, from the SDK or a Lambda
   * event), with overflow chunks and offloaded payloads resolved. Chunk items are not batches: they
   * give undefined, and the router skips them.
   */
  async batchFromStreamRecord(newImage: Image): Promise<CommittedBatch | undefined> {
    if (newImage.kind?.S !== 'batch') return undefined;
    let chunks: Promise<Uint8Array[]> | undefined;
    const load = () => (chunks ??= this.loadChunks(newImage));
    const [events, state] = await Promise.all([
      decodeField(newImage, 'events', load),
      decodeField(newImage, 'state', load),
    ]);
    const resolved = await this.payloads.resolve({ events, state });
    return committedBatch(resolved.events, resolved.state);
  }

  /** The run's newest batch item: its head. */
  private async head(
    namespace: string,
    runId: string,
    {
      projection,
      names,
      consistent = true,
    }: { projection?: string; names?: Record<string, string>; consistent?: boolean } = {},
  ): Promise<Image | undefined> {
    const [item] = await this.db.queryAll(
      {
        TableName: this.history,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: historyPk(namespace, runId) } },
        ProjectionExpression: projection,
        ExpressionAttributeNames: names,
        ScanIndexForward: false,
        ConsistentRead: consistent,
      },
      1,
    );
    return item;
  }

  private loadChunks(head: Image): Promise<Uint8Array[]> {
    return loadChunks(this.db, this.history, head);
  }
}
