import type { HistoryEvent } from '../engine/events.ts';
import type { RunState } from '../engine/run-state.ts';
import type { CommittedBatch } from './ports.ts';

/** The batch of `events` that left a run at `state`, as the router sees it (its ids from the state). */
export function committedBatch(events: HistoryEvent[], state: RunState): CommittedBatch {
  const { namespace, workflowId, runId, taskQueue } = state;
  return { namespace, workflowId, runId, taskQueue, events, state };
}
