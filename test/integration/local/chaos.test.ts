// A seeded chaos run in CI (docs/chaos.md): ~100 mixed workflows, one of them a 1,000-activity
// fan-out, on the local stack while the fault injector crashes invocations, duplicates, delays and
// reorders messages and stream records, expires visibility timeouts, throttles DynamoDB and S3 and
// times out writes that landed. Every workflow must end with its expected result, every history
// pass the invariants and replay, and nothing may be left open, queued or dead-lettered.
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../../../local/fault-injector.ts';
import { runChaos } from '../../chaos/run.ts';

describe('the chaos run', () => {
  it('completes 100 seeded workflows correctly under every kind of injected fault', async () => {
    // Sized for CI: a 200-activity fan-out (the CLI's default is 1,000), and the rarer seams' rates
    // raised so that each kind of fault strikes in a run this small.
    const { summary, problems } = await runChaos({
      seed: 7,
      workflows: 100,
      fanOut: 200,
      deadlineMs: 150_000,
      rates: { crash: 0.015, delayStreamBatch: 0.1, duplicateStreamBatch: 0.08, throttleS3: 0.1 },
    });
    console.log(JSON.stringify(summary));
    expect(problems).toEqual([]);
    expect(summary).toMatchObject({ started: 100, completed: 100, correct: 100, violations: 0, stuck: 0 });
    expect(summary).toMatchObject({
      messagesLeft: 0,
      deadLettered: 0,
      discardedStreamRecords: 0,
      passed: true,
    });
    // Not vacuous: every kind of fault was injected at least once.
    const missing = FAULT_KINDS.filter((kind) => summary.faults[kind] === 0);
    expect(missing).toEqual([]);
    // The long timers went through the due-time index and the sweeper: the clock had to jump.
    expect(summary.clockJumps).toBeGreaterThan(0);
  }, 240_000);
});
