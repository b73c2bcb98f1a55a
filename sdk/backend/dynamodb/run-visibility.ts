import { type HistoryEvent, isCloseEvent } from '../../engine/events.ts';
import type { RunState } from '../../engine/run-state.ts';
import type { CommittedBatch } from '../ports.ts';
import { summarizeRun } from '../run-summary.ts';
import { type BatchWriter, batchExpiry, type PreparedBatch } from './batch-writer.ts';
import { claimListsRun } from './claim.ts';
import type { Item, WritePurpose } from './metered-client.ts';
import { visibilityAttributes } from './visibility.ts';

/**
 * Whether a committed batch needs the run's visibility record written: a search-attribute upsert
 * always (only the record shows them), a close only when the workflow-id claim no longer names the
 * run. A close changes no more than the status, close time and history length, which a list reads
 * from the run's head (`listRuns`), so while the claim lists the run (or the record its start
 * wrote does), the close costs no write of its own. Only a close that moved the claim in the same
 * write (continue-as-new, a start's TERMINATE_IF_RUNNING) must leave a record behind: nothing else
 * would list the run. A start's batch is settled by {@link RunVisibility.settle} against its claim.
 */
export function recordChange(
  events: HistoryEvent[],
): 'upsert' | 'claimMoved' | 'claimMayHaveMoved' | undefined {
  if (events.some((event) => event.type === 'UpsertWorkflowSearchAttributes')) return 'upsert';
  const close = events.find(isCloseEvent);
  if (close?.type === 'WorkflowExecutionContinuedAsNew') return 'claimMoved';
  // Only a termination can come with a start that takes the claim over (terminationByStart).
  if (close?.type === 'WorkflowExecutionTerminated') return 'claimMayHaveMoved';
  return undefined;
}

/**
 * Whether a committed batch may need the run's visibility record written ({@link recordChange}, or
 * a start whose claim does not list it): what the router's {@link RunVisibility.settle} checks.
 * A batch without is one the router need not see for visibility's sake (`routerIdle`).
 */
export function mayNeedRecord(batch: Pick<CommittedBatch, 'state' | 'events'>, retentionMs: number): boolean {
  const { state, events } = batch;
  if (recordChange(events) !== undefined) return true;
  // A run's first batch is listed by the claim its own write put, if that fits one unit.
  return (
    events.some((event) => event.type === 'WorkflowExecutionStarted') &&
    !claimVisibility(state, batchExpiry(state, events, retentionMs))
  );
}

/**
 * The DynamoDB store's visibility records (`visibility.ts`), kept up to date after the batches that
 * change what a list cannot read from a run's head: the committer writes them right after its
 * commit ({@link show}), and the router repairs a record its committer did not get to
 * ({@link settle}). A run's start needs none where the claim its write puts lists it
 * ({@link claimVisibility}), and a close none while that claim still names the run
 * ({@link recordChange}).
 */
export class RunVisibility {
  constructor(
    private readonly writer: BatchWriter,
    private readonly retentionMs: number,
    /** The run the workflow id's claim names now (a strongly consistent read). */
    private readonly claimHolder: (namespace: string, workflowId: string) => Promise<string | undefined>,
  ) {}

  /**
   * Brings the visibility records of committed batches up to date, after the commit (so no run is
   * shown closed before its close is). The commit has happened whatever this does: should it fail
   * or its invocation die, the router writes the record from the batch's stream record instead
   * ({@link settle}), so a failure here is not the caller's.
   */
  async show(batches: (PreparedBatch | undefined)[], purpose: WritePurpose): Promise<void> {
    await Promise.all(
      batches.map(async (batch) => {
        if (!batch) return;
        try {
          await this.writer.putVisibility(batch.summary, batch.expiresAt, purpose);
        } catch {
          // The router's settle repairs it from the stream (see above).
        }
      }),
    );
  }

  /**
   * The router's half: a committed batch that needs the run's record (a start its claim does not
   * list, {@link recordChange}) is checked against the record, which its committer writes right
   * after the commit; if that writer died or failed in between, the record is written here from the
   * batch. Costs one eventually consistent read per such batch (and a termination one read of the
   * claim); a stale read costs a redundant put at most.
   */
  async settle(batch: CommittedBatch): Promise<void> {
    const { namespace, workflowId, runId, state, events } = batch;
    if (!mayNeedRecord(batch, this.retentionMs)) return;
    const expiresAt = batchExpiry(state, events, this.retentionMs);
    if (
      recordChange(events) === 'claimMayHaveMoved' &&
      (await this.claimHolder(namespace, workflowId)) === runId
    ) {
      return;
    }
    if ((await this.writer.visibleEventId(namespace, runId)) >= state.nextEventId - 1) return;
    const summary = await this.writer.summaryOf(state);
    await this.writer.putVisibility(summary, expiresAt, 'visibility');
  }
}

/**
 * The visibility attributes a new run's claim carries (`visibility.ts`), or undefined when they
 * would take the claim past one write unit (`claimListsRun`): then the run's start writes a
 * visibility record after its commit. The committer decides on the run's state with large payloads
 * offloaded, the router on the state as read back, never smaller: so whenever the committer wrote
 * no record, the router does not skip one either (at worst it writes one more than needed).
 */
export function claimVisibility(state: RunState, expiresAt: Item): Item | undefined {
  const visibility = visibilityAttributes(summarizeRun(state));
  return claimListsRun(state, expiresAt, visibility) ? visibility : undefined;
}
