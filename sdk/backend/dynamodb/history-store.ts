import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { InvalidArgumentError } from '../../common/errors.ts';
import { type HistoryEvent, isCloseEvent, type WorkflowIdReusePolicyName } from '../../engine/events.ts';
import type { RunState } from '../../engine/run-state.ts';
import { PAYLOAD_HARD_CAP_BYTES, PAYLOAD_OFFLOAD_BYTES } from '../definitions.ts';
import type {
  AppendRequest,
  CommittedBatch,
  EventPage,
  HeartbeatRecord,
  HistoryStore,
  NewRun,
  RunSummary,
  WorkflowTaskFailureRecord,
} from '../ports.ts';
import { summarizeRun } from '../run-summary.ts';
import { PayloadOffloader } from '../s3/payload-offload.ts';
import { decodeField, encodeBatch, type Image } from './batch-codec.ts';
import { discardChunks, loadChunks, writeChunks } from './chunks.ts';
import { claimClose, claimPut } from './claim.ts';
import { pageItems, parsePageToken } from './history-pages.ts';
import {
  batchKey,
  chunkPk,
  claimKey,
  heartbeatKey,
  historyPk,
  visibilityKey,
  workflowTaskFailureKey,
} from './keys.ts';
import { type ConsumedUnits, type Item, MeteredDynamo, type WritePurpose } from './metered-client.ts';
import { commitTransaction, conflict, type Op } from './transaction.ts';
import {
  listVisibility,
  VISIBILITY_INLINE_BYTES,
  VISIBILITY_MEMO_OFFLOAD_BYTES,
  visibilityPut,
} from './visibility.ts';

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
export interface StoreCapacity extends ConsumedUnits {
  s3Puts: number;
  s3Gets: number;
}

/** A batch encoded and with its payloads offloaded: the head item, and the chunks to write first. */
interface PreparedBatch {
  state: RunState;
  /** What the run's visibility record shows after this batch. */
  summary: RunSummary;
  head: Item;
  chunkCount: number;
}

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
    if (terminate) {
      const { events, expectedNextEventId, state, runId } = terminate;
      checkContinues(events, expectedNextEventId, state, `Run ${runId}`);
    }
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
      { role: 'newVisibility', item: visibilityPut(this.executions, created.summary, true) },
    ];
    if (closing) ops.push(...this.closingOps(closing, created.state));
    await this.commit(ops, [created, closing], reusePolicy, 'start');
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
        { role: 'newVisibility', item: visibilityPut(this.executions, next.summary, true) },
      );
    }
    ops.push(...(closes || next ? this.closingOps(batch, next?.state) : this.upsertOps(batch)));
    await this.commit(ops, [batch, next], 'ALLOW_DUPLICATE', closes || next ? 'close' : 'append');
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
   * Pages hold whole batches, about 1,000 events each (see `pageItems`); the page token is the next
   * page's first event id.
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
    const { runs, nextPageToken } = await listVisibility(
      this.db,
      this.executions,
      namespace,
      pageSize,
      pageToken,
      async (stored) => {
        const summary = await this.payloads.resolve(stored);
        return matches(summary) ? summary : undefined;
      },
    );
    await Promise.all(
      runs
        .filter((run) => run.status === 'Running')
        .map(async (run) => {
          // Visibility is eventually consistent anyway (the index is), so half-price reads do.
          const head = await this.head(namespace, run.runId, {
            projection: 'lastEventId',
            consistent: false,
          });
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
    let summary = summarizeRun(offloaded.state);
    if (Buffer.byteLength(JSON.stringify(summary)) > VISIBILITY_INLINE_BYTES) {
      const { namespace, runId } = state;
      const memo = await this.payloads.offload(summary.memo, namespace, runId, VISIBILITY_MEMO_OFFLOAD_BYTES);
      summary = { ...summary, memo };
    }
    return { state: offloaded.state, summary, head, chunkCount: chunks.length };
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
      await this.db
        .for('append')
        .putItem({ ...this.headPut(batch).Put!, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
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
      { role: 'visibility', item: visibilityPut(this.executions, batch.summary, false) },
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
      { role: 'visibility', item: visibilityPut(this.executions, batch.summary, false) },
    ];
  }

  private commit(
    ops: Op[],
    batches: (PreparedBatch | undefined)[],
    policy: WorkflowIdReusePolicyName,
    purpose: WritePurpose,
  ) {
    return commitTransaction(this.db.for(purpose), ops, policy, async () => {
      await Promise.all(batches.map((batch) => this.discard(batch)));
    });
  }

  // --- reading ---------------------------------------------------------------------------------

  /** The run's newest batch item: its head. */
  private async head(
    namespace: string,
    runId: string,
    { projection, consistent = true }: { projection?: string; consistent?: boolean } = {},
  ): Promise<Image | undefined> {
    const [item] = await this.db.queryAll(
      {
        TableName: this.history,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: historyPk(namespace, runId) } },
        ProjectionExpression: projection,
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

  async expireRun(namespace: string, runId: string, expiresAt: number): Promise<void> {
    const db = this.db.for('retention');
    // TTL attributes are epoch seconds.
    const values = { ':t': { N: String(Math.floor(expiresAt / 1000)) } };
    const partitions = [
      { table: this.history, pk: historyPk(namespace, runId) },
      { table: this.history, pk: chunkPk(namespace, runId) },
      { table: this.executions, pk: visibilityKey(namespace, runId).pk.S! },
    ];
    for (const { table, pk } of partitions) {
      const items = await db.queryAll(
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ProjectionExpression: 'pk, sk',
        },
        1_000_000,
      );
      for (const item of items) {
        await db.updateItem({
          TableName: table,
          Key: { pk: item.pk!, sk: item.sk! },
          UpdateExpression: 'SET expiresAt = :t',
          ExpressionAttributeValues: values,
        });
      }
    }
    const state = await this.getRun(namespace, runId);
    if (!state) return;
    try {
      // The claim expires with its run only while no later run has taken the workflow id.
      await db.updateItem({
        TableName: this.executions,
        Key: claimKey(namespace, state.workflowId),
        UpdateExpression: 'SET expiresAt = :t',
        ConditionExpression: 'runId = :run',
        ExpressionAttributeValues: { ...values, ':run': { S: runId } },
      });
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  private async putSideRecord(key: Item, namespace: string, runId: string, record: object | null) {
    if (record === null) {
      await this.db.for('records').deleteItem({ TableName: this.executions, Key: key });
      return;
    }
    await this.payloads.assertWithinCap(record);
    const stored = await this.payloads.offload(record, namespace, runId);
    await this.db.for('records').putItem({
      TableName: this.executions,
      Item: { ...key, record: { S: JSON.stringify(stored) } },
    });
  }

  private async getSideRecord<T>(key: Item): Promise<T | undefined> {
    const item = await this.db.getItem({ TableName: this.executions, Key: key });
    return item?.record?.S ? this.payloads.resolve(JSON.parse(item.record.S) as T) : undefined;
  }
}
