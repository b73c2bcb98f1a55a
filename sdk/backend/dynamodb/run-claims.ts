import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { WorkflowIdReusePolicyName } from '../../engine/events.ts';
import { type ExecutionStatus, isClosed, type RunState } from '../../engine/run-state.ts';
import { CLOSE_WITHOUT_WRITES_MS } from '../retention.ts';
import { type BatchWriter, closedExpiry, type PreparedBatch, QUIET, ttlValue } from './batch-writer.ts';
import { claimPut, claimSettle } from './claim.ts';
import { batchKey, claimKey } from './keys.ts';
import type { Item, MeteredDynamo } from './metered-client.ts';
import { alreadyStarted, type Op } from './transaction.ts';

/** The `kind` of the marker a voided run's first-batch key holds (`RunClaims`); a batch's is `batch`. */
export const VOIDED_RUN = 'voided';

/**
 * How long after its claim a run's first batch may still be on its way: a claim naming a run
 * without history blocks another start this long (its own start may be about to write the batch),
 * and is voided after. A retry of the same start request voids it at once.
 */
export const START_GRACE_MS = 10_000;

/** Puts of the claim one start makes at most: a settled or voided holder each costs one more. */
const MAX_CLAIM_ATTEMPTS = 3;

export interface RunClaimsOptions {
  executions: string;
  history: string;
  retentionMs: number;
  now: () => number;
  /** The run's state as of its head, or undefined (none, or gone past its retention). */
  getRun: (namespace: string, runId: string) => Promise<RunState | undefined>;
}

/**
 * The workflow-id claims of new runs. A start is two conditional puts, not a transaction (which
 * bills each of its items twice): the claim, then the run's first batch (`createRun`). The order
 * makes the claim the arbiter: no run has history before it holds its id. A start that dies in
 * between leaves a claim that names a run without history; the next start of that id finds it
 * (its put is refused by a `Running` holder), and once the holder is past {@link START_GRACE_MS}
 * (or the start is a retry of the same request) it voids the run: it puts a marker at the run's
 * first-batch key, on the same `attribute_not_exists` condition that batch's put has, so exactly
 * one of the two lands. If the marker does, the run can never be written, and the start takes the
 * claim over (`voided`); if the batch did, the run is real and the policy decides as ever. A
 * voided run reads as none (`getRun`, `readHistory`, lists), and its stalled start, should it wake,
 * fails its first batch's put and tries again from the claim.
 */
export class RunClaims {
  constructor(
    private readonly db: MeteredDynamo,
    private readonly writer: BatchWriter,
    private readonly options: RunClaimsOptions,
  ) {}

  /**
   * A plain start: the claim, then the first batch, one conditional put each. With
   * `dispatchFirst`, the run's first tasks go out in between: after the claim (no task for a run
   * that lost its id) and before the batch (no batch whose tasks a crash could lose), which is
   * then marked idle for the router; tasks it could not send are the router's, the batch unmarked.
   */
  async start(
    created: PreparedBatch,
    policy: WorkflowIdReusePolicyName,
    visibility: Item | undefined,
    dispatchFirst?: () => Promise<boolean>,
  ): Promise<void> {
    try {
      await this.claim(created, policy, visibility);
      if (dispatchFirst && !(await dispatchFirst())) delete created.head[QUIET];
    } catch (error) {
      await this.writer.discard(created);
      throw error;
    }
    await this.writer.putHead(created, 'start');
  }

  /**
   * A new run that takes the claim over from the run `closing` closes, in one transaction: the
   * claim, the new run's first batch and the closing batch. For a start (TERMINATE_IF_RUNNING) a
   * refusal is about the new run, whose claim may meet a holder to settle; for a continue-as-new
   * (`close`) it is about the closing run's head.
   */
  async takeOver(
    created: PreparedBatch,
    closing: PreparedBatch,
    holder: { runId: string; status: ExecutionStatus },
    policy: WorkflowIdReusePolicyName,
    visibility: Item | undefined,
    purpose: 'start' | 'close',
  ): Promise<void> {
    const claim = claimPut(this.options.executions, created.state, policy, {
      closing: holder,
      expiresAt: created.expiresAt,
      visibility,
    });
    const ops: Op[] = [
      { role: 'claim', item: claim },
      { role: 'newHead', item: this.writer.headPut(created) },
      { role: 'head', item: this.writer.headPut(closing) },
    ];
    if (purpose === 'close') return this.writer.commit(ops, [closing, created], policy, purpose);
    await this.writer.commit(ops, [created, closing], policy, purpose, (found) =>
      this.settleHolder(created.state, found),
    );
  }

