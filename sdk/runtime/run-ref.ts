import type { RunRef } from '../backend/ports.ts';

/**
 * The `RunRef` of a run's state (or of anything else that names a run: a committed batch, a
 * task's ref): just the three fields that identify it, so the ref carries nothing more.
 */
export function runRefOf({ namespace, workflowId, runId }: RunRef): RunRef {
  return { namespace, workflowId, runId };
}
