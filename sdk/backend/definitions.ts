/**
 * The one definition of Cairn's tables, queues and event source mappings. The CDK constructs
 * (`lib/`) deploy exactly these, and the embedded local stack (`local/`) creates exactly these,
 * so local and cloud cannot drift. Plain data: no AWS SDK, no CDK imports.
 */

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N' | 'B';
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** ALL, or KEYS_ONLY. */
  projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  /** Logical id, also the suffix of the physical name (`${prefix}-${id}`). */
  id: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalSecondaryIndexes: IndexDefinition[];
  /** Stream view type; undefined = no stream. */
  stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
  /** Attribute holding an epoch-seconds expiry (TTL), if any. */
  timeToLiveAttribute?: string;
}

/**
 * History: one item per committed batch of events, keyed by run and the batch's first event id.
 * `pk` = `${namespace}#${runId}`, `sk` = first event id. The batch item carries the run's state
 * after the batch, so the newest item is the run's head. Overflow chunks of a large batch use
 * `pk` = `${namespace}#${runId}#chunk` and are trusted only when a committed head names them.
 * The stream (new images) feeds the router: it is the outbox.
 */
export const HISTORY_TABLE: TableDefinition = {
  id: 'history',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'N' },
  globalSecondaryIndexes: [],
  stream: 'NEW_IMAGE',
  timeToLiveAttribute: 'expiresAt',
};

/**
 * Executions: workflow-id claims (`pk` = `${ns}#wf#${workflowId}`, `sk` = `claim`), visibility
 * records (`pk` = `${ns}#run#${runId}`, `sk` = `run`), heartbeats (`sk` = `hb#${scheduledEventId}`),
 * workflow-task failures (`sk` = `wtf`) and each namespace's due-time index of long timers
 * (`pk` = `${ns}#due#${shard}`, one of `DUE_INDEX_SHARDS`, `sk` = `${dueTime}#${task digest}`), whose
 * namespaces the sweeper finds under `pk` = `due#namespaces` (`sk` = the namespace).
 * `byStart` lists a namespace's runs newest first: `gsi1pk` = `${namespace}#${shard}` (one of eight
 * shards by run id, so no tenant has one hot index partition), `gsi1sk` = `${startTime}#${runId}`.
 */
export const EXECUTIONS_TABLE: TableDefinition = {
  id: 'executions',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'byStart',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
      projection: 'ALL',
    },
  ],
  timeToLiveAttribute: 'expiresAt',
};

export const TABLES = [HISTORY_TABLE, EXECUTIONS_TABLE] as const;

export interface QueueDefinition {
  /** Logical id; physical name `${prefix}-${id}` (+ `.fifo`). */
  id: string;
  fifo: boolean;
  /** Seconds a received message stays invisible; must cover the consumer's timeout. */
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  /** Seconds messages are kept (DLQs keep them 14 days). */
  retentionSeconds: number;
}

/** Longest delay SQS gives one message (15 min); longer waits go through the due-time index. */
export const MAX_SQS_DELAY_SECONDS = 900;

/** The engine's own queue: timers, activity timeouts, child starts, delayed workflow tasks. */
export const SYSTEM_QUEUE: QueueDefinition = {
  id: 'system',
  fifo: false,
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  retentionSeconds: 4 * 86_400,
};

/**
 * Per task queue: workflow tasks on a FIFO queue (message group = run, so one run's tasks never
 * run concurrently) and activity tasks on a standard queue (no ordering needed, higher throughput).
 */
export function workflowQueue(taskQueue: string, functionTimeoutSeconds: number): QueueDefinition {
  return {
    id: `wf-${taskQueue}`,
    fifo: true,
    visibilityTimeoutSeconds: functionTimeoutSeconds * 6,
    maxReceiveCount: 5,
    retentionSeconds: 4 * 86_400,
  };
}

export function activityQueue(taskQueue: string, functionTimeoutSeconds: number): QueueDefinition {
  return {
    id: `act-${taskQueue}`,
    fifo: false,
    visibilityTimeoutSeconds: functionTimeoutSeconds * 6,
    maxReceiveCount: 5,
    retentionSeconds: 4 * 86_400,
  };
}

/** The dead-letter queue of a queue. */
export function deadLetterQueue(queue: QueueDefinition): QueueDefinition {
  return {
    id: `${queue.id}-dlq`,
    fifo: queue.fifo,
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 0,
    retentionSeconds: 14 * 86_400,
  };
}

/**
 * The router's on-failure destination: Lambda sends it a description of each stream batch the
 * router failed on after every retry (shard and sequence numbers, not the records), which
 * `cairn dlq redrive` reads back from the stream and routes again.
 */
export const ROUTER_FAILURE_QUEUE: QueueDefinition = {
  id: 'router-failures',
  fifo: false,
  visibilityTimeoutSeconds: 30,
  maxReceiveCount: 0,
  retentionSeconds: 14 * 86_400,
};

/** The two queues of one task queue's worker: workflow tasks (FIFO) and activity tasks. */
export interface TaskQueueQueueDefinitions {
  taskQueue: string;
  workflow: QueueDefinition;
  activity: QueueDefinition;
}