  /** Claims the id for `created`'s run under `policy`, settling or voiding a holder on the way. */
  async claim(created: PreparedBatch, policy: WorkflowIdReusePolicyName, visibility?: Item): Promise<void> {
    const { state, expiresAt } = created;
    let voided: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const put = claimPut(this.options.executions, state, policy, { expiresAt, visibility, voided }).Put!;
      try {
        await this.db.for('start').putItem(put);
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const holder = error.Item;
        // The SDK's retry of a put that had landed: the claim is this run's already.
        if (holder?.runId?.S === state.runId) return;
        const next =
          attempt < MAX_CLAIM_ATTEMPTS && holder?.status?.S === 'Running'
            ? await this.inspect(state, holder)
            : undefined;
        if (next === undefined) throw alreadyStarted(put.Item!, holder, policy);
        if (next === 'voided') voided = holder!.runId!.S;
      }
    }
  }

  /**
   * A start refused because the workflow id's claim reads `Running`: if that run has closed since
   * (closes leave the claim alone), records its close on the claim, so the start can try again.
   * The closed run's visibility record is written first: its close wrote none while the claim
   * listed it (`recordChange`), and once another run takes the claim over, only the record does.
   */
  async settleHolder(starting: RunState, holder: Item): Promise<boolean> {
    const runId = holder.runId?.S;
    if (!runId || runId === starting.runId) return false;
    const state = await this.options.getRun(starting.namespace, runId);
    return state !== undefined && isClosed(state) && this.settle(starting, state);
  }

  /**
   * What a refused claim's next put should do about its `Running` holder: try again (the holder
   * closed and is settled now, or turned out to have a first batch after all), take over a
   * `voided` run, or nothing (undefined: the holder runs, and the policy refuses the start).
   */
  private async inspect(starting: RunState, holder: Item): Promise<'again' | 'voided' | undefined> {
    const runId = holder.runId?.S;
    if (!runId) return undefined;
    const state = await this.options.getRun(starting.namespace, runId);
    if (state) return isClosed(state) && (await this.settle(starting, state)) ? 'again' : undefined;
    // No history to read: the run's start died (or is under way) between its claim and its first
    // batch, or the run is gone past its retention.
    const ownRetry = starting.requestIds?.[0] !== undefined && holder.requestId?.S === starting.requestIds[0];
    const claimedAt = Number(holder.claimedAt?.N ?? 0);
    if (!ownRetry && claimedAt + START_GRACE_MS > this.options.now()) return undefined;
    return (await this.voidRun(starting.namespace, runId, holder.expiresAt)) ? 'voided' : 'again';
  }

  /** Writes the closed holder's visibility record, then its status on the claim. */
  private async settle(starting: RunState, closed: RunState): Promise<boolean> {
    await this.writer.putVisibility(
      await this.writer.summaryOf(closed),
      closedExpiry(closed, this.options.retentionMs),
      'start',
    );
    const key = claimKey(starting.namespace, starting.workflowId);
    try {
      await this.db
        .for('start')
        .updateItem(claimSettle(this.options.executions, key, closed.runId, closed.status));
    } catch (error) {
      // Someone settled it, or another run took the id meanwhile: the retry's condition decides.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return true;
  }

  /**
   * Puts the marker that voids `runId` at its first batch's key, unless that batch is there: true
   * if the run is voided now (by this put, or by an earlier one), false if it has history. The
   * marker expires with the claim it voids (`expiresAt`), if known.
   */
  async voidRun(namespace: string, runId: string, expiresAt?: Item['expiresAt']): Promise<boolean> {
    const { history, now, retentionMs } = this.options;
    try {
      await this.db.for('start').putItem({
        TableName: history,
        // The marker expires with the claim it voids (a claim without a TTL: as an item written now would).
        Item: {
          ...batchKey(namespace, runId, 1),
          kind: { S: VOIDED_RUN },
          ...(expiresAt ? { expiresAt } : ttlValue(now() + retentionMs + CLOSE_WITHOUT_WRITES_MS)),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return error.Item?.kind?.S === VOIDED_RUN;
    }
  }
}
