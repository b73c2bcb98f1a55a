import type { TypedSearchAttributes } from '../common/typed-search-attributes.ts';
import type { ParentRef, SearchAttributes } from './events.ts';

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