export function taskQueueQueues(
  taskQueue: string,
  functionTimeoutSeconds: number,
): TaskQueueQueueDefinitions {
  return {
    taskQueue,
    workflow: workflowQueue(taskQueue, functionTimeoutSeconds),
    activity: activityQueue(taskQueue, functionTimeoutSeconds),
  };
}

/** An engine's queues, as {@link engineQueues} lists them. */
export interface EngineQueueDefinitions {
  /** Has a DLQ (`deadLetterQueue`). */
  system: QueueDefinition;
  /** Each has a DLQ (`deadLetterQueue`). */
  perTaskQueue: TaskQueueQueueDefinitions[];
  /** Has none: it is where the router's failed stream batches wait. */
  routerFailures: QueueDefinition;
}

/**
 * The queues of an engine whose workers serve `taskQueues`: the one list the local stack creates
 * its queues from and `cairn dlq` (`SqsDeadLetterQueues`) finds the dead letters by.
 */
export function engineQueues(
  taskQueues: readonly string[],
  functionTimeoutSeconds: number,
): EngineQueueDefinitions {
  return {
    system: SYSTEM_QUEUE,
    perTaskQueue: taskQueues.map((taskQueue) => taskQueueQueues(taskQueue, functionTimeoutSeconds)),
    routerFailures: ROUTER_FAILURE_QUEUE,
  };
}

/** Physical name of a table or queue under a stack prefix. */
export function physicalName(prefix: string, definition: { id: string; fifo?: boolean }): string {
  return `${prefix}-${definition.id}${definition.fifo ? '.fifo' : ''}`;
}

export interface SqsMappingDefinition {
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: true;
}

export interface StreamMappingDefinition {
  /** Lambda event filtering: only records matching this pattern invoke the function (others are skipped, unbilled). */
  filterPattern?: Record<string, unknown>;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  bisectBatchOnError: boolean;
  maximumRetryAttempts: number;
  parallelizationFactor: number;
  reportBatchItemFailures: true;
}

/**
 * What reaches the router from the history stream: inserted batch items, unless their writer marked
 * them `quiet` (nothing to route: `routerHasWork`, `BatchWriter`'s `QUIET`). Chunk items, MODIFY
 * records (a retention pass extending TTLs) and REMOVE records (TTL deletions) route nothing either.
 * `exists` matches a leaf only, hence the attribute's type key.
 */
export const ROUTER_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { kind: { S: ['batch'] }, quiet: { BOOL: [{ exists: false }] } } },
};

/** Event source mappings, as deployed and as the local Lambda host emulates them. */
export const MAPPINGS = {
  router: {
    filterPattern: ROUTER_STREAM_FILTER,
    batchSize: 100,
    maximumBatchingWindowSeconds: 0,
    startingPosition: 'TRIM_HORIZON',
    bisectBatchOnError: true,
    maximumRetryAttempts: 10,
    parallelizationFactor: 1,
    reportBatchItemFailures: true,
  } satisfies StreamMappingDefinition,
  workflowTasks: {
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    reportBatchItemFailures: true,
  } satisfies SqsMappingDefinition,
  activityTasks: {
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    reportBatchItemFailures: true,
  } satisfies SqsMappingDefinition,
  systemTasks: {
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    reportBatchItemFailures: true,
  } satisfies SqsMappingDefinition,
} as const;

/** Lambda's default concurrency quota per account and Region: what a function without a reservation may reach. */
export const ACCOUNT_CONCURRENCY = 1000;

/**
 * The API function, as deployed and as the local stack hosts it. A `result` request is held at
 * most `resultWaitMs` and answered `Running` with `retryAfterMs`; the client pauses (growing to a
 * few seconds) and asks again. So a waiting client costs a ~20 ms invocation every few seconds,
 * not a 20-second one back to back (Lambda bills the wait), and a burst of waiting clients does not
 * pin the function's concurrency: 300 waiting clients need about one concurrent invocation, where
 * holding each poll even one second would need dozens (bench: "waiting clients").
 */
export const API_FUNCTION = {
  memorySize: 1024,
  /** API Gateway gives an integration 30 s; answer (or fail) before it does. */
  timeoutSeconds: 29,
  /**
   * Reserved concurrency; undefined: none, the function shares the account's unreserved
   * concurrency (`ACCOUNT_CONCURRENCY`), which the local stack emulates. `Engine`'s
   * `apiReservedConcurrency` sets one, and the local stack's `apiConcurrency` mirrors it.
   */
  reservedConcurrency: undefined as number | undefined,
  resultWaitMs: 0,
  resultRetryAfterMs: 250,
  /** The pause asked of a client waiting on a run that started moments ago (half its age, at least this). */
  resultMinRetryAfterMs: 50,
} as const;

/**
 * The router (the history stream's consumer), as deployed. Its timeout bounds one stream batch's
 * routing, a 1,000-activity fan-out's messages included; no queue's visibility depends on it.
 */
export const ROUTER_FUNCTION = {
  timeoutSeconds: 60,
} as const;

/** Payloads larger than this go to the payload bucket; history keeps a reference. */
export const PAYLOAD_OFFLOAD_BYTES = 64 * 1024;
/** Payloads larger than this are refused with PayloadTooLargeError. */
export const PAYLOAD_HARD_CAP_BYTES = 10 * 1024 * 1024;
