// The workflow under test of test/property/engine.property.test.ts: a small "account" whose every
// behaviour is scripted by its input and by the client, so the test can predict it from the scenario.
//
// - `rounds` (the input) run one after another: a scripted activity (retries, non-retryable failures,
//   start-to-close timeouts), a durable `sleep`, or a `condition` on the deposited total with a timeout.
// - `deposit(x)` signals change the total; `finish` lets the workflow complete once its rounds are done.
// - `reserve({ amount, script })` is an update: its validator rejects non-positive amounts, amounts above
//   the free balance and any request during cleanup; its handler awaits a scripted activity.
// - A cancelled workflow runs a scripted cleanup activity in a non-cancellable scope, then closes as
//   cancelled. `snapshot` reports the whole state.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
} from 'cairnflow/workflow';

/** What one attempt of a scripted activity does. */
export type AttemptOutcome =
  | 'succeed'
  /** Throws an `ApplicationFailure` of a type the retry policy retries. */
  | 'failRetryable'
  /** Throws an `ApplicationFailure` whose type is in the policy's `nonRetryableErrorTypes`. */
  | 'failFatalType'
  /** Throws `ApplicationFailure.nonRetryable(...)`. */
  | 'failNonRetryable'
  /** Sleeps far past the start-to-close timeout, so the attempt times out. */
  | 'hang';

/** The outcome of each attempt of one activity call, in order; attempts past the end succeed. */
export type ActivityScript = AttemptOutcome[];

/** The retry policy and timeout of every scripted activity; the test's reference model uses them too. */
export const SCRIPTED_ACTIVITY = {
  startToCloseMs: 10_000,
  maximumAttempts: 3,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  fatalType: 'Fatal',
} as const;

export type Round =
  | { kind: 'activity'; script: ActivityScript }
  | { kind: 'sleep'; ms: number }
  | { kind: 'awaitTotal'; target: number; timeoutMs: number };

export interface ModelInput {
  rounds: Round[];
  cleanupScript: ActivityScript;
}

/** How a scripted activity call ended, as the workflow saw it. */
export type ActivityResult = { ok: true; attempt: number } | { ok: false; retryState: string };

export type RoundResult =
  | { kind: 'activity'; result: ActivityResult }
  | { kind: 'sleep' }
  | { kind: 'awaitTotal'; met: boolean };

export interface UpdateRecord {
  amount: number;
  outcome: 'reserved' | 'declined' | 'gaveUp';
}

export interface ReserveResult {
  reserved: number;
  attempt?: number;
  retryState?: string;
}

export interface ModelState {
  phase: 'working' | 'waitingForFinish' | 'done' | 'cleaningUp' | 'cancelled';
  total: number;
  deposits: number;
  reserved: number;
  finishRequested: boolean;
  /** Results of the rounds that finished, in order (a round cut short by cancellation has none). */
  rounds: RoundResult[];
  /** Accepted updates, in the order their handlers finished. */
  updates: UpdateRecord[];
  cleanup?: ActivityResult;
}

export interface ModelActivities {
  /** Behaves as `script[attempt - 1]` says; returns the attempt that succeeded. */
  scripted(script: ActivityScript, label: string): Promise<number>;
}

export const deposit = defineSignal<[amount: number]>('deposit');
export const finish = defineSignal('finish');
export const reserve = defineUpdate<ReserveResult, [request: { amount: number; script: ActivityScript }]>(
  'reserve',
);
export const snapshot = defineQuery<ModelState>('snapshot');

const { scripted } = proxyActivities<ModelActivities>({
  startToCloseTimeout: SCRIPTED_ACTIVITY.startToCloseMs,
  retry: {
    maximumAttempts: SCRIPTED_ACTIVITY.maximumAttempts,
    initialInterval: SCRIPTED_ACTIVITY.initialIntervalMs,
    backoffCoefficient: SCRIPTED_ACTIVITY.backoffCoefficient,
    nonRetryableErrorTypes: [SCRIPTED_ACTIVITY.fatalType],
  },
});

/** Runs a scripted activity and turns its failure into a result; a cancellation propagates. */
async function callScripted(script: ActivityScript, label: string): Promise<ActivityResult> {
  try {
    return { ok: true, attempt: await scripted(script, label) };
  } catch (error) {
    if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
    return { ok: false, retryState: error.retryState ?? 'unknown' };
  }
}

async function runRound(round: Round, index: number, state: ModelState): Promise<RoundResult> {
  switch (round.kind) {
    case 'activity':
      return { kind: 'activity', result: await callScripted(round.script, `round-${index}`) };
    case 'sleep':
      await sleep(round.ms);
      return { kind: 'sleep' };
    case 'awaitTotal':
      return { kind: 'awaitTotal', met: await condition(() => state.total >= round.target, round.timeoutMs) };
    default: {
      const unknown: never = round;
      throw ApplicationFailure.nonRetryable(`Unknown round ${JSON.stringify(unknown)}`, 'BadInput');
    }
  }
}

/** See the top of this file. Completes with its state, or closes as cancelled after cleaning up. */
export async function modelWorkflow(input: ModelInput): Promise<ModelState> {
  const state: ModelState = {
    phase: 'working',
    total: 0,
    deposits: 0,
    reserved: 0,
    finishRequested: false,
    rounds: [],
    updates: [],
  };
  setHandler(snapshot, () => state);
  setHandler(deposit, (amount) => {
    state.total += amount;
    state.deposits += 1;
  });
  setHandler(finish, () => {
    state.finishRequested = true;
  });
  setHandler(
    reserve,
    async ({ amount, script }) => {
      const result = await callScripted(script, `reserve-${amount}`);
      if (result.ok) {
        state.reserved += amount;
        state.updates.push({ amount, outcome: 'reserved' });
        return { reserved: amount, attempt: result.attempt };
      }
      if (result.retryState === 'NonRetryableFailure') {
        state.updates.push({ amount, outcome: 'declined' });
        throw ApplicationFailure.create({
          message: 'reservation declined',
          type: 'Declined',
          nonRetryable: true,
        });
      }
      state.updates.push({ amount, outcome: 'gaveUp' });
      return { reserved: 0, retryState: result.retryState };
    },
    {
      validator: ({ amount }) => {
        if (state.phase === 'cleaningUp') throw new Error('the workflow is cleaning up after cancellation');
        if (!(amount > 0)) throw new Error(`amount must be positive, got ${amount}`);
        if (amount > state.total - state.reserved)
          throw new Error(`insufficient balance: ${state.total - state.reserved} free, ${amount} asked`);
      },
    },
  );

  try {
    for (const [index, round] of input.rounds.entries())
      state.rounds.push(await runRound(round, index, state));
    state.phase = 'waitingForFinish';
    await condition(() => state.finishRequested);
    await condition(allHandlersFinished);
    state.phase = 'done';
    return state;
  } catch (error) {
    if (!isCancellation(error)) throw error;
    state.phase = 'cleaningUp';
    await CancellationScope.nonCancellable(async () => {
      state.cleanup = await callScripted(input.cleanupScript, 'cleanup');
      await condition(allHandlersFinished);
    });
    state.phase = 'cancelled';
    throw error;
  }
}
