/**
 * Property: whatever a client does to a running workflow, and in whatever order, the engine keeps
 * its histories sound and the workflow behaves as a reference model computed from the scenario says.
 *
 * fast-check draws a scenario: the input of the model workflow (./model-workflow.ts: its rounds and
 * its cleanup, each activity call scripted attempt by attempt: succeed / fail retryable / fail
 * non-retryable / hang past its start-to-close timeout) and a list of client steps (deposit and
 * finish signals, concurrent bursts of deposits, the reserve update, cancel, terminate, env.sleep,
 * query). Each scenario gets a fresh time-skipping environment. After every step everything due is
 * settled and checked: every run's history (gap-free ids, each activity / timer / update resolved at
 * most once, one close event exactly when closed, no failed workflow task, identical commands on
 * replay), the virtual clock, the run's status and its `snapshot` query against a reference model
 * computed from the scenario alone. Finally the workflow is driven to its close and its result checked.
 *
 * Replaying a failure: fast-check prints `seed` and `path` of the counterexample. Run
 *   CAIRN_PROPERTY_SEED=<seed> CAIRN_PROPERTY_PATH=<path> npx vitest run test/property/engine.property.test.ts
 * to replay exactly that scenario. Other knobs: CAIRN_PROPERTY_RUNS (number of scenarios, default 100),
 * CAIRN_PROPERTY_SHRINK=1 (shrink a failure to a smaller scenario instead of stopping at the first).
 */
import { Context } from 'cairnflow/activity';
import {
  WorkflowExecutionClosedError,
  WorkflowFailedError,
  type WorkflowHandle,
  WorkflowUpdateFailedError,
} from 'cairnflow/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure } from 'cairnflow/common';
import { checkHistoryInvariants, replayHistory, TestWorkflowEnvironment } from 'cairnflow/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holdsEagerClaim } from '../../sdk/engine/eager-activities.ts';
import { applyEvents, initialRunState } from '../../sdk/engine/run-state.ts';
import * as workflows from './model-workflow.ts';
import {
  type ActivityResult,
  type ActivityScript,
  type AttemptOutcome,
  deposit,
  finish,
  type ModelActivities,
  type ModelInput,
  type ModelState,
  modelWorkflow,
  type ReserveResult,
  type Round,
  type RoundResult,
  reserve,
  SCRIPTED_ACTIVITY,
  snapshot,
} from './model-workflow.ts';

const TASK_QUEUE = 'property';
/** Real time one client step (or the settling after it) may take before the run counts as hung. */
const STEP_DEADLINE_MS = 5_000;

type Step =
  | { kind: 'deposit'; amount: number }
  | { kind: 'finish' }
  | { kind: 'reserve'; amount: number; script: ActivityScript }
  | { kind: 'cancel' }
  | { kind: 'terminate' }
  | { kind: 'sleep'; ms: number }
  | { kind: 'query' }
  /** Deposits sent all at once with a query among them: concurrent writers and a concurrent reader. */
  | { kind: 'burst'; amounts: number[] }
  /**
   * A deposit, then `followedBy` at once, without letting the engine settle: it may meet the deposit's
   * workflow task still pending (an update or a query on a run with work queued). `followedBy` is drawn
   * only from steps whose outcome does not depend on which comes first.
   */
  | { kind: 'racingDeposit'; amount: number; followedBy: Step };

interface Scenario {
  input: ModelInput;
  steps: Step[];
  /** The worker's eager execution: 0 sends every activity through the queue. */
  maxEagerActivities: number;
}

// ---- the activity: does what the scenario scripted for this attempt ----------------------------

const activities: ModelActivities = {
  async scripted(script, label) {
    const context = Context.current();
    const { attempt } = context.info;
    const outcome = script[attempt - 1] ?? 'succeed';
    const message = `${label} attempt ${attempt}: ${outcome}`;
    switch (outcome) {
      case 'succeed':
        return attempt;
      case 'failRetryable':
        throw ApplicationFailure.create({ message, type: 'Flaky' });
      case 'failFatalType':
        throw ApplicationFailure.create({ message, type: SCRIPTED_ACTIVITY.fatalType });
      case 'failNonRetryable':
        throw ApplicationFailure.nonRetryable(message, 'Rejected');
      case 'hang':
        // Bounded: the start-to-close timeout aborts this sleep long before the hour is up.
        await context.sleep('1 hour');
        throw ApplicationFailure.nonRetryable(`${message} outlived its start-to-close timeout`, 'EngineBug');
    }
  },
};

