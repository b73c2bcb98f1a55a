import { log, proxyActivities } from 'cairnflow/workflow';
import type { createLoanActivities } from './activities.ts';

export interface LoanApplication {
  applicationId: string;
  applicant: { name: string; ssn: string; email: string };
  amount: number;
}

export interface LoanDecision {
  approved: boolean;
  reason: string;
  creditScore?: number;
}

const { verifyIdentity, getCreditScore, notifyApplicant } = proxyActivities<
  ReturnType<typeof createLoanActivities>
>({
  startToCloseTimeout: '10 minutes',
  // The credit bureau is flaky: three attempts, one second apart and doubling.
  retry: { maximumAttempts: 3, initialInterval: '1 second', nonRetryableErrorTypes: ['IdentityRejected'] },
});

/** The seed's loan application: verify identity, score credit, reject below 650, notify. */
export async function loanApplication(application: LoanApplication): Promise<LoanDecision> {
  const identity = await verifyIdentity(application.applicant);
  log.info('identity verified', { applicationId: application.applicationId, reference: identity.reference });
  const creditScore = await getCreditScore(application.applicant);
  const decision: LoanDecision =
    creditScore < 650
      ? { approved: false, reason: 'Credit score below threshold', creditScore }
      : { approved: true, reason: `Approved for ${application.amount}`, creditScore };
  await notifyApplicant(application.applicant.email, decision);
  return decision;
}
