import { ApplicationFailure, activityInfo } from 'cairnflow/activity';
import type { LoanApplication, LoanDecision } from './workflows.ts';

/** A stand-in credit bureau: scores by name, failing the first `flakyCalls` calls per applicant. */
export interface CreditBureau {
  scores: Record<string, number>;
  flakyCalls?: number;
}

/** Builds the loan activities over in-memory services (swap in real clients in production). */
export function createLoanActivities(
  bureau: CreditBureau,
  outbox: { to: string; decision: LoanDecision }[] = [],
) {
  const calls = new Map<string, number>();
  return {
    async verifyIdentity(applicant: LoanApplication['applicant']): Promise<{ reference: string }> {
      if (!/^\d{3}-\d{2}-\d{4}$/.test(applicant.ssn)) {
        throw ApplicationFailure.nonRetryable(
          `Identity of ${applicant.name} could not be verified`,
          'IdentityRejected',
        );
      }
      return { reference: `id-${applicant.ssn.slice(-4)}` };
    },
    async getCreditScore(applicant: LoanApplication['applicant']): Promise<number> {
      const count = (calls.get(applicant.name) ?? 0) + 1;
      calls.set(applicant.name, count);
      if (count <= (bureau.flakyCalls ?? 0)) {
        throw ApplicationFailure.retryable(
          `Credit bureau unavailable (attempt ${activityInfo().attempt})`,
          'BureauUnavailable',
        );
      }
      const score = bureau.scores[applicant.name];
      if (score === undefined)
        throw ApplicationFailure.nonRetryable(`No credit file for ${applicant.name}`, 'NoCreditFile');
      return score;
    },
    async notifyApplicant(to: string, decision: LoanDecision): Promise<void> {
      outbox.push({ to, decision });
    },
  };
}