// ---- the reference model ------------------------------------------------------------------------

/** What a scripted activity call comes to, and how much virtual time it takes, per the retry policy. */
function expectedActivity(script: ActivityScript): { result: ActivityResult; durationMs: number } {
  const { maximumAttempts, startToCloseMs, initialIntervalMs, backoffCoefficient } = SCRIPTED_ACTIVITY;
  let elapsed = 0;
  for (let attempt = 1; attempt <= maximumAttempts; attempt++) {
    const outcome = script[attempt - 1] ?? 'succeed';
    if (outcome === 'succeed') return { result: { ok: true, attempt }, durationMs: elapsed };
    if (outcome === 'failFatalType' || outcome === 'failNonRetryable')
      return { result: { ok: false, retryState: 'NonRetryableFailure' }, durationMs: elapsed };
    if (outcome === 'hang') elapsed += startToCloseMs;
    if (attempt === maximumAttempts) break;
    elapsed += initialIntervalMs * backoffCoefficient ** (attempt - 1);
  }
  return { result: { ok: false, retryState: 'MaximumAttemptsReached' }, durationMs: elapsed };
}

type RunStatus = 'Running' | 'Completed' | 'Canceled' | 'Terminated';
type ReserveExpectation =
  | { kind: 'closed' }
  | { kind: 'rejected' }
  | { kind: 'declined' }
  | { kind: 'result'; value: ReserveResult };

/**
 * The model workflow as a discrete-event simulation over virtual time (ms since start). Time passes
 * only where the environment lets it: `env.sleep`, and a client waiting for an update or a result.
 * Internal events (a round, an update or the cleanup ending) happen at times the scripts fix; an
 * event due at the very time of a client step happens before the step, as the environment settles
 * everything due before it returns from a sleep.
 */
class ReferenceModel {
  now = 0;
  status: RunStatus = 'Running';
  readonly state: ModelState = {
    phase: 'working',
    total: 0,
    deposits: 0,
    reserved: 0,
    finishRequested: false,
    rounds: [],
    updates: [],
  };
  private nextRound = 0;
  private round: { endsAt: number; result: RoundResult; target?: number } | undefined;
  private update: { endsAt: number; amount: number; result: ActivityResult } | undefined;
  private cleanup: { endsAt: number; result: ActivityResult } | undefined;

  constructor(private readonly input: ModelInput) {
    this.startNextRound();
    this.advanceTo(0);
  }

  /** An independent copy, to try a step out without changing this model. */
  fork(): ReferenceModel {
    return Object.assign(
      Object.create(ReferenceModel.prototype) as ReferenceModel,
      structuredClone({ ...this }),
    );
  }

  /** Lets model time pass up to `time`, ending everything due on the way in due order. */
  advanceTo(time: number): void {
    // Each pass ends one round, update or cleanup; there are finitely many of those.
    for (let pass = 0; pass < 1_000; pass++) {
      const due = this.nextDue();
      if (due === undefined || due > time) {
        this.now = Math.max(this.now, time);
        return;
      }
      this.now = due;
      if (this.update?.endsAt === due) this.endUpdate();
      else if (this.round?.endsAt === due) this.endRound();
      else this.endCleanup();
    }
    throw new Error('The reference model did not settle');
  }

  /** Runs the model until the workflow closes (after `finish`, it always does). */
  runToClose(): void {
    for (let pass = 0; pass < 1_000 && this.status === 'Running'; pass++) {
      const due = this.nextDue();
      if (due === undefined) throw new Error('The reference model can never close');
      this.advanceTo(due);
    }
  }

  /**
   * Deposits that reach the workflow at the same instant. Only a lone deposit may be negative: with
   * non-negative amounts, whether a `condition` on the total is met does not depend on how the
   * engine orders and batches them, so the model needs no order.
   */
  deposit(...amounts: number[]): 'closed' | 'accepted' {
    if (this.status !== 'Running') return 'closed';
    for (const amount of amounts) this.state.total += amount;
    this.state.deposits += amounts.length;
    const round = this.round;
    if (round?.target !== undefined && this.state.total >= round.target) {
      round.endsAt = this.now;
      round.result = { kind: 'awaitTotal', met: true };
      round.target = undefined;
    }
    this.advanceTo(this.now);
    return 'accepted';
  }

