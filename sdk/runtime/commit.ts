import type { AppendRequest, NewRun, RunRef } from '../backend/ports.ts';
import { HistoryConflictError, WorkflowNotFoundError } from '../common/errors.ts';
import type { HistoryEvent } from '../engine/events.ts';
import { numberEvents, type PendingEvent } from '../engine/pending-events.ts';
import { applyEvents, type RunState } from '../engine/run-state.ts';
import type { RuntimeDeps } from './deps.ts';

export type { PendingEvent } from '../engine/pending-events.ts';
export { numberEvents } from '../engine/pending-events.ts';

/** What a commit plan returns: the events to append, and optionally a run to create with them. */
export interface CommitPlan {
  events: PendingEvent[];
  newRun?: (closing: RunState, closingEvents: HistoryEvent[]) => NewRun;
}

export interface Committed {
  events: HistoryEvent[];
  state: RunState;
  previous: RunState;
}

/** Conflicts tolerated before a commit gives up and lets its task be redelivered. */
export const MAX_COMMIT_ATTEMPTS = 30;

/**
 * A short random pause after a lost race, growing with the attempt, so writers contending for one
 * run's head spread out instead of colliding again in lockstep. A writer whose every try is dear
 * (a workflow task replays the run) waits longer: `{ baseMs: 25, capMs: 2_000 }`.
 */
export function conflictBackoff(attempt: number, { baseMs = 5, capMs = 250 } = {}): Promise<void> {
  const ms = Math.random() * Math.min(baseMs * 2 ** attempt, capMs);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Builds the append request for `events` on top of `state`. */
export function appendRequest(state: RunState, events: HistoryEvent[], newRun?: NewRun): AppendRequest {
  return {
    namespace: state.namespace,
    runId: state.runId,
    expectedNextEventId: state.nextEventId,
    events,
    state: applyEvents(state, events),
    newRun,
  };
}

/**
 * The one write path for engine-side changes: reads the run, asks `plan` what to append given its
 * state, and appends conditionally on the head it read. A lost race re-reads and re-plans; it never
 * merges blindly. Returns undefined when the plan decides there is nothing to do.
 */
export async function commitToRun(
  deps: RuntimeDeps,
  ref: Pick<RunRef, 'namespace' | 'runId'> & { workflowId?: string },
  plan: (state: RunState, now: number) => CommitPlan | undefined,
): Promise<Committed | undefined> {
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const state = await deps.store.getRun(ref.namespace, ref.runId);
    if (!state) {
      throw new WorkflowNotFoundError(
        `Run ${ref.runId} not found in namespace ${ref.namespace}`,
        ref.workflowId ?? '',
        ref.runId,
      );
    }
    const now = deps.clock.now();
    const decided = plan(state, now);
    if (!decided || decided.events.length === 0) return undefined;
    const events = numberEvents(decided.events, state.nextEventId, now);
    const request = appendRequest(state, events);
    if (decided.newRun) request.newRun = decided.newRun(request.state, events);
    try {
      await deps.store.append(request);
      return { events, state: request.state, previous: state };
    } catch (error) {
      if (!(error instanceof HistoryConflictError)) throw error;
      await conflictBackoff(attempt);
    }
  }
  throw new HistoryConflictError(
    `Run ${ref.runId} kept changing; gave up after ${MAX_COMMIT_ATTEMPTS} attempts`,
  );
}

/** Reads a whole history (all pages). */
export async function readFullHistory(
  deps: Pick<RuntimeDeps, 'store'>,
  namespace: string,
  runId: string,
  fromEventId = 1,
) {
  const events: HistoryEvent[] = [];
  let pageToken: string | undefined;
  do {
    const page = await deps.store.readHistory(namespace, runId, fromEventId, pageToken);
    events.push(...page.events);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return events;
}

/** Reads one event by id. */
export async function readEvent(
  deps: Pick<RuntimeDeps, 'store'>,
  namespace: string,
  runId: string,
  eventId: number,
) {
  const page = await deps.store.readHistory(namespace, runId, eventId);
  const event = page.events[0];
  if (!event || event.eventId !== eventId) throw new RangeError(`Event ${eventId} of run ${runId} not found`);
  return event;
}
