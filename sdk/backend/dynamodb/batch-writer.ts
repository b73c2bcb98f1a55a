import { randomBytes } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type PutItemCommandInput,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { HistoryEvent, WorkflowIdReusePolicyName } from '../../engine/events.ts';
import { isClosed, type RunState } from '../../engine/run-state.ts';
import { committedBatch } from '../committed-batch.ts';
import type { CommittedBatch, RunSummary } from '../ports.ts';
import { HEAD_EXPIRY_SLACK_MS, itemExpiry } from '../retention.ts';
import { summarizeRun } from '../run-summary.ts';
import type { PayloadOffloader } from '../s3/payload-offload.ts';
import { encodeBatch } from './batch-codec.ts';
import { discardChunks, writeChunks } from './chunks.ts';
import { batchKey, visibilityKey } from './keys.ts';
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
  /** Whether the router has nothing to do for a batch: its head is then marked `quiet` (see {@link QUIET}). */
  routerIdle?: (batch: CommittedBatch) => boolean;
}

/**
 * The attribute that marks a head the router has nothing to do for (no task to send, no visibility
 * to settle): the router's stream mapping filters such records out (`ROUTER_STREAM_FILTER`), so a
 * step that ran eagerly costs no router invocation. Its absence routes, so a head written without
 * the mark (by an older writer, or a store without `routerIdle`) is routed as before.
 */
export const QUIET = 'quiet';

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

/**
 * The TTL attribute of the items written with a batch (`retention.ts`). A closing head outlives the
 * run's other items by a week: TTL deletes in no particular order (typically within two days), and
 * a head deleted before older batches would leave one of them, which says Running, as the newest
 * item of a run that is long gone.
 */
export function batchExpiry(state: RunState, events: HistoryEvent[], retentionMs: number): Item {
  return expiryOfWrite(state, events.at(-1)!.eventTime, retentionMs);
}

/** The TTL attribute of a closed run's closing batch, which its visibility record expires with too. */
export function closedExpiry(state: RunState, retentionMs: number): Item {
  return expiryOfWrite(state, state.closeTime!, retentionMs);
}

function expiryOfWrite(state: RunState, writeTime: number, retentionMs: number): Item {
  const closingSlack = isClosed(state) ? HEAD_EXPIRY_SLACK_MS : 0;
  return ttlValue(itemExpiry(state, writeTime, retentionMs) + closingSlack);
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

  /**
   * Offloads a batch's large payloads to S3, encodes it, and writes its overflow chunks. `quiet`
   * marks it idle for the router whatever `routerIdle` says (a start that sent its tasks itself).
   */
  async prepare(
    events: HistoryEvent[],
    state: RunState,
    commitId: string,
    quiet?: boolean,
  ): Promise<PreparedBatch> {
    const { history, payloads, retentionMs } = this.options;
    const offloaded = await payloads.offload({ events, state }, state.namespace, state.runId);
    const { fields, chunks } = await encodeBatch(offloaded.events, offloaded.state);
    const expiresAt = batchExpiry(state, events, retentionMs);
    quiet ??= this.options.routerIdle?.(committedBatch(events, state));
    const head: Item = {
      ...batchKey(state.namespace, state.runId, events[0]!.eventId),
      kind: { S: 'batch' },
      lastEventId: { N: String(events.at(-1)!.eventId) },
      status: { S: state.status },
      // What a list reads of a closed run from its head (`listRuns`), with `status` and `lastEventId`.
      ...(state.closeTime !== undefined && { closeTime: { N: String(state.closeTime) } }),
      commitId: { S: commitId },
      ...(quiet && { [QUIET]: { BOOL: true } }),
      ...expiresAt,
      ...fields,
    };
    await writeChunks(this.db, history, head, chunks);
    const summary = await this.summaryOf(offloaded.state);
    return { state: offloaded.state, summary, head, chunkCount: chunks.length, expiresAt };
  }

  /** What the run's visibility record shows of `state`, its memo in S3 if the record would be large. */
  async summaryOf(state: RunState): Promise<RunSummary> {
    const summary = summarizeRun(state);
    if (Buffer.byteLength(JSON.stringify(summary)) <= VISIBILITY_INLINE_BYTES) return summary;
    const { namespace, runId } = state;
    const memo = await this.options.payloads.offload(
      summary.memo,
      namespace,
      runId,
      VISIBILITY_MEMO_OFFLOAD_BYTES,
    );
    return { ...summary, memo };
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

  /**
   * Writes the run's visibility record as of a committed batch (`summary`, expiring with the batch's
   * items), unless the record already shows a later batch: visibility follows history, one plain
   * conditional put after the commit instead of a transaction with it, so whoever writes it last
   * (the committer, or the router repairing it) never takes it back to an older state. A record
   * without `lastEventId` (none yet, or written before it was kept) is always replaced.
   */
  async putVisibility(summary: RunSummary, expiresAt: Item, purpose: WritePurpose): Promise<void> {
    const put = visibilityPut(this.options.executions, summary, false).Put!;
    const input: PutItemCommandInput = {
      TableName: put.TableName,
      Item: { ...put.Item!, lastEventId: { N: String(summary.historyLength) }, ...expiresAt },
      ConditionExpression: 'attribute_not_exists(#last) OR #last < :last',
      ExpressionAttributeNames: { '#last': 'lastEventId' },
      ExpressionAttributeValues: { ':last': { N: String(summary.historyLength) } },
    };
    try {
      await this.db.for(purpose).putItem(input);
    } catch (error) {
      // A later batch's record is there already (or this very one, by an earlier attempt).
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** The visibility record's `lastEventId`, read at half price: a stale answer only costs a redundant put. */
  async visibleEventId(namespace: string, runId: string): Promise<number> {
    const item = await this.db.for('visibility').getItem({
      TableName: this.options.executions,
      Key: visibilityKey(namespace, runId),
      ProjectionExpression: 'lastEventId',
      ConsistentRead: false,
    });
    return Number(item?.lastEventId?.N ?? 0);
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

  /** The common append (a close too): one conditional put of the head item, the commit point. */
  async putHead(batch: PreparedBatch, purpose: WritePurpose = 'append'): Promise<void> {
    try {
      await this.db
        .for(purpose)
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