  finish(): 'closed' | 'accepted' {
    if (this.status !== 'Running') return 'closed';
    this.state.finishRequested = true;
    this.completeIfDone();
    return 'accepted';
  }

  cancel(): 'closed' | 'accepted' {
    if (this.status !== 'Running') return 'closed';
    if (this.state.phase === 'cleaningUp') return 'accepted'; // a second request changes nothing
    this.round = undefined; // cut short: it records no result
    this.state.phase = 'cleaningUp';
    const { result, durationMs } = expectedActivity(this.input.cleanupScript);
    this.cleanup = { endsAt: this.now + durationMs, result };
    this.advanceTo(this.now);
    return 'accepted';
  }

  terminate(): 'closed' | 'accepted' {
    if (this.status !== 'Running') return 'closed';
    this.status = 'Terminated';
    this.round = undefined;
    this.update = undefined;
    this.cleanup = undefined;
    return 'accepted';
  }

  /** An update the client waits for: time passes until its handler is done. */
  reserve(amount: number, script: ActivityScript): ReserveExpectation {
    if (this.status !== 'Running') return { kind: 'closed' };
    const { state } = this;
    if (state.phase === 'cleaningUp' || !(amount > 0) || amount > state.total - state.reserved)
      return { kind: 'rejected' };
    const { result, durationMs } = expectedActivity(script);
    this.update = { endsAt: this.now + durationMs, amount, result };
    this.advanceTo(this.update.endsAt);
    if (result.ok) return { kind: 'result', value: { reserved: amount, attempt: result.attempt } };
    if (result.retryState === 'NonRetryableFailure') return { kind: 'declined' };
    return { kind: 'result', value: { reserved: 0, retryState: result.retryState } };
  }

  private nextDue(): number | undefined {
    const times = [this.round?.endsAt, this.update?.endsAt, this.cleanup?.endsAt].filter(
      (time): time is number => time !== undefined,
    );
    return times.length ? Math.min(...times) : undefined;
  }

  private startNextRound(): void {
    const round: Round | undefined = this.input.rounds[this.nextRound];
    if (!round) {
      this.state.phase = 'waitingForFinish';
      this.completeIfDone();
      return;
    }
    this.nextRound += 1;
    switch (round.kind) {
      case 'activity': {
        const { result, durationMs } = expectedActivity(round.script);
        this.round = { endsAt: this.now + durationMs, result: { kind: 'activity', result } };
        return;
      }
      case 'sleep':
        this.round = { endsAt: this.now + round.ms, result: { kind: 'sleep' } };
        return;
      case 'awaitTotal': {
        const met = this.state.total >= round.target;
        this.round = met
          ? { endsAt: this.now, result: { kind: 'awaitTotal', met } }
          : { endsAt: this.now + round.timeoutMs, result: { kind: 'awaitTotal', met }, target: round.target };
        return;
      }
    }
  }

  private endRound(): void {
    this.state.rounds.push(this.round!.result);
    this.round = undefined;
    this.startNextRound();
  }

  private endUpdate(): void {
    const { amount, result } = this.update!;
    this.update = undefined;
    if (result.ok) {
      this.state.reserved += amount;
      this.state.updates.push({ amount, outcome: 'reserved' });
    } else {
      const declined = result.retryState === 'NonRetryableFailure';
      this.state.updates.push({ amount, outcome: declined ? 'declined' : 'gaveUp' });
    }
    this.completeIfDone();
  }

  private endCleanup(): void {
    this.state.cleanup = this.cleanup!.result;
    this.cleanup = undefined;
    this.state.phase = 'cancelled';
    this.status = 'Canceled';
  }

  /** The workflow returns once its rounds are done, finish was signalled and no handler runs. */
  private completeIfDone(): void {
    if (this.state.phase !== 'waitingForFinish' || !this.state.finishRequested || this.update) return;
    this.state.phase = 'done';
    this.status = 'Completed';
  }
}

// ---- checks ---------------------------------------------------------------------------------------

const CLOSE_STATUS: Record<string, string> = {
  WorkflowExecutionCompleted: 'Completed',
  WorkflowExecutionFailed: 'Failed',
  WorkflowExecutionTimedOut: 'TimedOut',
  WorkflowExecutionTerminated: 'Terminated',
  WorkflowExecutionCanceled: 'Canceled',
  WorkflowExecutionContinuedAsNew: 'ContinuedAsNew',
};

