/**
 * More signals sent at once to one workflow than one conflict-free round can take: every one is
 * recorded. Lost races on the run's head re-read and retry after a jittered pause
 * (`conflictBackoff`), so concurrent writers spread out instead of colliding in lockstep.
 * Found by the property test (which once lost signals here).
 */
import { TestWorkflowEnvironment } from 'cairnflow/testing';
import { condition, defineQuery, defineSignal, setHandler } from 'cairnflow/workflow';
import { expect, it } from 'vitest';
// Internal on purpose: more writers than one bound of retries.
import { MAX_COMMIT_ATTEMPTS } from '../../sdk/runtime/commit.ts';

const ping = defineSignal('ping');
const pings = defineQuery<number>('pings');

/** Counts pings, forever. */
async function countsPings(): Promise<void> {
  let count = 0;
  setHandler(ping, () => {
    count += 1;
  });
  setHandler(pings, () => count);
  await condition(() => false);
}

it('records every one of many signals sent concurrently', async () => {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workers: [{ taskQueue: 'repro', workflows: { countsPings } }],
  });
  try {
    const handle = await env.client.workflow.start(countsPings, { taskQueue: 'repro', workflowId: 'pings' });
    await env.sleep(0);
    const writers = 2 * MAX_COMMIT_ATTEMPTS;
    const sent = await Promise.allSettled(Array.from({ length: writers }, () => handle.signal(ping)));
    const failures = sent.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []));
    await env.sleep(0);
    expect(failures).toEqual([]);
    expect(await handle.query(pings)).toBe(writers);
  } finally {
    await env.teardown();
  }
});
