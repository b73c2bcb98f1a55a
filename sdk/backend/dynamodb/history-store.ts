import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactionCanceledException,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  HistoryConflictError,
  InvalidArgumentError,
  WorkflowExecutionAlreadyStartedError,
} from '../../common/errors.ts';
import { type HistoryEvent, isCloseEvent, type WorkflowIdReusePolicyName } from '../../engine/events.ts';
import type { RunState } from '../../engine/run-state.ts';
import { PAYLOAD_HARD_CAP_BYTES, PAYLOAD_OFFLOAD_BYTES } from '../definitions.ts';
import type {
  AppendRequest,
  CommittedBatch,
  HeartbeatRecord,
  HistoryPage,
  HistoryStore,
  NewRun,
  RunSummary,
  WorkflowTaskFailureRecord,
} from '../ports.ts';
import { PayloadOffloader } from '../s3/payload-offload.ts';
import { decodeField, encodeBatch, type Image } from './batch-codec.ts';
import { discardChunks, loadChunks, writeChunks } from './chunks.ts';
import { claimClose, claimPut } from './claim.ts';
import { batchKey, claimKey, heartbeatKey, historyPk, workflowTaskFailureKey } from './keys.ts';
import { type Item, MeteredDynamo } from './metered-client.ts';
import { decodeListToken, decodeSummary, encodeListToken, visibilityPut } from './visibility.ts';

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
}

/** Capacity the store consumed, as DynamoDB reports it, and the S3 requests it made. */
export interface StoreCapacity {
  readUnits: number;
  writeUnits: number;
  s3Puts: number;
  s3Gets: number;
}

/** Events a history page aims at, as the memory store pages them. */
const PAGE_SIZE = 1000;

/** A batch encoded and with its payloads offloaded: the head item, and the chunks to write first. */
interface PreparedBatch {
  state: RunState;
  head: Item;
  chunkCount: number;
}

/** Which part of a transaction an item is, to tell from its cancellation reasons what went wrong. */
type Role = 'head' | 'visibility' | 'claim' | 'claimClose' | 'newHead' | 'newVisibility';
type Op = { role: Role; item: TransactWriteItem };

function checkContinues(events: HistoryEvent[], firstEventId: number, state: RunState, what: string): void {
  if (events.length === 0) throw new InvalidArgumentError(`${what} has no events`);
  events.forEach((event, i) => {
    if (event.eventId !== firstEventId + i) {
      throw new InvalidArgumentError(
        `${what}: event id ${event.eventId} does not continue history at ${firstEventId + i}`,
      );
    }
  });
  if (state.nextEventId !== firstEventId + events.length) {
    throw new InvalidArgumentError(
      `${what}: state.nextEventId ${state.nextEventId} does not follow its events`,
    );
  }
}

function conflict(head: Item): HistoryConflictError {
  return new HistoryConflictError(
    `History ${head.pk!.S} already has event ${head.sk!.N}: another writer appended first; reload and retry`,
  );
}

function cancellationCodes(error: unknown): string[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
}

