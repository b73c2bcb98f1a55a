import type { HistoryStore } from '../backend/ports.ts';
import type { HistoryEvent } from '../engine/events.ts';
import type { RunState } from '../engine/run-state.ts';
import { readFullHistory } from '../runtime/commit.ts';
import type { WorkerRegistry } from '../runtime/worker-registry.ts';
import { checkHistoryInvariants } from './invariants.ts';
import { replayWithStoredConverter } from './replay.ts';

/** Every run of `namespace` in `store`, with its full (stored) history. */
export async function storedHistories(
  store: HistoryStore,
  namespace: string,
): Promise<{ state: RunState; events: HistoryEvent[] }[]> {
  const found: { state: RunState; events: HistoryEvent[] }[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.listRuns(namespace, () => true, 100, pageToken);
    for (const run of page.runs) {
      const state = await store.getRun(namespace, run.runId);
      if (state) found.push({ state, events: await readFullHistory({ store }, namespace, run.runId) });
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  return found;
}

/**
 * Checks one run's history: its invariants, and that it replays with the registered workflow code
 * (`worker`, if one registers the run's type). A run stuck on a failing workflow task was meant to
 * be (e.g. a determinism test) if its replay fails: it must fail at the recorded task. Returns the
 * problems found, each labelled with the run.
 */
export async function verifyHistory(
  store: HistoryStore,
  { state, events }: { state: RunState; events: HistoryEvent[] },
  worker: WorkerRegistry | undefined,
): Promise<string[]> {
  const label = `${state.workflowType} ${state.workflowId}/${state.runId}`;
  const problems = checkHistoryInvariants(events).map((problem) => `${label}: ${problem}`);
  if (!worker?.workflows.has(state.workflowType)) return problems;
  const decoded = await worker.codec.decode(events);
  try {
    await replayWithStoredConverter(
      { workflows: Object.fromEntries(worker.workflows), converter: worker.converter, runId: state.runId },
      decoded,
    );
  } catch (error) {
    const stuck = await store.getWorkflowTaskFailure(state.namespace, state.runId);
    if (!stuck || stuck.eventId !== state.workflowTask?.scheduledEventId) {
      problems.push(`${label}: replay failed: ${(error as Error).message}`);
    }
  }
  return problems;
}
