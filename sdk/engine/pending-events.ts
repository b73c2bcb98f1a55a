import type { EventBody, HistoryEvent } from './events.ts';
import type { RunState } from './run-state.ts';

/** An event body to append, optionally with its own time (e.g. when an activity attempt started). */
export type PendingEvent = EventBody & { eventTime?: number };

/** Gives bodies their gap-free ids, starting at `firstEventId`. */
export function numberEvents(
  bodies: readonly PendingEvent[],
  firstEventId: number,
  now: number,
): HistoryEvent[] {
  return bodies.map(
    (body, i) => ({ ...body, eventId: firstEventId + i, eventTime: body.eventTime ?? now }) as HistoryEvent,
  );
}

/**
 * What wakes the workflow after something happened to its run (an activity outcome, a fired timer,
 * a signal): a workflow task, unless one is already scheduled (it will see the news too).
 */
export function wakeIfIdle(state: RunState): PendingEvent[] {
  return state.workflowTask ? [] : [{ type: 'WorkflowTaskScheduled', attempt: 1 }];
}
