import type { ApprovalStatus } from './workflows.ts';

export function createApprovalActivities(ledger: { requestId: string; status: ApprovalStatus }[] = []) {
  return {
    async recordDecision(requestId: string, status: ApprovalStatus): Promise<void> {
      ledger.push({ requestId, status });
    },
  };
}