/** Checks every run's history: invariants, close events against the run's status, and replay. */
async function checkHistories(env: TestWorkflowEnvironment, when: string): Promise<void> {
  for (const { state, events } of env.allHistories()) {
    const label = `${when}, run ${state.workflowId}`;
    expect(
      events.map((event) => event.eventId),
      `${label}: event ids`,
    ).toEqual(events.map((_, index) => index + 1));
    expect(checkHistoryInvariants(events), `${label}: history invariants`).toEqual([]);
    const failedTasks = events.filter((event) => event.type === 'WorkflowTaskFailed');
    expect(failedTasks, `${label}: failed workflow tasks`).toEqual([]);
    const closes = events.filter((event) => event.type in CLOSE_STATUS);
    if (state.status === 'Running') {
      expect(closes, `${label}: close events of an open run`).toEqual([]);
    } else {
      expect(closes, `${label}: close events of a ${state.status} run`).toHaveLength(1);
      expect(CLOSE_STATUS[closes[0]!.type], `${label}: close event vs status`).toBe(state.status);
      expect(events.at(-1), `${label}: the close event is last`).toBe(closes[0]);
    }
    if (state.status === 'Completed' || state.status === 'Canceled') {
      // The workflow waits for its handlers before it returns: no accepted update is left open.
      const accepted = events.flatMap((e) =>
        e.type === 'WorkflowExecutionUpdateAccepted' ? [e.updateId] : [],
      );
      const completed = events.flatMap((e) =>
        e.type === 'WorkflowExecutionUpdateCompleted' ? [e.updateId] : [],
      );
      expect(completed.sort(), `${label}: completed updates`).toEqual(accepted.sort());
    }
    await replayHistory({ workflows, runId: state.runId }, events).catch((error: unknown) => {
      throw new Error(`${label}: replay failed: ${(error as Error).message}`);
    });
  }
}

function historyLength(env: TestWorkflowEnvironment): number {
  return env.allHistories().reduce((sum, { events }) => sum + events.length, 0);
}

