import { TransactionCanceledException, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { HistoryConflictError, WorkflowExecutionAlreadyStartedError } from '../../common/errors.ts';
import type { WorkflowIdReusePolicyName } from '../../engine/events.ts';
import type { Item, MeteredDynamo } from './metered-client.ts';

/** Which part of a transaction an item is, to tell from its cancellation reasons what went wrong. */
export type Role = 'head' | 'claim' | 'newHead';
export interface Op {
  role: Role;
  item: TransactWriteItem;
}

/** The error of an append whose head item already exists: another writer got there first. */
export function conflict(head: Item): HistoryConflictError {
  return new HistoryConflictError(
    `History ${head.pk!.S} already has event ${head.sk!.N}: another writer appended first; reload and retry`,
  );
}

/** The error of a start the claim's condition refused, from the claim it tried and the holder it met. */
export function alreadyStarted(claim: Item, holder: Item | undefined, policy: WorkflowIdReusePolicyName) {
  const status = holder?.status?.S;
  const workflowId = claim.pk!.S!.slice(claim.pk!.S!.indexOf('#wf#') + '#wf#'.length);
  return new WorkflowExecutionAlreadyStartedError(
    `Workflow '${workflowId}' ${status === 'Running' ? 'is already running' : `exists (last run ${status?.toLowerCase()}) and the reuse policy ${policy} forbids a new run`}`,
    workflowId,
    claim.workflowType!.S!,
  );
}

export interface CommitHooks {
  /** Whether this commit's own head is already in the table (an earlier attempt of it landed). */
  landed: () => Promise<boolean>;
  /** Runs before a failure is thrown (to discard overflow chunks). */
  onFailed: () => Promise<void>;
  /**
   * A claim refused because its holder reads `Running`: brings the claim up to date if that run has
   * in fact closed, and says whether it did (the write is then tried once more).
   */
  settleHolder?: (holder: Item) => Promise<boolean>;
}

/**
 * Commits a multi-item write and maps its cancellation reasons to the port's errors, in the memory
 * store's order: a moved head is a conflict, then a refused claim is
 * `WorkflowExecutionAlreadyStartedError`, anything else (a taken run id, a concurrent transaction)
 * a conflict. A head that exists may be this commit's own, landed by an attempt whose response was
 * lost: `landed` says so, and the commit succeeds. A claim whose holder reads `Running` may name a
 * run that has closed since (a close does not touch the claim): `settleHolder` records the close
 * on it, and the write is tried once more, so the reuse policy is still decided by the claim's
 * condition, never by the read.
 */
export async function commitTransaction(
  db: MeteredDynamo,
  ops: Op[],
  policy: WorkflowIdReusePolicyName,
  hooks: CommitHooks,
): Promise<void> {
  try {
    await db.transact(ops.map((op) => op.item));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    const failedAt = (role: Role) =>
      ops.findIndex((op, i) => op.role === role && reasons[i]?.Code === 'ConditionalCheckFailed');
    const failed = (role: Role) => failedAt(role) >= 0;
    const concurrent = reasons.some((reason) => reason.Code === 'TransactionConflict');
    if ((failed('head') || failed('newHead')) && (await hooks.landed())) return;
    const holder = failed('claim') ? reasons[failedAt('claim')]?.Item : undefined;
    if (holder?.status?.S === 'Running' && !failed('head') && !concurrent && hooks.settleHolder) {
      if (await hooks.settleHolder(holder)) {
        return commitTransaction(db, ops, policy, { ...hooks, settleHolder: undefined });
      }
    }
    await hooks.onFailed();
    if (failed('head')) throw conflict(ops[failedAt('head')]!.item.Put!.Item!);
    if (failed('claim')) {
      throw alreadyStarted(ops[failedAt('claim')]!.item.Put!.Item!, holder, policy);
    }
    const codes = reasons.map((reason) => reason.Code ?? 'None').join(', ');
    throw new HistoryConflictError(`Transaction cancelled (${codes}); reload and retry`, { cause: error });
  }
}
