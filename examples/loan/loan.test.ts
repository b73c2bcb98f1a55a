import { WorkflowFailedError } from 'cairnflow/client';
import { ActivityFailure, ApplicationFailure } from 'cairnflow/common';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../../test/support/env.ts';
import { createLoanActivities } from './activities.ts';
import * as workflows from './workflows.ts';
import { type LoanApplication, loanApplication } from './workflows.ts';

const alice: LoanApplication = {
  applicationId: 'app-1',
  applicant: { name: 'alice', ssn: '123-45-6789', email: 'alice@example.com' },
  amount: 25_000,
};
const bob: LoanApplication = {
  ...alice,
  applicationId: 'app-2',
  applicant: { ...alice.applicant, name: 'bob' },
};

async function setup(flakyCalls = 0) {
  const outbox: { to: string }[] = [];
  const activities = createLoanActivities({ scores: { alice: 720, bob: 610 }, flakyCalls }, outbox as never);
  const env = await testEnv({ workers: [{ taskQueue: 'loans', workflows, activities }] });
  return { env, outbox };
}

describe('loan application', () => {
  it('approves a good credit score and notifies the applicant', async () => {
    const { env, outbox } = await setup();
    const decision = await env.client.workflow.execute(loanApplication, {
      taskQueue: 'loans',
      workflowId: 'loan-alice',
      args: [alice],
    });
    expect(decision).toEqual({ approved: true, reason: 'Approved for 25000', creditScore: 720 });
    expect(outbox).toHaveLength(1);
  });

  it('rejects a score below 650', async () => {
    const { env } = await setup();
    const decision = await env.client.workflow.execute(loanApplication, {
      taskQueue: 'loans',
      workflowId: 'loan-bob',
      args: [bob],
    });
    expect(decision).toMatchObject({
      approved: false,
      reason: 'Credit score below threshold',
      creditScore: 610,
    });
  });

  it('absorbs a credit bureau failing twice: attempt 3 succeeds after 1 s and 2 s of backoff', async () => {
    const { env } = await setup(2);
    const handle = await env.client.workflow.start(loanApplication, {
      taskQueue: 'loans',
      workflowId: 'loan-flaky',
      args: [alice],
    });
    expect(await handle.result()).toMatchObject({ approved: true });
    const { events } = await handle.fetchHistory();
    const scheduled = events.find(
      (e) => e.type === 'ActivityTaskScheduled' && e.activityType === 'getCreditScore',
    )!;
    const attempts = events.filter(
      (e) =>
        'scheduledEventId' in e &&
        e.scheduledEventId === scheduled.eventId &&
        e.type !== 'ActivityTaskStarted',
    );
    expect(attempts.map((e) => e.type)).toEqual([
      'ActivityTaskFailed',
      'ActivityTaskFailed',
      'ActivityTaskCompleted',
    ]);
    const started = events.filter(
      (e) => e.type === 'ActivityTaskStarted' && e.scheduledEventId === scheduled.eventId,
    );
    expect(started.map((e) => (e.type === 'ActivityTaskStarted' ? e.attempt : 0))).toEqual([1, 2, 3]);
    const gaps = [
      started[1]!.eventTime - started[0]!.eventTime,
      started[2]!.eventTime - started[1]!.eventTime,
    ];
    expect(gaps).toEqual([1000, 2000]);
  });

  it('fails with the cause chain when the bureau stays down past maximumAttempts', async () => {
    const { env } = await setup(5);
    const run = env.client.workflow.execute(loanApplication, {
      taskQueue: 'loans',
      workflowId: 'loan-down',
      args: [alice],
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ActivityFailure);
    expect((cause as ActivityFailure).retryState).toBe('MaximumAttemptsReached');
    expect(cause.cause).toBeInstanceOf(ApplicationFailure);
    expect((cause.cause as ApplicationFailure).type).toBe('BureauUnavailable');
  });

  it('does not retry a non-retryable error type', async () => {
    const { env } = await setup();
    const bad = { ...alice, applicant: { ...alice.applicant, ssn: 'nope' } };
    const handle = await env.client.workflow.start(loanApplication, {
      taskQueue: 'loans',
      workflowId: 'loan-bad-id',
      args: [bad],
    });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const { events } = await handle.fetchHistory();
    expect(events.filter((e) => e.type === 'ActivityTaskStarted')).toHaveLength(1);
    const failed = events.find((e) => e.type === 'ActivityTaskFailed');
    expect(failed).toMatchObject({ retryState: 'NonRetryableFailure' });
  });
});
