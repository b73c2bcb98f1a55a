import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { HistoryEvent, WorkflowIdReusePolicyName } from '../../engine/events.ts';
import { isClosed, type RunState } from '../../engine/run-state.ts';
import type { RunSummary } from '../ports.ts';
import { HEAD_EXPIRY_SLACK_MS, itemExpiry } from '../retention.ts';
import { summarizeRun } from '../run-summary.ts';
import type { PayloadOffloader } from '../s3/payload-offload.ts';
import { encodeBatch } from './batch-codec.ts';
import { discardChunks, writeChunks } from './chunks.ts';
import { batchKey } from './keys.ts';
import type { Item, MeteredDynamo, WritePurpose } from './metered-client.ts';
import { type CommitHooks, commitTransaction, conflict, type Op } from './transaction.ts';
import { VISIBILITY_INLINE_BYTES, VISIBILITY_MEMO_OFFLOAD_BYTES, visibilityPut } from './visibility.ts';

/** A batch encoded and with its payloads offloaded: the head item, and the chunks written before it. */
export interface PreparedBatch {
  state: RunState;
  /** What the run's visibility record shows after this batch. */
  summary: RunSummary;
  head: Item;
  chunkCount: number;
  /** The TTL attribute every item written with this batch carries (epoch seconds). */
  expiresAt: Item;
}

export interface BatchWriterOptions {
  history: string;
  executions: string;
  payloads: PayloadOffloader;
  /** How long a closed run is kept (items get their expiry from it when written: `retention.ts`). */
  retentionMs: number;
}

/** Refuses a batch whose events do not continue history at `firstEventId`, or whose state does not follow them. */
export function checkContinues(
  events: HistoryEvent[],
  firstEventId: number,
  state: RunState,
  what: string,
): void {
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

/** A commit's token: stored on its head item, so that the commit can recognise its own earlier write. */
export function newCommitId(): string {
  return randomBytes(12).toString('base64url');
}

/** A TTL attribute value: DynamoDB's TTL takes epoch seconds. */
export function ttlValue(epochMs: number): Item {
  return { expiresAt: { N: String(Math.ceil(epochMs / 1000)) } };
}

/**
 * Writes committed batches: a head item per batch (the commit point, `attribute_not_exists(pk)` the
 * fork guard), alone in one conditional put for an ordinary append, or in a transaction with the
 * workflow-id claim and visibility record where those must change in the same write.
 *
 * Ambiguous writes: a write can land and still fail as far as the caller knows (a timeout after
 * DynamoDB applied it), and the SDK then retries it, and the retry fails its own condition. Every
 * head carries its commit's random token (`commitId`), so on a failed condition the writer reads
 * the item at its head's key: if it holds this commit's token, the commit is done and succeeds;
 * only someone else's batch there is a conflict. (A transaction's `ClientRequestToken` covers the
 * SDK's retries for ten minutes as well; the token check does not depend on it.)
 */
export class BatchWriter {
  constructor(
    private readonly db: MeteredDynamo,
    private readonly options: BatchWriterOptions,
  ) {}

  /** Offloads a batch's large payloads to S3, encodes it, and writes its overflow chunks. */
  async prepare(events: HistoryEvent[], state: RunState, commitId: string): Promise<PreparedBatch> {
    const { history, payloads, retentionMs } = this.options;
    const offloaded = await payloads.offload({ events, state }, state.namespace, state.runId);
    const { fields, chunks } = await encodeBatch(offloaded.events, offloaded.state);
    // A closing head outlives the run's other items by a week: TTL deletes in no particular order
    // (typically within two days), and a head deleted before older batches would leave one of them,
    // which says Running, as the newest item of a run that is long gone.
    const closingSlack = isClosed(state) ? HEAD_EXPIRY_SLACK_MS : 0;
    const expiresAt = ttlValue(itemExpiry(state, events.at(-1)!.eventTime, retentionMs) + closingSlack);
    const head: Item = {
      ...batchKey(state.namespace, state.runId, events[0]!.eventId),
      kind: { S: 'batch' },
      lastEventId: { N: String(events.at(-1)!.eventId) },
      status: { S: state.status },
      commitId: { S: commitId },
      ...expiresAt,
      ...fields,
    };
    await writeChunks(this.db, history, head, chunks);
    let summary = summarizeRun(offloaded.state);
    if (Buffer.byteLength(JSON.stringify(summary)) > VISIBILITY_INLINE_BYTES) {
      const { namespace, runId } = state;
      const memo = await payloads.offload(summary.memo, namespace, runId, VISIBILITY_MEMO_OFFLOAD_BYTES);
      summary = { ...summary, memo };
    }
    return { state: offloaded.state, summary, head, chunkCount: chunks.length, expiresAt };
  }

  discard(batch: PreparedBatch | undefined): Promise<void> {
    if (!batch) return Promise.resolve();
    return discardChunks(this.db, this.options.history, batch.head, batch.chunkCount);
  }

  headPut(batch: PreparedBatch): TransactWriteItem {
    return {
      Put: {
        TableName: this.options.history,
        Item: batch.head,
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** The run's visibility record after `batch`, expiring with the batch's items. */
  visibilityPut(batch: PreparedBatch, create: boolean): TransactWriteItem {
    const put = visibilityPut(this.options.executions, batch.summary, create);
    return { Put: { ...put.Put!, Item: { ...put.Put!.Item!, ...batch.expiresAt } } };
  }

  /** Whether the head item of `batch` is in the table, written by this very commit. */
  async landed(batch: PreparedBatch): Promise<boolean> {
    const { pk, sk } = batch.head;
    const item = await this.db.getItem({
      TableName: this.options.history,
      Key: { pk: pk!, sk: sk! },
      ProjectionExpression: 'commitId',
    });
    return item?.commitId?.S === batch.head.commitId!.S;
  }

  /** The common append: one conditional put of the head item, the commit point. */
  async putHead(batch: PreparedBatch): Promise<void> {
    try {
      await this.db
        .for('append')
        .putItem({ ...this.headPut(batch).Put!, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const ours = batch.head.commitId!.S;
      if (error.Item ? error.Item.commitId?.S === ours : await this.landed(batch)) return;
      await this.discard(batch);
      throw conflict(batch.head);
    }
  }

  /**
   * Closing a run (or continuing it as new), or upserting its search attributes, also rewrites its
   * visibility record. The claim is left alone (`claim.ts` says why).
   */
  visibleOps(batch: PreparedBatch): Op[] {
    return [
      { role: 'head', item: this.headPut(batch) },
      { role: 'visibility', item: this.visibilityPut(batch, false) },
    ];
  }

  /**
   * Commits a multi-item write. `batches` are the heads it writes, the first being the one a
   * conflict is about; if the transaction fails and one of them holds this commit's token, the
   * transaction landed earlier (it is atomic) and this is the SDK's retry of it.
   */
  async commit(
    ops: Op[],
    batches: (PreparedBatch | undefined)[],
    policy: WorkflowIdReusePolicyName,
    purpose: WritePurpose,
    settleHolder?: CommitHooks['settleHolder'],
  ): Promise<void> {
    const written = batches.filter((batch): batch is PreparedBatch => batch !== undefined);
    await commitTransaction(this.db.for(purpose), ops, policy, {
      landed: async () => (await Promise.all(written.map((batch) => this.landed(batch)))).some(Boolean),
      settleHolder,
      onFailed: async () => {
        await Promise.all(written.map((batch) => this.discard(batch)));
      },
    });
  }
}
