import type { CairnFailure } from '../common/failures.ts';
import type { WorkflowTaskFailureCause } from '../common/wire/workflow-task-failure.ts';

/**
 * What a waiting `result()` / `execute()` learns when the run's workflow task keeps failing (or one
 * of its tasks was set aside): the run is open, nothing moves, and this is why.
 */
export interface WorkflowTaskFailureReport {
  workflowId: string;
  runId: string;
  /**
   * What kind of failure: workflow code threw (`WorkflowError`), replay diverged from history
   * (`NonDeterminism`), the worker has no such workflow (`UnknownWorkflowType`), a task was
   * dead-lettered (`DeadLettered`) or no worker serves its task queue (`UnknownTaskQueue`).
   */
  cause: WorkflowTaskFailureCause;
  /** Failed attempts of the task so far. */
  attempt: number;
  /** The failure with its message, type, stack and cause chain. */
  failure: CairnFailure;
  time: Date;
}

/**
 * Called by a waiting `result()` / `execute()` once per distinct failure of the run's workflow task
 * (a new cause or message; not every retry). It may throw: `result()` then rejects with that error
 * and stops waiting. Return normally to keep waiting, since a deploy of fixed code heals the run.
 */
export type WorkflowTaskFailureHandler = (report: WorkflowTaskFailureReport) => void | Promise<void>;

/**
 * The default handler: one warning on stderr per distinct failure, so a wait that cannot finish is
 * never silent.
 *
 * @example
 * new Client({ endpoint, onWorkflowTaskFailure: (report) => { throw report.failure; } }); // fail fast instead
 */
export const warnOnWorkflowTaskFailure: WorkflowTaskFailureHandler = (report) => {
  console.warn(`Cairn: ${formatWorkflowTaskFailure(report)}`);
};

/** One line saying which run is stuck, why, and where to look. */
export function formatWorkflowTaskFailure(report: WorkflowTaskFailureReport): string {
  const type = (report.failure as { type?: unknown }).type;
  const message = `${typeof type === 'string' ? `${type}: ` : ''}${report.failure.message}`;
  const why =
    report.cause === 'UnknownTaskQueue' || report.cause === 'DeadLettered'
      ? `a task of it was set aside (${report.cause})`
      : `its workflow task keeps failing (${report.cause}, attempt ${report.attempt})`;
  return (
    `workflow ${report.workflowId} (run ${report.runId}) is still running, but ${why}: ${message}. ` +
    'Still waiting; `describe` shows the details.'
  );
}
