// Workflows and activities of the dead-letter tests (test/integration/local/dlq.test.ts).
import { proxyActivities } from 'cairnflow/workflow';

export interface VaultActivities {
  reveal(secret: string): Promise<string>;
}

// The vault's worker serves its own task queue; a long start-to-close timeout keeps the engine from
// retrying the attempt while its message is redelivered and dead-lettered.
const vault = proxyActivities<VaultActivities>({
  taskQueue: 'dlq-vault',
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '200ms', maximumAttempts: 3 },
});

/** Hands a secret to the vault's activity and returns what it says. */
export async function revealSecret(secret: string): Promise<string> {
  return vault.reveal(secret);
}
