import { type Duration, durationToMs } from '../common/duration.ts';
import {
  type CairnFailure,
  CancelledFailure,
  type FailureInfo,
  fromFailureInfo,
} from '../common/failures.ts';
import type { StoredPayloadConverter } from '../common/payload.ts';
import type { ActivationJob } from './activation-job.ts';
import { CancellationScope } from './cancellation-scope.ts';
import type { Command } from './commands.ts';

interface Completion {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

/** A durable timer as workflow code holds it. */
export interface TimerHandle {
  promise: Promise<void>;
  cancel(): void;
}

/** What workflow code gives to schedule an activity (the sequence number and default id are added here). */
export type ScheduleActivityInput = Omit<
  Extract<Command, { type: 'ScheduleActivityTask' }>,
  'type' | 'seq' | 'activityId'
> & { activityId?: string };

/** What workflow code gives to start a child workflow. */
export type StartChildInput = Omit<Extract<Command, { type: 'StartChildWorkflowExecution' }>, 'type' | 'seq'>;

/** The activation jobs that settle a completion parked here. */
export type CompletionJob = Extract<
  ActivationJob,
  {
    kind:
      | 'resolveActivity'
      | 'failActivity'
      | 'fireTimer'
      | 'resolveChildStart'
      | 'failChildStart'
      | 'resolveChild'
      | 'failChild'
      | 'resolveExternal';
  }
>;

/**
 * The sequence-keyed completions of one run (Temporal's pattern, see STYLE.md): each call to start
 * an activity, a timer, a child or an external signal/cancel takes the next sequence number of its
 * kind, pushes one command, and parks `{resolve, reject}` under that number; the history event that
 * answers it settles exactly that entry. "Already settled" is a failed map delete, not a flag.
 */
export class CommandCompletions {
  private readonly seqs = { activity: 0, timer: 0, child: 0, external: 0 };
  /**
   * Activities and timers whose outcome this activation delivers: a cancellation applied before
   * that outcome (handlers go first) leaves them be, for they are done, and a command to cancel
   * them would name something no longer open.
   */
  private readonly settling = { activity: new Set<number>(), timer: new Set<number>() };
  private readonly pending = {
    activity: new Map<number, Completion>(),
    timer: new Map<number, Completion>(),
    childStart: new Map<number, Completion>(),
    childResult: new Map<number, Completion>(),
    external: new Map<number, Completion>(),
  };

  constructor(
    private readonly converter: StoredPayloadConverter,
    private readonly pushCommand: (command: Command) => void,
  ) {}

  /** Schedules an activity; the promise settles from its history events. */
  scheduleActivity(command: ScheduleActivityInput, scope: CancellationScope): Promise<unknown> {
    const seq = ++this.seqs.activity;
    const activityId = command.activityId ?? String(seq);
    if (scope.consideredCancelled) {
      return Promise.reject(activityCancelled(command.activityType, activityId, this.converter));
    }
    let unsubscribe = () => {};
    const promise = new Promise((resolve, reject) => {
      this.pending.activity.set(seq, { resolve, reject });
      this.pushCommand({ type: 'ScheduleActivityTask', seq, ...command, activityId });
      unsubscribe = scope.onCancel(() => {
        if (!this.pending.activity.has(seq) || this.settling.activity.has(seq)) return;
        const cancellationType = command.options.cancellationType;
        if (cancellationType !== 'ABANDON') this.pushCommand({ type: 'RequestCancelActivityTask', seq });
        if (cancellationType !== 'WAIT_CANCELLATION_COMPLETED') {
          this.pending.activity.delete(seq);
          reject(activityCancelled(command.activityType, activityId, this.converter));
        }
      });
    });
    // A settled activity leaves its scope: a long-lived scope (the root) must not keep a listener
    // per activity ever run, or a long run's memory and cancellation cost grow with its history.
    promise.then(unsubscribe, unsubscribe);
    return promise;
  }

  /** Starts a durable timer in the given scope (the current one by default). */
  startTimer(duration: Duration, scope?: CancellationScope): TimerHandle {
    const durationMs = durationToMs(duration);
    const timerScope = scope ?? CancellationScope.current();
    const seq = ++this.seqs.timer;
    let cancel = () => {};
    let started = false;
    const promise = new Promise<void>((resolve, reject) => {
      if (timerScope.consideredCancelled) {
        reject(new CancelledFailure('Timer cancelled'));
        return;
      }
      started = true;
      this.pending.timer.set(seq, { resolve: () => resolve(), reject });
      this.pushCommand({ type: 'StartTimer', seq, durationMs });
      cancel = () => {
        if (this.settling.timer.has(seq) || !this.pending.timer.delete(seq)) return;
        this.pushCommand({ type: 'CancelTimer', seq });
        reject(new CancelledFailure('Timer cancelled'));
      };
    });
    if (started) {
      const unsubscribe = timerScope.onCancel(() => cancel());
      promise.then(unsubscribe, unsubscribe);
    }
    return { promise, cancel: () => cancel() };
  }