/** Fails with a clear message instead of hanging when `work` does not finish in real time. */
async function within<T>(what: string, work: Promise<T>): Promise<T> {
  work.catch(() => {}); // a late rejection after the deadline is moot
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${STEP_DEADLINE_MS} ms of real time`)),
      STEP_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

interface Run {
  env: TestWorkflowEnvironment;
  handle: WorkflowHandle<ModelState>;
  model: ReferenceModel;
  startTime: number;
}

/** Lets everything due now happen, then checks histories, clock, status and state against the model. */
async function settleAndCheck({ env, handle, model, startTime }: Run, when: string): Promise<void> {
  await within(`${when}: settling`, env.sleep(0));
  await checkHistories(env, when);
  // The model workflow never throws by mistake, so a failed task is an engine (or model) bug.
  expect(env.engine.runner.deadLetters, `${when}: dead-lettered tasks`).toEqual([]);
  expect((await env.currentTimeMs()) - startTime, `${when}: virtual time`).toBe(model.now);
  expect((await handle.describe()).status, `${when}: status`).toBe(model.status);
  expect(await handle.query(snapshot), `${when}: snapshot`).toEqual(model.state);
}

async function expectOutcome(work: Promise<unknown>, expected: 'closed' | 'accepted'): Promise<void> {
  if (expected === 'closed') {
    await expect(work).rejects.toBeInstanceOf(WorkflowExecutionClosedError);
    covered.add('a closed run refused a request');
  } else await work;
}

/** Applies one client step; `settled` says whether the engine had nothing left to do before it. */
async function applyStep(run: Run, step: Step, settled = true): Promise<void> {
  const { env, handle, model } = run;
  switch (step.kind) {
    case 'deposit':
      await expectOutcome(handle.signal(deposit, step.amount), model.deposit(step.amount));
      return;
    case 'finish':
      await expectOutcome(handle.signal(finish), model.finish());
      return;
    case 'cancel':
      await expectOutcome(handle.cancel(), model.cancel());
      return;
    case 'terminate':
      await expectOutcome(handle.terminate('property test'), model.terminate());
      return;
    case 'racingDeposit': {
      const wasOpen = model.status === 'Running';
      await expectOutcome(handle.signal(deposit, step.amount), model.deposit(step.amount));
      // A deposit that lets the run complete would truly race `followedBy` (which may find it open or
      // closed): let it land first.
      const closedByDeposit = wasOpen && model.status !== 'Running';
      if (closedByDeposit) await within('settling the racing deposit', env.sleep(0));
      await applyStep(run, step.followedBy, closedByDeposit);
      return;
    }
    case 'burst': {
      const probe = model.fork();
      probe.deposit(...step.amounts);
      if (model.status === 'Running' && probe.status !== 'Running') {
        // Some deposit of the burst lets the run complete, and which one depends on arrival order,
        // as does whether the rest find it closed: send them one at a time instead.
        for (const amount of step.amounts) {
          await expectOutcome(handle.signal(deposit, amount), model.deposit(amount));
          await within('settling a deposit', env.sleep(0));
        }
        return;
      }
      const before = { total: model.state.total, deposits: model.state.deposits };
      const expected = model.deposit(...step.amounts);
      const sent = step.amounts.map((amount) =>
        handle.signal(deposit, amount).then(
          () => 'accepted',
          (error: unknown) => error,
        ),
      );
      // `sent` never rejects; wait for all of it even if the query fails, so nothing is left dangling.
      const seen = await handle.query(snapshot).finally(() => Promise.all(sent));
      for (const outcome of await Promise.all(sent)) {
        if (expected === 'accepted') expect(outcome, 'a deposit of the burst').toBe('accepted');
        else expect(outcome, 'a deposit of the burst').toBeInstanceOf(WorkflowExecutionClosedError);
      }
      // The query ran somewhere among the deposits: it saw some of them, all applied or none.
      if (expected === 'accepted') {
        expect(seen.deposits - before.deposits, 'deposits seen mid-burst').toBeGreaterThanOrEqual(0);
        expect(seen.deposits, 'deposits seen mid-burst').toBeLessThanOrEqual(model.state.deposits);
        expect(seen.total, 'total seen mid-burst').toBeGreaterThanOrEqual(before.total);
        expect(seen.total, 'total seen mid-burst').toBeLessThanOrEqual(model.state.total);
      } else {
        expect(seen).toEqual(model.state);
      }
      return;
    }
    case 'sleep':
      await env.sleep(step.ms);
      model.advanceTo(model.now + step.ms);
      return;
    case 'query': {
      const before = historyLength(env);
      const seen = await handle.query(snapshot);
      if (settled) {
        expect(seen).toEqual(model.state);
        expect(historyLength(env), 'a query must not write history').toBe(before);
      } else {
        // The query runs the pending workflow task first, so it sees every deposit recorded before
        // it; what that task set off (an activity, even one that succeeds at once) may still run.
        expect({ total: seen.total, deposits: seen.deposits }, 'a query after a deposit').toEqual({
          total: model.state.total,
          deposits: model.state.deposits,
        });
      }
      return;
    }
    case 'reserve': {
      const expected = model.reserve(step.amount, step.script);
      const update = handle.executeUpdate(reserve, { args: [{ amount: step.amount, script: step.script }] });
      switch (expected.kind) {
        case 'closed':
          await expectOutcome(update, 'closed');
          return;
        case 'rejected': {
          const error = await update.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
          expect((error as Error).message).toMatch(/Update 'reserve' failed/);
          covered.add('the validator rejected an update');
          return;
        }
        case 'declined': {
          const error = await update.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
          expect((error as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'Declined' });
          return;
        }
        case 'result':
          expect(await update).toEqual(expected.value);
          return;
      }
    }
  }
}

async function runScenario(scenario: Scenario): Promise<void> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workers: [
      { taskQueue: TASK_QUEUE, workflows, activities, maxEagerActivities: scenario.maxEagerActivities },
    ],
  });
  try {
    const startTime = await env.currentTimeMs();
    const handle = await env.client.workflow.start(modelWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: 'model',
      args: [scenario.input],
    });
    const run: Run = { env, handle, model: new ReferenceModel(scenario.input), startTime };
    await settleAndCheck(run, 'after start');
    for (const [index, step] of scenario.steps.entries()) {
      const when = `after step ${index + 1} ${JSON.stringify(step)}`;
      await within(when, applyStep(run, step));
      await settleAndCheck(run, when);
    }

    // The scenario is over and the run is open exactly when the model says so (checked above).
    // Finish it: `finish` if it still takes signals, then wait for the result while time skips.
    const { model } = run;
    if (model.status === 'Running') await expectOutcome(handle.signal(finish), model.finish());
    model.runToClose();
    const outcome = await within(
      'the final result',
      handle.result().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
    );
    if (model.status === 'Completed') {
      expect(outcome, 'the final result').toEqual({ value: model.state });
    } else {
      const error = 'error' in outcome ? outcome.error : undefined;
      expect(error, 'the final result').toBeInstanceOf(WorkflowFailedError);
      expect((error as WorkflowFailedError).cause, 'the final result').toBeInstanceOf(
        model.status === 'Canceled' ? CancelledFailure : TerminatedFailure,
      );
    }
    await settleAndCheck(run, 'after the workflow closed');
    expect(await env.verifyHistories()).toEqual([]);
    noteCoverage(run);
  } finally {
    await env.teardown();
  }
}

// ---- coverage: the property must not pass vacuously ------------------------------------------------

/** What the scenarios of one `fc.assert` exercised, by event type (and retry state) and by model outcome. */
const covered = new Set<string>();

/** All of it must have happened at least once when the property runs its default number of scenarios. */
const MUST_COVER = [
  'ActivityTaskFailed:InProgress',
  'ActivityTaskFailed:NonRetryableFailure',
  'ActivityTaskFailed:MaximumAttemptsReached',
  'ActivityTaskTimedOut:InProgress',
  'ActivityTaskTimedOut:MaximumAttemptsReached',
  'ActivityTaskCancelRequested',
  'TimerFired',
  'TimerCanceled',
  'WorkflowExecutionUpdateAccepted',
  'condition met',
  'condition timed out',
  'update reserved',
  'update declined',
  'update gaveUp',
  'the validator rejected an update',
  'a closed run refused a request',
  'cleanup after cancellation',
  'Completed',
  'Canceled',
  'Terminated',
  'an activity ran eagerly',
  'an activity ran from the queue',
  'a workflow task was sent beside an eager attempt',
];

function noteCoverage({ env, model }: Run): void {
  for (const { events } of env.allHistories()) {
    // A workflow task scheduled while an eager claim was live: the router sent it beside the chain.
    let state = initialRunState('default', 'model');
    for (const event of events) {
      if (event.type === 'WorkflowTaskScheduled' && holdsEagerClaim(state, event.eventTime))
        covered.add('a workflow task was sent beside an eager attempt');
      state = applyEvents(state, [event]);
    }
    for (const event of events) {
      covered.add(event.type);
      if ('retryState' in event) covered.add(`${event.type}:${event.retryState}`);
      if (event.type === 'ActivityTaskScheduled')
        covered.add(
          event.eagerUntil !== undefined ? 'an activity ran eagerly' : 'an activity ran from the queue',
        );
    }
  }
  covered.add(model.status);
  for (const round of model.state.rounds)
    if (round.kind === 'awaitTotal') covered.add(round.met ? 'condition met' : 'condition timed out');
  for (const update of model.state.updates) covered.add(`update ${update.outcome}`);
  if (model.state.cleanup) covered.add('cleanup after cancellation');
}

// ---- scenarios -----------------------------------------------------------------------------------

const attemptOutcome: fc.Arbitrary<AttemptOutcome> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('succeed' as const) },
  { weight: 3, arbitrary: fc.constant('failRetryable' as const) },
  { weight: 1, arbitrary: fc.constant('failFatalType' as const) },
  { weight: 1, arbitrary: fc.constant('failNonRetryable' as const) },
  { weight: 2, arbitrary: fc.constant('hang' as const) },
);
const script = fc.array(attemptOutcome, { minLength: 1, maxLength: SCRIPTED_ACTIVITY.maximumAttempts });

const round: fc.Arbitrary<Round> = fc.oneof(
  script.map((s) => ({ kind: 'activity' as const, script: s })),
  fc.constantFrom(1_000, 5_000, 30_000).map((ms) => ({ kind: 'sleep' as const, ms })),
  fc
    .record({ target: fc.integer({ min: 0, max: 30 }), timeoutMs: fc.constantFrom(2_000, 20_000) })
    .map(({ target, timeoutMs }) => ({ kind: 'awaitTotal' as const, target, timeoutMs })),
);

const depositStep = (min: number) =>
  fc.integer({ min, max: 20 }).map((amount): Step => ({ kind: 'deposit', amount }));
const burstStep = fc
  .array(fc.integer({ min: 0, max: 10 }), { minLength: 2, maxLength: 5 })
  .map((amounts): Step => ({ kind: 'burst', amounts }));
const finishStep = fc.constant<Step>({ kind: 'finish' });
const reserveStep = fc
  .record({
    // Mostly affordable amounts, some the validator must refuse.
    amount: fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 8 }) },
      fc.integer({ min: -2, max: 40 }),
    ),
    script,
  })
  .map(({ amount, script }): Step => ({ kind: 'reserve', amount, script }));
const sleepStep = fc
  .constantFrom(500, 1_000, 2_000, 5_000, 10_000, 30_000)
  .map((ms): Step => ({ kind: 'sleep', ms }));
const queryStep = fc.constant<Step>({ kind: 'query' });
// Not cancel: a deposit that meets a round's condition ends the round if it is handled first, but
// not if it shares a workflow task with the cancellation (the round is cut short). Not terminate:
// the deposit may never reach workflow code. No negative deposit: it would make batching visible.
const racingDepositStep = fc
  .record({
    amount: fc.integer({ min: 0, max: 10 }),
    followedBy: fc.oneof(depositStep(0), burstStep, finishStep, reserveStep, sleepStep, queryStep),
  })
  .map(({ amount, followedBy }): Step => ({ kind: 'racingDeposit', amount, followedBy }));

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: depositStep(-5) },
  { weight: 2, arbitrary: racingDepositStep },
  { weight: 2, arbitrary: burstStep },
  { weight: 2, arbitrary: finishStep },
  { weight: 6, arbitrary: reserveStep },
  { weight: 2, arbitrary: fc.constant<Step>({ kind: 'cancel' }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'terminate' }) },
  { weight: 6, arbitrary: sleepStep },
  { weight: 2, arbitrary: queryStep },
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  input: fc.record({ rounds: fc.array(round, { maxLength: 6 }), cleanupScript: script }),
  steps: fc.array(step, { minLength: 1, maxLength: 24 }),
  maxEagerActivities: fc.constantFrom(0, 1, 3),
});

/** Always run first: one scenario that touches most features, whatever the seed draws. */
const everythingOnce: Scenario = {
  input: {
    rounds: [
      { kind: 'activity', script: ['failRetryable', 'hang', 'succeed'] },
      { kind: 'awaitTotal', target: 10, timeoutMs: 20_000 },
      { kind: 'sleep', ms: 5_000 },
      { kind: 'activity', script: ['failFatalType'] },
      { kind: 'activity', script: ['hang', 'hang', 'hang'] },
    ],
    cleanupScript: ['failRetryable', 'succeed'],
  },
  steps: [
    { kind: 'deposit', amount: 4 },
    { kind: 'reserve', amount: 3, script: ['hang', 'succeed'] },
    { kind: 'reserve', amount: 50, script: ['succeed'] },
    { kind: 'deposit', amount: 8 },
    { kind: 'reserve', amount: 2, script: ['failNonRetryable'] },
    { kind: 'reserve', amount: 1, script: ['failRetryable', 'failRetryable', 'hang'] },
    { kind: 'query' },
    { kind: 'sleep', ms: 10_000 },
    { kind: 'cancel' },
    { kind: 'deposit', amount: 1 },
    { kind: 'reserve', amount: 1, script: ['succeed'] },
    { kind: 'cancel' },
    { kind: 'sleep', ms: 2_000 },
    { kind: 'deposit', amount: 1 },
    { kind: 'finish' },
  ],
  maxEagerActivities: 3,
};

const DEFAULT_RUNS = 100;

describe('the engine under random client interleavings', () => {
  it('keeps every history sound and the workflow in step with its reference model', async () => {
    const numRuns = Number(process.env.CAIRN_PROPERTY_RUNS ?? DEFAULT_RUNS);
    await fc.assert(
      fc.asyncProperty(scenario, (s) => runScenario(s)),
      {
        seed: Number(process.env.CAIRN_PROPERTY_SEED ?? 424242),
        path: process.env.CAIRN_PROPERTY_PATH,
        numRuns,
        endOnFailure: process.env.CAIRN_PROPERTY_SHRINK !== '1',
        examples: [[everythingOnce]],
      },
    );
    if (process.env.CAIRN_PROPERTY_PATH === undefined && numRuns >= DEFAULT_RUNS)
      expect(
        MUST_COVER.filter((feature) => !covered.has(feature)),
        'never exercised',
      ).toEqual([]);
  }, 120_000);
});
