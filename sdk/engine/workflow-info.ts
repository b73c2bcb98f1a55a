import type { StoredPayloadConverter } from '../common/payload.ts';
import { type TypedSearchAttributes, typedFromRecord } from '../common/typed-search-attributes.ts';
import type { EventOf, ParentRef, SearchAttributes } from './events.ts';

/** What workflow code knows about its own run (`workflowInfo()`). */
export interface WorkflowInfo {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  namespace: string;
  /** Attempt of the run (1 unless a retry policy restarted it). */
  attempt: number;
  firstRunId: string;
  continuedFromRunId?: string;
  parent?: ParentRef;
  /** Number of events in history when the current workflow task started. */
  historyLength: number;
  /** Approximate size of the history in bytes when the current workflow task started. */
  historySize: number;
  /** True once history is long enough that the workflow should `continueAsNew`. */
  continueAsNewSuggested: boolean;
  startTime: Date;
  runStartTime: Date;
  searchAttributes: SearchAttributes;
  /** The same attributes as Temporal's `TypedSearchAttributes`, kept current by upserts. */
  readonly typedSearchAttributes: TypedSearchAttributes;
  memo: Record<string, unknown>;
  executionTimeoutMs?: number;
  runTimeoutMs?: number;
  /** True while replaying history (side-effect-free code paths only). */
  unsafe: { isReplaying: boolean };
}

/** Defaults Temporal uses for suggesting continue-as-new. */
export const CONTINUE_AS_NEW_SUGGESTED_EVENTS = 4096;
export const CONTINUE_AS_NEW_SUGGESTED_BYTES = 4 * 1024 * 1024;

/**
 * What a run's workflow code knows about it at the start, from its `WorkflowExecutionStarted`
 * event; the replayer keeps the per-task fields (history length and size, replaying) current.
 */
export function workflowInfoFrom(
  started: EventOf<'WorkflowExecutionStarted'>,
  namespace: string,
  runId: string,
  converter: StoredPayloadConverter,
): WorkflowInfo {
  return {
    workflowId: started.workflowId,
    runId,
    workflowType: started.workflowType,
    taskQueue: started.taskQueue,
    namespace,
    attempt: started.attempt,
    firstRunId: started.firstRunId,
    continuedFromRunId: started.continuedFromRunId,
    parent: started.parent,
    historyLength: 1,
    historySize: 0,
    continueAsNewSuggested: false,
    startTime: new Date(started.eventTime),
    runStartTime: new Date(started.eventTime),
    searchAttributes: { ...(started.searchAttributes ?? {}) },
    // Read from searchAttributes each time, so an upsert shows at once.
    get typedSearchAttributes() {
      return typedFromRecord(this.searchAttributes);
    },
    memo: Object.fromEntries(
      Object.entries(started.memo ?? {}).map(([k, v]) => [k, converter.fromPayload(v)]),
    ),
    executionTimeoutMs: started.workflowExecutionTimeoutMs,
    runTimeoutMs: started.workflowRunTimeoutMs,
    unsafe: { isReplaying: false },
  };
}
