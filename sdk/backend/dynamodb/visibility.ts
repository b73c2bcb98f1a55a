import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { RunState } from '../../engine/run-state.ts';
import type { RunSummary } from '../ports.ts';
import { startSortKey, visibilityKey } from './keys.ts';

/**
 * Visibility records: one item per run on the executions table, listed newest first by the
 * `byStart` index. They are written with the run's start, its close and search-attribute upserts
 * (in the same transaction as the history batch), not on every append: `historyLength` of a
 * running run is refreshed from its head when listed.
 */

export function summaryOf(state: RunState): RunSummary {
  return {
    namespace: state.namespace,
    workflowId: state.workflowId,
    runId: state.runId,
    workflowType: state.workflowType,
    taskQueue: state.taskQueue,
    status: state.status,
    startTime: state.startTime,
    closeTime: state.closeTime,
    historyLength: state.nextEventId - 1,
    searchAttributes: state.searchAttributes,
    memo: state.memo,
    parent: state.parent,
  };
}

/** Writes a run's visibility record; `create` makes it conditional on the run being new. */
export function visibilityPut(table: string, state: RunState, create: boolean): TransactWriteItem {
  return {
    Put: {
      TableName: table,
      Item: {
        ...visibilityKey(state.namespace, state.runId),
        gsi1pk: { S: state.namespace },
        gsi1sk: { S: startSortKey(state.startTime, state.runId) },
        summary: { S: JSON.stringify(summaryOf(state)) },
      },
      ConditionExpression: create ? 'attribute_not_exists(pk)' : undefined,
    },
  };
}

export function decodeSummary(item: Record<string, AttributeValue>): RunSummary {
  return JSON.parse(item.summary?.S ?? 'null') as RunSummary;
}

/** The list page token names the last run examined; it is opaque to callers. */
export function encodeListToken(item: Record<string, AttributeValue>): string {
  return Buffer.from(JSON.stringify({ v: 1, s: item.gsi1sk?.S, p: item.pk?.S })).toString('base64url');
}

/** The `ExclusiveStartKey` a list page token stands for; a token that is not one of ours is refused. */
export function decodeListToken(namespace: string, token: string): Record<string, AttributeValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
  } catch {
    parsed = undefined;
  }
  const { v, s, p } = (parsed ?? {}) as { v?: unknown; s?: unknown; p?: unknown };
  if (v !== 1 || typeof s !== 'string' || typeof p !== 'string' || !p.startsWith(`${namespace}#run#`)) {
    throw new InvalidArgumentError(
      'Malformed list page token: pass back the nextPageToken of a previous page',
    );
  }
  return { gsi1pk: { S: namespace }, gsi1sk: { S: s }, pk: { S: p }, sk: { S: 'run' } };
}
