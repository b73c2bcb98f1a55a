import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { WorkflowIdReusePolicyName } from '../../engine/events.ts';
import { mayReuseWorkflowId } from '../../engine/id-reuse.ts';
import type { ExecutionStatus, RunState } from '../../engine/run-state.ts';
import { claimKey } from './keys.ts';

/** Every status, as a record so that a new status fails compilation here. */
const STATUSES: Record<ExecutionStatus, true> = {
  Running: true,
  Completed: true,
  Failed: true,
  Canceled: true,
  Terminated: true,
  TimedOut: true,
  ContinuedAsNew: true,
};

/** What a claim's put may take besides the run: see {@link claimPut}. */
export interface ClaimOptions {
  /** The run this very write closes (continue-as-new, TERMINATE_IF_RUNNING), and its status. */
  closing?: { runId: string; status: ExecutionStatus };
  /** The claim's TTL attribute: it expires with its run's first items, and is renewed with them. */
  expiresAt?: Record<string, AttributeValue>;
  /**
   * The run's visibility as of its first batch (`visibilityAttributes`), where it fits
   * ({@link claimListsRun}): the claim lists the run from the moment it exists, so a start writes
   * no visibility record of its own. A later run that takes the id over takes the index entry with
   * it; the run it replaces has its own record by then (`RunClaims`).
   */
  visibility?: Record<string, AttributeValue>;
  /**
   * A run that holds the claim but never started and never will (`RunClaims.claim`): its start
   * died between the claim and its first batch, whose key now holds a marker. Any start may take
   * its claim over, whatever the policy.
   */
  voided?: string;
}

/**
 * Claims a workflow id for `state`'s run. The claim item holds the run id, and the status its run
 * had when last known: a close does not update it (that would be one more write in every close);
 * a start that finds a `Running` holder brings it up to date from the holder's head (`RunClaims`)
 * and tries again. The reuse policy becomes the put's condition on the claim item — the id is free,
 * or its holder's status is one the policy accepts, or (TERMINATE_IF_RUNNING, continue-as-new) the
 * holder is `closing`, the run this very transaction closes, or the holder is `voided` — so two
 * concurrent starts can never both win, and no read precedes the write (DESIGN.md, "Components",
 * step 1). The statuses come from `mayReuseWorkflowId`, the same rule the memory store applies.
 */
export function claimPut(
  table: string,
  state: RunState,
  policy: WorkflowIdReusePolicyName,
  { closing, expiresAt = {}, visibility = {}, voided }: ClaimOptions = {},
): TransactWriteItem {
  // A running holder blocks every start except one that closes it in the same write.
  const reusable = (Object.keys(STATUSES) as ExecutionStatus[]).filter(
    (status) => status !== 'Running' && mayReuseWorkflowId(policy, status),
  );
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const clauses = ['attribute_not_exists(pk)'];
  if (reusable.length > 0) {
    names['#status'] = 'status';
    for (const [i, status] of reusable.entries()) values[`:s${i}`] = { S: status };
    clauses.push(`#status IN (${reusable.map((_, i) => `:s${i}`).join(', ')})`);
  }
  if (closing && mayReuseWorkflowId(policy, closing.status)) {
    names['#runId'] = 'runId';
    values[':closing'] = { S: closing.runId };
    clauses.push('#runId = :closing');
  }
  let condition = clauses.join(' OR ');
  // A start's request id stays on the claim: a retried start (its first answer lost) must not take
  // the id again even where the policy would allow a new run; the runtime finds its run instead.
  const requestId = state.requestIds?.[0];
  if (requestId !== undefined) {
    names['#requestId'] = 'requestId';
    values[':requestId'] = { S: requestId };
    condition = `(${condition}) AND (attribute_not_exists(#requestId) OR #requestId <> :requestId)`;
  }
  if (voided !== undefined) {
    names['#runId'] = 'runId';
    values[':voided'] = { S: voided };
    condition = `(${condition}) OR #runId = :voided`;
  }
  const hasValues = Object.keys(values).length > 0;
  return {
    Put: {
      TableName: table,
      Item: claimItem(state, expiresAt, visibility),
      ConditionExpression: condition,
      ExpressionAttributeNames: hasValues ? names : undefined,
      ExpressionAttributeValues: hasValues ? values : undefined,
      // The holder, for the error message when the policy refuses the start and for `RunClaims`.
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** The claim item of `state`'s run, as {@link claimPut} writes it. */
function claimItem(
  state: RunState,
  expiresAt: Record<string, AttributeValue>,
  visibility: Record<string, AttributeValue>,
): Record<string, AttributeValue> {
  const requestId = state.requestIds?.[0];
  return {
    ...claimKey(state.namespace, state.workflowId),
    runId: { S: state.runId },
    status: { S: state.status },
    workflowType: { S: state.workflowType },
    // When the claim was put (the run's start): how long its first batch may still be on its way.
    claimedAt: { N: String(state.startTime) },
    ...visibility,
    ...expiresAt,
    ...(requestId !== undefined && { requestId: { S: requestId } }),
  };
}

/** One write unit: the size up to which an item's put (and its index entry) costs one unit each. */
const WRITE_UNIT_BYTES = 1024;

/** An item's size as DynamoDB bills it, or a little over: attribute names and values, numbers as their digits. */
function billedBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.S ?? value.N ?? '') + (value.B?.length ?? 0);
  }
  return bytes;
}

/**
 * Whether the claim lists its run (`visibility.ts`): when the claim with the run's visibility
 * attributes still fits one write unit. A larger summary (a big memo, many search attributes)
 * goes in a visibility record of its own, written after the commit as every later change of what
 * a list shows is, and the claim, which every start and continue-as-new writes (the latter in a
 * transaction, at twice the units), stays one unit. A pure function of the run's state, so the
 * committer and the router (which repairs a missed record) decide alike.
 */
export function claimListsRun(
  state: RunState,
  expiresAt: Record<string, AttributeValue>,
  visibility: Record<string, AttributeValue>,
): boolean {
  return billedBytes(claimItem(state, expiresAt, visibility)) <= WRITE_UNIT_BYTES;
}

/**
 * Records on a claim that its run closed with `status`, if the claim still names that run and still
 * says `Running`: the fact a refused start found out from the run's head. Closed is final, so this
 * cannot race a later writer into a wrong state.
 */
export function claimSettle(
  table: string,
  key: Record<string, AttributeValue>,
  runId: string,
  status: ExecutionStatus,
) {
  return {
    TableName: table,
    Key: key,
    UpdateExpression: 'SET #status = :status',
    ConditionExpression: '#runId = :runId AND #status = :running',
    ExpressionAttributeNames: { '#status': 'status', '#runId': 'runId' },
    ExpressionAttributeValues: {
      ':status': { S: status },
      ':runId': { S: runId },
      ':running': { S: 'Running' },
    },
  };
}
