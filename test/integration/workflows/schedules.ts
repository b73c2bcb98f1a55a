// Workflows started by schedules and cron, used by test/integration/schedules*.test.ts.
import { ApplicationFailure, continueAsNew, executeChild, sleep, workflowInfo } from 'cairnflow/workflow';

/** Finishes at once, saying when it ran. */
export async function tick(label: string): Promise<string> {
  return `${label} at ${new Date(Date.now()).toISOString()}`;
}

/** Runs for `ms` of workflow time. */
export async function busy(ms: number): Promise<string> {
  await sleep(ms);
  return 'done';
}

/** Always fails. */
export async function broken(): Promise<never> {
  throw ApplicationFailure.nonRetryable('broken on purpose', 'Broken');
}

/** A cron workflow's run: reports its workflow id and the time its code ran. */
export async function cronRun(): Promise<string> {
  return `${workflowInfo().workflowId} ran at ${new Date(Date.now()).toISOString()}`;
}

/** Starts `cronRun` as a cron child and waits for it (for ever, unless the chain ends). */
export async function cronParent(cronSchedule: string): Promise<string> {
  return executeChild(cronRun, { workflowId: 'cron-child', cronSchedule });
}

/** A cron run that continues as new once before it completes. */
export async function cronContinuing(round: number): Promise<string> {
  if (round === 0) await continueAsNew<typeof cronContinuing>(1);
  return `round ${round} at ${new Date(Date.now()).toISOString()}`;
}
