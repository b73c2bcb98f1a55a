import type { WorkflowIdReusePolicyName } from './events.ts';
import type { ExecutionStatus } from './run-state.ts';

/**
 * Whether a new run may claim a workflow id whose latest run has `status`. Stores evaluate this
 * inside their atomic claim, never as a read-then-write.
 */
export function mayReuseWorkflowId(
  policy: WorkflowIdReusePolicyName,
  status: ExecutionStatus | undefined,
): boolean {
  if (status === undefined) return true;
  if (status === 'Running') return policy === 'TERMINATE_IF_RUNNING';
  switch (policy) {
    case 'ALLOW_DUPLICATE':
    case 'TERMINATE_IF_RUNNING':
      return true;
    case 'ALLOW_DUPLICATE_FAILED_ONLY':
      return status !== 'Completed';
    case 'REJECT_DUPLICATE':
      return false;
    default: {
      const unknown: never = policy;
      throw new TypeError(`Unknown workflow id reuse policy ${String(unknown)}`);
    }
  }
}