/**
 * The history store on DynamoDB, with large payloads in S3 (DESIGN.md, "Data and limits").
 *
 * A batch of events is one head item keyed by its first event id; `attribute_not_exists(pk)` on it
 * is the fork guard, so an append is one conditional PutItem. Transactions are used only where
 * several items must change together: a start (claim + batch + visibility), a close or a
 * search-attribute upsert (batch + claim status + visibility), and continue-as-new (both runs).
 * Appends trust `expectedNextEventId` to come from a committed head (as `commitToRun` reads it): a
 * stale one always names an existing batch and conflicts.
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

  constructor(options: DynamoHistoryStoreOptions) {
    this.db = new MeteredDynamo(options.dynamodb, this.capacity);
    this.history = options.historyTable;
    this.executions = options.executionsTable;
    this.payloads = new PayloadOffloader({
      s3: options.s3,
      bucket: options.payloadBucket,
      offloadBytes: options.offloadBytes ?? PAYLOAD_OFFLOAD_BYTES,
      hardCapBytes: options.hardCapBytes ?? PAYLOAD_HARD_CAP_BYTES,
      usage: this.capacity,
    });
  }

  async createRun(
    run: NewRun,
    reusePolicy: WorkflowIdReusePolicyName,
    terminate?: AppendRequest,
  ): Promise<void> {
    checkContinues(run.events, 1, run.state, `New run ${run.state.runId}`);
    if (terminate)
      checkContinues(
        terminate.events,
        terminate.expectedNextEventId,
        terminate.state,
        `Run ${terminate.runId}`,
      );
    await this.payloads.assertWithinCap([run, terminate]);
    const commitId = randomUUID();
    const [created, closing] = await Promise.all([
      this.prepare(run.events, run.state, commitId),
      terminate && this.prepare(terminate.events, terminate.state, commitId),
    ]);
    const ops: Op[] = [
      {
        role: 'claim',
        item: claimPut(
          this.executions,
          created.state,
          reusePolicy,
          terminate && { runId: terminate.runId, status: terminate.state.status },
        ),
      },
      { role: 'newHead', item: this.headPut(created) },
      { role: 'newVisibility', item: visibilityPut(this.executions, created.state, true) },
    ];
    if (closing) ops.push(...this.closingOps(closing, created.state));
    await this.commit(ops, [created, closing], reusePolicy);
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
    const commitId = randomUUID();
    const [batch, next] = await Promise.all([
      this.prepare(events, state, commitId),
      newRun && this.prepare(newRun.events, newRun.state, commitId),
    ]);
    const closes = events.some(isCloseEvent);
    const upserts = events.some((event) => event.type === 'UpsertWorkflowSearchAttributes');
    if (!next && !closes && !upserts) return this.putHead(batch);

    const ops: Op[] = [];
    if (next) {
      ops.push(
        {
          role: 'claim',
          item: claimPut(this.executions, next.state, 'ALLOW_DUPLICATE', { runId, status: state.status }),
        },
        { role: 'newHead', item: this.headPut(next) },
        { role: 'newVisibility', item: visibilityPut(this.executions, next.state, true) },
      );
    }
    ops.push(...(closes || next ? this.closingOps(batch, next?.state) : this.upsertOps(batch)));
    await this.commit(ops, [batch, next], 'ALLOW_DUPLICATE');
  }

  async getRun(namespace: string, runId: string): Promise<RunState | undefined> {
    const head = await this.head(namespace, runId);
    if (!head) return undefined;
    return this.payloads.resolve(await decodeField(head, 'state', () => this.loadChunks(head)));
  }

  async getCurrentRunId(namespace: string, workflowId: string): Promise<string | undefined> {
    const item = await this.db.getItem({ TableName: this.executions, Key: claimKey(namespace, workflowId) });
    return item?.runId?.S;
  }

  /**
   * Pages hold whole batches (no batch is read twice across pages), about {@link PAGE_SIZE} events:
   * a page stops at the first batch boundary at or past it. The page token is the next page's first
   * event id, always a batch boundary.
   */
  async readHistory(
    namespace: string,
    runId: string,
    fromEventId: number,
    pageToken?: string,
  ): Promise<HistoryPage> {
    const start = pageToken
      ? /^[1-9]\d{0,14}$/.test(pageToken)
        ? Number(pageToken)
        : Number.NaN
      : fromEventId;
    if (!Number.isInteger(start) || start < 1) throw new InvalidArgumentError('Malformed history page token');
    const pk = historyPk(namespace, runId);
    const items: Item[] = [];
    let count = 0;
    const take = (item: Item) => {
      items.push(item);
      count += Number(item.lastEventId?.N) - Math.max(start, Number(item.sk?.N)) + 1;
    };
    const atBoundary = Boolean(pageToken) || start === 1;
    if (!atBoundary) {
      // The batch holding `start` is the last one keyed at or before it.
      const [holder] = await this.db.queryAll(
        {
          TableName: this.history,
          KeyConditionExpression: 'pk = :pk AND sk <= :start',
          ExpressionAttributeValues: { ':pk': { S: pk }, ':start': { N: String(start) } },
          ScanIndexForward: false,
          ConsistentRead: true,
        },
        1,
      );
      if (!holder || Number(holder.lastEventId?.N) < start) return { events: [] };
      take(holder);
    }
    // Whether another page may follow: unknown (so yes) if the holder alone fills this one.
    let more = count >= PAGE_SIZE;
    const from = items.length > 0 ? Number(items[0]!.sk?.N) + 1 : start;
    let startKey: Item | undefined;
    while (count < PAGE_SIZE) {
      const page = await this.db.query({
        TableName: this.history,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': { S: pk }, ':from': { N: String(from) } },
        ConsistentRead: true,
        // Every batch holds at least one event, so no more batches than this can be needed.
        Limit: PAGE_SIZE - count,
        ExclusiveStartKey: startKey,
      });
      const found = page.Items ?? [];
      let used = 0;
      while (used < found.length && count < PAGE_SIZE) take(found[used++]!);
      startKey = page.LastEvaluatedKey;
      more = used < found.length || Boolean(startKey);
      if (!startKey) break;
    }
    if (atBoundary && items.length > 0 && Number(items[0]!.sk?.N) !== start) {
      throw new InvalidArgumentError('Malformed history page token: it does not start a batch');
    }
    const batches = await Promise.all(
      items.map((item) => decodeField(item, 'events', () => this.loadChunks(item))),
    );
    const events = await this.payloads.resolve(batches.flat().filter((event) => event.eventId >= start));
    const last = events.at(-1)?.eventId;
    return { events, nextPageToken: more && last !== undefined ? String(last + 1) : undefined };
  }

  /**
   * Runs of a namespace, newest start first. `matches` sees each run as its visibility record has it;
   * `historyLength` of a running run is then refreshed from its head for the runs returned.
   */
  async listRuns(
    namespace: string,
    matches: (run: RunSummary) => boolean,
    pageSize: number,
    pageToken?: string,
  ): Promise<{ runs: RunSummary[]; nextPageToken?: string }> {
    if (!Number.isInteger(pageSize) || pageSize < 1)
      throw new InvalidArgumentError('List page size must be a positive integer');
    let startKey = pageToken ? decodeListToken(namespace, pageToken) : undefined;
    const runs: RunSummary[] = [];
    let nextPageToken: string | undefined;
    do {
      const page = await this.db.query({
        TableName: this.executions,
        IndexName: 'byStart',
        KeyConditionExpression: 'gsi1pk = :ns',
        ExpressionAttributeValues: { ':ns': { S: namespace } },
        ScanIndexForward: false,
        ExclusiveStartKey: startKey,
        Limit: Math.min(pageSize + 1, 1000),
      });
      const items = page.Items ?? [];
      for (const [i, item] of items.entries()) {
        const summary = await this.payloads.resolve(decodeSummary(item));
        if (!matches(summary)) continue;
        runs.push(summary);
        if (runs.length === pageSize) {
          if (i < items.length - 1 || page.LastEvaluatedKey) nextPageToken = encodeListToken(item);
          break;
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (runs.length < pageSize && startKey);
    await Promise.all(
      runs
        .filter((run) => run.status === 'Running')
        .map(async (run) => {
          const head = await this.head(namespace, run.runId, 'lastEventId');
          if (head?.lastEventId?.N) run.historyLength = Number(head.lastEventId.N);
        }),
    );
    return { runs, nextPageToken };
  }

  async setWorkflowTaskFailure(
    namespace: string,
    runId: string,
    failure: WorkflowTaskFailureRecord | null,
  ): Promise<void> {
    await this.putSideRecord(workflowTaskFailureKey(namespace, runId), namespace, runId, failure);
  }

  async getWorkflowTaskFailure(
    namespace: string,
    runId: string,
  ): Promise<WorkflowTaskFailureRecord | undefined> {
    return this.getSideRecord(workflowTaskFailureKey(namespace, runId));
  }

  async recordHeartbeat(
    namespace: string,
    runId: string,
    scheduledEventId: number,
    record: HeartbeatRecord,
  ): Promise<void> {
    await this.putSideRecord(heartbeatKey(namespace, runId, scheduledEventId), namespace, runId, record);
  }

  async getHeartbeat(
    namespace: string,
    runId: string,
    scheduledEventId: number,
  ): Promise<HeartbeatRecord | undefined> {
    return this.getSideRecord(heartbeatKey(namespace, runId, scheduledEventId));
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
    const { namespace, workflowId, runId, taskQueue } = resolved.state;
    return { namespace, workflowId, runId, taskQueue, events: resolved.events, state: resolved.state };
  }

  // --- writing batches -------------------------------------------------------------------------

  /** Offloads a batch's large payloads to S3, encodes it, and writes its overflow chunks. */
  private async prepare(events: HistoryEvent[], state: RunState, commitId: string): Promise<PreparedBatch> {
    const offloaded = await this.payloads.offload({ events, state }, state.namespace, state.runId);
    const { fields, chunks } = await encodeBatch(offloaded.events, offloaded.state);
    const head: Item = {
      ...batchKey(state.namespace, state.runId, events[0]!.eventId),
      kind: { S: 'batch' },
      lastEventId: { N: String(events[events.length - 1]!.eventId) },
      status: { S: state.status },
      // Tells an SDK retry of our own write apart from another writer's.
      commitId: { S: commitId },
      ...fields,
    };
    await writeChunks(this.db, this.history, head, chunks);
    return { state: offloaded.state, head, chunkCount: chunks.length };
  }

  private discard(batch: PreparedBatch | undefined): Promise<void> {
    return batch ? discardChunks(this.db, this.history, batch.head, batch.chunkCount) : Promise.resolve();
  }

  private headPut(batch: PreparedBatch): TransactWriteItem {
    return {
      Put: { TableName: this.history, Item: batch.head, ConditionExpression: 'attribute_not_exists(pk)' },
    };
  }

  /** The common append: one conditional put of the head item, the commit point. */
  private async putHead(batch: PreparedBatch): Promise<void> {
    try {
      await this.db.putItem({ ...this.headPut(batch).Put!, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item?.commitId?.S === batch.head.commitId!.S) return;
      await this.discard(batch);
      throw conflict(batch.head);
    }
  }

  /** Closing a run (or continuing it as new) also updates its claim and visibility record. */
  private closingOps(batch: PreparedBatch, successor?: RunState): Op[] {
    const ops: Op[] = [
      { role: 'head', item: this.headPut(batch) },
      { role: 'visibility', item: visibilityPut(this.executions, batch.state, false) },
    ];
    // A successor under the same workflow id replaces the claim itself (one item per transaction).
    if (successor?.workflowId !== batch.state.workflowId) {
      ops.push({ role: 'claimClose', item: claimClose(this.executions, batch.state) });
    }
    return ops;
  }

  private upsertOps(batch: PreparedBatch): Op[] {
    return [
      { role: 'head', item: this.headPut(batch) },
      { role: 'visibility', item: visibilityPut(this.executions, batch.state, false) },
    ];
  }

  /**
   * Commits a transaction and maps its cancellation reasons: a moved head or a taken run id is a
   * conflict, a refused claim is `WorkflowExecutionAlreadyStartedError`. A claim that another run
   * holds by now is not this run's to close: the transaction is retried without that update.
   */
  private async commit(
    ops: Op[],
    batches: (PreparedBatch | undefined)[],
    policy: WorkflowIdReusePolicyName,
  ): Promise<void> {
    try {
      await this.db.transact(ops.map((op) => op.item));
      return;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      const failed = (role: Role) =>
        ops.some((op, i) => op.role === role && codes[i] === 'ConditionalCheckFailed');
      if (
        failed('claimClose') &&
        !failed('head') &&
        !failed('claim') &&
        !failed('newHead') &&
        !codes.includes('TransactionConflict')
      ) {
        return this.commit(
          ops.filter((op) => op.role !== 'claimClose'),
          batches,
          policy,
        );
      }
      await Promise.all(batches.map((batch) => this.discard(batch)));
      if (failed('head')) throw conflict(ops.find((op) => op.role === 'head')!.item.Put!.Item!);
      if (failed('claim')) {
        const index = ops.findIndex((op) => op.role === 'claim');
        const claim = ops[index]!.item.Put!.Item!;
        const holder = (error as TransactionCanceledException).CancellationReasons?.[index]?.Item;
        const status = holder?.status?.S;
        const workflowId = claim.pk!.S!.slice(claim.pk!.S!.indexOf('#wf#') + 4);
        throw new WorkflowExecutionAlreadyStartedError(
          `Workflow '${workflowId}' ${status === 'Running' ? 'is already running' : `exists (last run ${status?.toLowerCase()}) and the reuse policy ${policy} forbids a new run`}`,
          workflowId,
          claim.workflowType!.S!,
        );
      }
      throw new HistoryConflictError(`Transaction cancelled (${codes.join(', ')}); reload and retry`, {
        cause: error,
      });
    }
  }

  // --- reading ---------------------------------------------------------------------------------

  /** The run's newest batch item: its head. */
  private async head(namespace: string, runId: string, projection?: string): Promise<Image | undefined> {
    const [item] = await this.db.queryAll(
      {
        TableName: this.history,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: historyPk(namespace, runId) } },
        ProjectionExpression: projection,
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      },
      1,
    );
    return item;
  }

  private loadChunks(head: Image): Promise<Uint8Array[]> {
    return loadChunks(this.db, this.history, head);
  }

  private async putSideRecord(key: Item, namespace: string, runId: string, record: object | null) {
    if (record === null) {
      await this.db.deleteItem({ TableName: this.executions, Key: key });
      return;
    }
    await this.payloads.assertWithinCap(record);
    const stored = await this.payloads.offload(record, namespace, runId);
    await this.db.putItem({
      TableName: this.executions,
      Item: { ...key, record: { S: JSON.stringify(stored) } },
    });
  }

  private async getSideRecord<T>(key: Item): Promise<T | undefined> {
    const item = await this.db.getItem({ TableName: this.executions, Key: key });
    return item?.record?.S ? this.payloads.resolve(JSON.parse(item.record.S) as T) : undefined;
  }
}
