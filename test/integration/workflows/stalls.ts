// Workflows that stall: for the tests that show a stalled run says why (test/**/stalls.test.ts).
import { defineQuery, proxyActivities, setHandler, sleep } from 'cairnflow/workflow';

export interface StallActivities {
  echo(text: string): Promise<string>;
  /** Reads a field of an argument that is missing: a TypeError, as a buggy activity throws. */
  readSsn(applicant?: { ssn: string }): Promise<string>;
}

export const progress = defineQuery<string>('progress');

const { echo, readSsn } = proxyActivities<StallActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
});

export async function echoOnce(text: string): Promise<string> {
  return echo(text);
}

/** Schedules an activity on a task queue that no worker serves. */
export async function callsElsewhere(taskQueue: string): Promise<string> {
  const elsewhere = proxyActivities<StallActivities>({ startToCloseTimeout: '10 seconds', taskQueue });
  return elsewhere.echo('lost');
}

/** Network I/O in workflow code: its workflow task fails on every attempt. */
export async function usesFetch(): Promise<string> {
  setHandler(progress, () => 'about to fetch');
  await fetch('http://127.0.0.1:1/');
  return 'unreachable';
}

/** Fails with an ActivityFailure whose cause is the activity's TypeError. */
export async function failsInActivity(): Promise<string> {
  return readSsn(undefined);
}

/** Sleeps, then calls an activity (a later version of the code calls another one first). */
export async function sleepThenEcho(text: string): Promise<string> {
  await sleep('1 hour');
  return echo(text);
}
