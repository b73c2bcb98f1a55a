import type { RunRef } from '../backend/ports.ts';
import type { Payload } from '../common/payload.ts';
import type { EagerPolicy } from '../engine/eager-activities.ts';
import type { RunState } from '../engine/run-state.ts';
import { runAttempt } from './activity-attempt.ts';
import { commitActivityOutcome } from './activity-outcomes.ts';
import { scheduleWatchdogs } from './activity-watchdogs.ts';
import type { RuntimeDeps } from './deps.ts';
import { runRefOf } from './run-ref.ts';
import type { WorkerRegistry } from './worker-registry.ts';
import type { WorkflowTaskResult } from './workflow-task.ts';

/** What a workflow task needs of the invocation that may run its activities eagerly. */
export interface EagerExecution {
  /** What a workflow task committing now may claim; undefined: nothing. */
  policy(now: number): EagerPolicy | undefined;
  /** Starts the activities a committed workflow task claimed. */
  start(result: Extract<WorkflowTaskResult, { outcome: 'committed' }>): void;
}

/**
 * Room kept after an eager attempt's own bound for committing its outcome before the invocation's
 * end: an activity that might not finish and commit in time goes through the queue instead, so the
 * invocation hands its run over to the queue rather than being cut off mid-step.
 */
export const HANDOVER_MARGIN_MS = 1_000;

/** Longest wait a timer takes (setTimeout's limit): a deadline further away is no deadline. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The eager work of one SQS message (DESIGN.md, "the step path at its floor"): workflow tasks that
 * the message's handling commits claim activities of the worker's task queue, which run here, and
 * whose outcomes commit with the next workflow task, which may claim the next ones: a sequential
 * workflow advances step after step in one invocation, one conditional write per step, no stream
 * or queue hop. The message is not acknowledged until the chain has settled (or handed its
 * running attempts to the watchdogs at the handover time), so if the invocation dies, the message
 * reappears after its visibility timeout and its handling times out the attempts the chain left
 * claimed (sdk/engine/eager-activities.ts). A failure anywhere fails the message for the same
 * reason.
 */
export class EagerChain implements EagerExecution {
  private readonly running = new Set<Promise<void>>();
  private readonly heads = new Map<string, RunState>();
  /** Attempts whose activity function is running now, by run and scheduled event id. */
  private readonly attempts = new Map<
    string,
    { state: RunState; scheduledEventId: number; startTime: number }
  >();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly deps: RuntimeDeps,
    private readonly worker: WorkerRegistry,
    /** When the invocation ends (epoch ms on the deps' clock). */
    readonly deadline: number,
    /** Told of each eager attempt's start and end (the time-skipping runner counts them as tasks). */
    private readonly observer?: { attemptStarted(): void; attemptEnded(): void },
  ) {}

  policy(now: number): EagerPolicy | undefined {
    if (this.worker.maxEagerActivities === 0 || this.failure) return undefined;
    const { activities } = this.worker;
    const policy: EagerPolicy = {
      taskQueue: this.worker.taskQueue,
      max: this.worker.maxEagerActivities,
      deadline: this.deadline,
      marginMs: HANDOVER_MARGIN_MS,
      runs: (activityType) => activities.has(activityType),
    };
    return now + HANDOVER_MARGIN_MS < this.deadline ? policy : undefined;
  }

  /** The latest head of `ref`'s run this chain committed (the next commit plans on it). */
  headOf(ref: Pick<RunRef, 'namespace' | 'runId'>): RunState | undefined {
    return this.heads.get(`${ref.namespace}/${ref.runId}`);
  }

  /** Remembers a head this chain committed. */
  committed(state: RunState): void {
    this.heads.set(`${state.namespace}/${state.runId}`, state);
  }

  start(result: Extract<WorkflowTaskResult, { outcome: 'committed' }>): void {
    this.committed(result.state);
    for (const scheduledEventId of result.eager ?? []) {
      const scheduled = result.events.find((event) => event.eventId === scheduledEventId);
      const input = scheduled?.type === 'ActivityTaskScheduled' ? scheduled.input : undefined;
      this.track(() => this.runAttempt(result.state, scheduledEventId, input));
    }
  }

  /**
   * Resolves once every eager attempt and the commits they led to are done; rejects if one failed.
   * At the handover time (the deadline less the margin) it stops waiting: attempts still running
   * are handed to the engine's watchdogs, as if they had been queued, and go on in the background
   * (Lambda freezes them with the container; a late outcome still commits if nothing timed the
   * attempt out first), so the invocation ends on time and its message is acknowledged.
   */
  async settled(): Promise<void> {
    const handover = new AbortController();
    const waitMs = this.deadline - HANDOVER_MARGIN_MS - this.deps.clock.now();
    // No timer for a chain without a real deadline (the time-skipping runner's).
    const timeUp =
      waitMs < MAX_TIMER_MS
        ? this.deps.clock.sleep(Math.max(0, waitMs), { signal: handover.signal }).then(
            () => true,
            () => false,
          )
        : new Promise<boolean>(() => {});
    try {
      while (this.running.size) {
        const out = await Promise.race([Promise.allSettled([...this.running]).then(() => false), timeUp]);
        if (out) {
          await this.handOver();
          break;
        }
      }
    } finally {
      handover.abort();
    }
    if (this.failure) throw this.failure.error;
  }

  /** Sends the watchdogs of the attempts still running at the handover. */
  private async handOver(): Promise<void> {
    await Promise.all(
      [...this.attempts.values()].map(({ state, scheduledEventId, startTime }) =>
        scheduleWatchdogs(
          this.deps,
          { ref: runRefOf(state), scheduledEventId, attempt: 1 },
          state.activities[scheduledEventId]!,
          startTime,
        ),
      ),
    );
  }

  private track(work: () => Promise<void>): void {
    this.observer?.attemptStarted();
    const tracked = work()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.running.delete(tracked);
        this.observer?.attemptEnded();
      });
    this.running.add(tracked);
  }

  private async runAttempt(state: RunState, scheduledEventId: number, input: Payload[] | undefined) {
    const activity = state.activities[scheduledEventId];
    if (!activity) return;
    const { deps, worker } = this;
    const ref = runRefOf(state);
    const attemptRef = { ...ref, scheduledEventId, attempt: 1 };
    const startTime = deps.clock.now();
    const key = `${state.runId}/${scheduledEventId}`;
    this.attempts.set(key, { state, scheduledEventId, startTime });
    let outcome: Awaited<ReturnType<typeof runAttempt>>;
    try {
      outcome = await runAttempt(deps, worker, state, activity, attemptRef, startTime, input, 'eager');
    } finally {
      this.attempts.delete(key);
    }
    if (!outcome) {
      // Completed asynchronously: the attempt outlives this invocation, so the engine's watchdogs
      // guard it from here on, as they guard a queued attempt.
      await scheduleWatchdogs(deps, { ref, scheduledEventId, attempt: 1 }, activity, startTime);
      return;
    }
    await commitActivityOutcome(deps, worker, attemptRef, outcome, startTime, {
      workflowType: state.workflowType,
      chain: this,
      eager: true,
    });
  }
}
