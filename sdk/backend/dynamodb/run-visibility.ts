import type { RunState } from '../../engine/run-state.ts';
import type { CommittedBatch } from '../ports.ts';
import { changesVisibility, summarizeRun } from '../run-summary.ts';
import { type BatchWriter, batchExpiry, type PreparedBatch } from './batch-writer.ts';
import { claimListsRun } from './claim.ts';
import type { Item, WritePurpose } from './metered-client.ts';
import { visibilityAttributes } from './visibility.ts';

/**
 * The DynamoDB store's visibility records (`visibility.ts`), kept up to date after the batches that
 * change what a list shows: the committer writes them right after its commit ({@link show}), and
 * the router repairs a record its committer did not get to ({@link settle}). A run's start needs
 * neither where the claim its transaction writes lists it ({@link claimVisibility}).
 */
export class RunVisibility {
  constructor(
    private readonly writer: BatchWriter,
    private readonly retentionMs: number,
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
   * The router's half: a committed batch that changes what the run's record shows
   * (`changesVisibility`) is checked against the record, which its committer writes right after the
   * commit; if that writer died or failed in between, the record is written here from the batch.
   * Costs one eventually consistent read per such batch; a stale read costs a redundant put at most.
   */
  async settle(batch: CommittedBatch): Promise<void> {
    if (!changesVisibility(batch.events)) return;
    const { namespace, runId, state, events } = batch;
    const expiresAt = batchExpiry(state, events, this.retentionMs);
    // A run's first batch is listed by the claim its own transaction wrote, if that fits one unit.
    const later = events.filter((event) => event.type !== 'WorkflowExecutionStarted');
    if (!changesVisibility(later) && claimVisibility(state, expiresAt)) return;
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