  /** Starts a child workflow; returns promises for its start and its result. */
  startChild(
    command: StartChildInput,
    scope: CancellationScope,
  ): { started: Promise<string>; result: Promise<unknown> } {
    const seq = ++this.seqs.child;
    if (scope.consideredCancelled) {
      const failure = Promise.reject(new CancelledFailure('Child workflow start cancelled'));
      failure.catch(() => {});
      return { started: failure as Promise<string>, result: failure };
    }
    let runId: string | undefined;
    const started = new Promise<string>((resolve, reject) => {
      this.pending.childStart.set(seq, {
        resolve: (value) => {
          runId = value as string;
          resolve(runId);
        },
        reject,
      });
    });
    const result = new Promise<unknown>((resolve, reject) =>
      this.pending.childResult.set(seq, { resolve, reject }),
    );
    started.catch(() => {});
    result.catch(() => {});
    this.pushCommand({ type: 'StartChildWorkflowExecution', seq, ...command });
    const unsubscribe = scope.onCancel(() => {
      if (!this.pending.childResult.has(seq)) return;
      const requestCancel = () => this.requestCancelExternal(command.workflowId, runId, true).catch(() => {});
      if (runId !== undefined) requestCancel();
      else started.then(requestCancel, () => {});
    });
    // A closed child leaves its scope (see scheduleActivity).
    result.then(unsubscribe, unsubscribe);
    return { started, result };
  }

  signalExternal(
    workflowId: string,
    runId: string | undefined,
    signalName: string,
    args: unknown[],
    childOnly: boolean,
  ): Promise<void> {
    const seq = ++this.seqs.external;
    const input = args.map((arg) => this.converter.toPayload(arg));
    return new Promise<void>((resolve, reject) => {
      this.pending.external.set(seq, { resolve: () => resolve(), reject });
      this.pushCommand({
        type: 'SignalExternalWorkflowExecution',
        seq,
        workflowId,
        runId,
        signalName,
        input,
        childWorkflowOnly: childOnly,
      });
    });
  }

  requestCancelExternal(workflowId: string, runId: string | undefined, childOnly: boolean): Promise<void> {
    const seq = ++this.seqs.external;
    return new Promise<void>((resolve, reject) => {
      this.pending.external.set(seq, { resolve: () => resolve(), reject });
      this.pushCommand({
        type: 'RequestCancelExternalWorkflowExecution',
        seq,
        workflowId,
        runId,
        childWorkflowOnly: childOnly,
      });
    });
  }

  /**
   * Marks the activities and timers whose outcome is among `jobs` as settling while `apply` runs
   * (see `settling`), so a cancellation applied before their outcome does not try to cancel them.
   */
  whileSettling(jobs: readonly ActivationJob[], apply: () => void): void {
    for (const job of jobs) {
      if (job.kind === 'resolveActivity' || job.kind === 'failActivity') this.settling.activity.add(job.seq);
      if (job.kind === 'fireTimer') this.settling.timer.add(job.seq);
    }
    try {
      apply();
    } finally {
      this.settling.activity.clear();
      this.settling.timer.clear();
    }
  }

  /** Settles the completion a history event answers. */
  apply(job: CompletionJob): void {
    switch (job.kind) {
      case 'resolveActivity':
        this.settle(this.pending.activity, job.seq, () => this.converter.fromPayload(job.result));
        return;
      case 'failActivity':
        this.settle(this.pending.activity, job.seq, undefined, job.failure);
        return;
      case 'fireTimer':
        this.settle(this.pending.timer, job.seq, () => undefined);
        return;
      case 'resolveChildStart':
        this.settle(this.pending.childStart, job.seq, () => job.runId);
        return;
      case 'failChildStart':
        this.settle(this.pending.childStart, job.seq, undefined, job.failure);
        this.settle(this.pending.childResult, job.seq, undefined, job.failure);
        return;
      case 'resolveChild':
        this.settle(this.pending.childResult, job.seq, () => this.converter.fromPayload(job.result));
        return;
      case 'failChild':
        this.settle(this.pending.childResult, job.seq, undefined, job.failure);
        return;
      case 'resolveExternal':
        this.settle(this.pending.external, job.seq, () => undefined, job.failure);
        return;
      default: {
        const unknown: never = job;
        throw new TypeError(`Unknown completion job ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Settles exactly one pending completion; a missing entry means it was already settled (or abandoned). */
  private settle(
    map: Map<number, Completion>,
    seq: number,
    value: (() => unknown) | undefined,
    failure?: FailureInfo,
  ): void {
    const completion = map.get(seq);
    if (!completion) return;
    map.delete(seq);
    if (failure) completion.reject(fromFailureInfo(failure, this.converter));
    else completion.resolve(value?.());
  }
}

/** The `ActivityFailure` an activity (or local activity) cancelled by its scope rejects with. */
export function activityCancelled(
  activityType: string,
  activityId: string,
  converter: StoredPayloadConverter,
): CairnFailure {
  return fromFailureInfo(
    {
      kind: 'activity',
      message: 'Activity cancelled',
      activityType,
      activityId,
      retryState: 'CancelRequested',
      cause: { kind: 'cancelled', message: 'Activity cancelled' },
    },
    converter,
  );
}
