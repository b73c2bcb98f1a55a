import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidArgumentError } from '../../common/errors.ts';

/**
 * Every key of the history and executions tables, as `definitions.ts` lays them out. Every key
 * starts with the namespace, so tenants never share an item or a partition (the one exception,
 * {@link DUE_NAMESPACES_PK}, holds only namespace names).
 */

/** Overflow-chunk sort keys of one batch live in `[firstEventId * CHUNK_KEY_SPACE, +CHUNK_KEY_SPACE)`. */
export const CHUNK_KEY_SPACE = 10_000;
/** Each write attempt of a large batch takes one slot of chunk keys, so racing writers never share one. */
export const CHUNK_SLOTS = 100;
/** Chunks one batch may have (a slot's width). */
export const MAX_CHUNKS = CHUNK_KEY_SPACE / CHUNK_SLOTS;

type Key = Record<string, AttributeValue>;

/** `#` separates key parts, so a namespace or run id containing it could alias another's keys. */
function part(value: string, what: string): string {
  if (value.length === 0 || value.includes('#')) {
    throw new InvalidArgumentError(`${what} '${value}' must be non-empty and must not contain '#'`);
  }
  return value;
}

export function historyPk(namespace: string, runId: string): string {
  return `${part(namespace, 'Namespace')}#${part(runId, 'Run id')}`;
}

export function batchKey(namespace: string, runId: string, firstEventId: number): Key {
  return { pk: { S: historyPk(namespace, runId) }, sk: { N: String(firstEventId) } };
}

/** The partition of a run's overflow chunks, given its history partition key. */
export function chunkPkOf(historyPartition: string): string {
  return `${historyPartition}#chunk`;
}

export function chunkPk(namespace: string, runId: string): string {
  return chunkPkOf(historyPk(namespace, runId));
}

/** First sort key of a chunk slot; chunk `i` of the slot is at `+ i`. */
export function chunkSlotBase(firstEventId: number, slot: number): number {
  return firstEventId * CHUNK_KEY_SPACE + slot * MAX_CHUNKS;
}

/** The workflow-id claim: which run holds the id, and that run's status. */
export function claimKey(namespace: string, workflowId: string): Key {
  return { pk: { S: `${part(namespace, 'Namespace')}#wf#${workflowId}` }, sk: { S: 'claim' } };
}

function runRecordKey(namespace: string, runId: string, sk: string): Key {
  return { pk: { S: `${part(namespace, 'Namespace')}#run#${part(runId, 'Run id')}` }, sk: { S: sk } };
}

/** The run's visibility record (what `listRuns` shows), indexed by `byStart`. */
export function visibilityKey(namespace: string, runId: string): Key {
  return runRecordKey(namespace, runId, 'run');
}

export function heartbeatKey(namespace: string, runId: string, scheduledEventId: number): Key {
  return runRecordKey(namespace, runId, `hb#${scheduledEventId}`);
}

export function workflowTaskFailureKey(namespace: string, runId: string): Key {
  return runRecordKey(namespace, runId, 'wtf');
}

/**
 * A partition of a namespace's due-time index (`sdk/backend/sqs/due-index.ts`). Under the namespace,
 * like every other key, so a worker's role, confined to its namespace's keys, can park only its own
 * namespace's tasks.
 */
export function dueIndexPk(namespace: string, shard: number): string {
  return `${part(namespace, 'Namespace')}#due#${shard}`;
}

/**
 * The one partition outside every namespace: the names of the namespaces that ever parked a task
 * (`sk` = the namespace), so that the sweeper knows which due-time indexes to read. A name is all
 * it holds: a writer can add a namespace to the sweep, never a task to another namespace's index.
 */
export const DUE_NAMESPACES_PK = 'due#namespaces';

/** `byStart` sort key: zero-padded so that string order is start-time order. */
export function startSortKey(startTime: number, runId: string): string {
  return `${String(startTime).padStart(15, '0')}#${runId}`;
}
