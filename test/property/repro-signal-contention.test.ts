/**
 * KNOWN ENGINE BUG — minimal reproduction, found while building test/property/engine.property.test.ts
 * (its `burst` steps stay at five concurrent signals for this reason).
 *
 * More signals sent at once to one workflow than `MAX_COMMIT_ATTEMPTS`: some fail with
 * `HistoryConflictError` ("kept changing; gave up after N attempts") and are not recorded, though
 * the workflow is open and nothing is wrong with them. Temporal never fails a signal for contention.
 *
 * Cause: `commitToRun` (sdk/runtime/commit.ts), the write path of signals, cancels and terminations,
 * re-reads and retries a lost conditional append at once, at most `MAX_COMMIT_ATTEMPTS` times.
 * Concurrent writers retry in lockstep, so each round lets exactly one through: with k writers the
 * last k − MAX_COMMIT_ATTEMPTS give up (with 8 attempts, 9 concurrent signals already lose one). The
 * client does not retry the error either (over HTTP a 503 marked retryable, which no client code
 * acts on). The workflow-task path has meanwhile gained a jittered `conflictBackoff`; this one has not.
 *
 * Suggested fix: use `conflictBackoff` in `commitToRun` too, bound the retries by a deadline rather
 * than a count, and have the client retry the retryable 503 / `HistoryConflictError` (safe for a
 * signal once it carries a request id the engine deduplicates).
 *
 * The test pins the CURRENT, WRONG behaviour, so it passes while the bug is present and fails once
 * it is fixed: then replace the `BUG` expectation with the commented expected one.
 */
import { TestWorkflowEnvironment } from 'cairn/testing';
import { condition, defineQuery, defineSignal, setHandler } from 'cairn/workflow';
import { expect, it } from 'vitest';
// Internal on purpose: the bug is about this bound.
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

it('BUG: fails some signals sent concurrently with HistoryConflictError', async () => {
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
    // Expected: expect(failures).toEqual([]); expect(await handle.query(pings)).toBe(writers);
    expect(failures.length, 'BUG: signals lost to contention').toBeGreaterThan(0);
    expect(failures.map((error) => error.name)).toEqual(failures.map(() => 'HistoryConflictError'));
    expect(await handle.query(pings)).toBe(writers - failures.length);
  } finally {
    await env.teardown();
  }
});
