import type { UpdateDecision } from './activator.ts';
import type { PendingEvent } from './pending-events.ts';
import type { RunState } from './run-state.ts';

/**
 * The rejections a workflow task records for admitted updates (update-with-start) its validators
 * refused: an admitted update is in history already, so its outcome must be too, or a client
 * waiting on it could not tell a rejection from an update still waiting for its task. Ordinary
 * updates leave no trace when rejected, as in Temporal.
 */
export function admittedRejections(state: RunState, decisions: readonly UpdateDecision[]): PendingEvent[] {
  const admitted = state.admittedUpdates ?? {};
  return decisions.flatMap((decision) =>
    !decision.accepted && admitted[decision.updateId] !== undefined
      ? [
          {
            type: 'WorkflowExecutionUpdateRejected' as const,
            updateId: decision.updateId,
            admittedEventId: admitted[decision.updateId]!,
            failure: decision.failure,
          },
        ]
      : [],
  );
}
