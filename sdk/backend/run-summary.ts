import type { RunState } from '../engine/run-state.ts';
import type { RunSummary } from './ports.ts';

/** What `list` and `describe` show of a run, from its state. Every store and the service use this one. */
export function summarizeRun(state: RunState): RunSummary {
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
