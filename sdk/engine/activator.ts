import { type Duration, durationToMs } from '../common/duration.ts';
import { IllegalWorkflowOperationError } from '../common/errors.ts';
import {
  CairnFailure,
  CancelledFailure,
  type FailureInfo,
  fromFailureInfo,
  isCancellation,
  toFailureInfo,
} from '../common/failures.ts';
import type { Payload, StoredPayloadConverter } from '../common/payload.ts';
import { CancellationScope } from './cancellation-scope.ts';
import type { Command } from './commands.ts';
import { ContinueAsNewRequest } from './continue-as-new.ts';
import { runInSlot } from './current-run.ts';
import { installGlobalOverrides } from './global-overrides.ts';
import { LocalActivities, type LocalActivityOutcome, type LocalActivityRequest } from './local-activities.ts';
import { type Handler, MessageHandlers, type UpdateDecision, type UpdateEntry } from './message-handlers.ts';
import { seededRandom, uuid4From } from './prng.ts';
import type { WorkflowInfo } from './workflow-info.ts';

/** A workflow function as registered with a worker. */
export type WorkflowFunction = (...args: never[]) => Promise<unknown>;

/** One thing that happened to the run since its last workflow task, in the order replay applies it. */
export type ActivationJob =
  | { kind: 'start'; input: Payload[] }
  | { kind: 'resolveActivity'; seq: number; result: Payload }
  | { kind: 'failActivity'; seq: number; failure: FailureInfo }
  | { kind: 'fireTimer'; seq: number }
  | { kind: 'signal'; name: string; input: Payload[] }
  | { kind: 'cancelWorkflow'; reason?: string }
  | { kind: 'update'; updateId: string; name: string; input: Payload[]; alreadyAccepted: boolean }
  | { kind: 'resolveChildStart'; seq: number; runId: string }
  | { kind: 'failChildStart'; seq: number; failure: FailureInfo }
  | { kind: 'resolveChild'; seq: number; result: Payload }
  | { kind: 'failChild'; seq: number; failure: FailureInfo }
  | { kind: 'resolveExternal'; seq: number; failure?: FailureInfo }
  | { kind: 'resolveLocalActivity'; outcome: LocalActivityOutcome };

interface Completion {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

export type { UpdateDecision };

/** A durable timer as workflow code holds it. */
export interface TimerHandle {
  promise: Promise<void>;
  cancel(): void;
}

/** How many condition re-checks one activation may take before it is declared stuck. */
const MAX_CONDITION_ROUNDS = 10_000;

/**
 * The per-run machinery workflow code talks to: it hands out sequence numbers, records commands,
 * keeps the pending completions keyed by sequence number, and applies activation jobs to them.
 * Deterministic by construction: its only inputs are the jobs and the clock value replay gives it.
 */
export class Activator {
  readonly info: WorkflowInfo;
  readonly converter: StoredPayloadConverter;
  readonly rootScope: CancellationScope;
  now: number;
  isReplaying = false;
  readonly random: () => number;
  /** Set when workflow code threw something that is not a failure: the workflow task fails. */
  taskFailure: unknown;
  /** True once a close command has been issued; later commands are dropped. */
  closed = false;
  private commands: Command[] = [];
  private readonly seqs = { activity: 0, timer: 0, child: 0, external: 0, condition: 0 };
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
  private readonly conditions = new Map<
    number,
    { fn: () => boolean; resolve: () => void; scope: CancellationScope }
  >();
  /** Patch ids recorded by the workflow task being replayed (or every id, when not replaying). */
  patchesInTask = new Set<string>();
  private readonly patchesUsed = new Set<string>();
  /** Signal, query and update handlers, and the messages waiting for one. */
  private readonly messages: MessageHandlers;
  /** Local activities: run by the workflow task's worker, recorded as markers. */
  readonly localActivities: LocalActivities;

  constructor(
    info: WorkflowInfo,
    private readonly workflowFn: WorkflowFunction,
    converter: StoredPayloadConverter,
    randomSeed: string,
    readonly log: (level: 'debug' | 'info' | 'warn' | 'error', message: string, attrs: unknown[]) => void,
  ) {
    installGlobalOverrides();
    this.info = info;
    this.converter = converter;
    this.now = info.startTime.getTime();
    this.random = seededRandom(randomSeed);
    this.rootScope = new CancellationScope({ cancellable: true, parent: null });
    this.localActivities = new LocalActivities(converter, (command) => this.pushCommand(command));
    this.messages = new MessageHandlers({
      converter,
      inWorkflow: (fn) => this.inWorkflow(fn),
      failFromCode: (error) => this.failFromCode(error),
      pushCommand: (command) => this.pushCommand(command),
      commandCount: () => this.commands.length,
    });
  }

  /** A version-4 UUID from the run's seeded generator: the same on every replay. */
  uuid4(): string {
    return uuid4From(this.random);
  }

  /** Runs `fn` as workflow code of this run, in the given scope. */
  inWorkflow<T>(fn: () => T, scope: CancellationScope = this.rootScope): T {
    return runInSlot({ activator: this, scope }, fn);
  }

  /** The commands issued since the last call. */
  takeCommands(): Command[] {
    const commands = this.commands;
    this.commands = [];
    return commands;
  }

  pushCommand(command: Command): void {
    if (this.closed) return;
    this.commands.push(command);
  }

  // ---- operations called by the workflow API -------------------------------------------------

  private cancelledNow(scope: CancellationScope): boolean {
    return scope.consideredCancelled && scope.cancellable;
  }

  /** Schedules an activity; the promise settles from its history events. */
  scheduleActivity(
    command: Omit<Extract<Command, { type: 'ScheduleActivityTask' }>, 'type' | 'seq' | 'activityId'> & {
      activityId?: string;
    },
    scope: CancellationScope,
  ): Promise<unknown> {
    const seq = ++this.seqs.activity;
    const activityId = command.activityId ?? String(seq);
    if (this.cancelledNow(scope)) {
      return Promise.reject(this.activityCancelled(command.activityType, activityId));
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
          reject(this.activityCancelled(command.activityType, activityId));
        }
      });
    });
    // A settled activity leaves its scope: a long-lived scope (the root) must not keep a listener
    // per activity ever run, or a long run's memory and cancellation cost grow with its history.
    promise.then(unsubscribe, unsubscribe);
    return promise;
  }

  /** Calls a local activity; the promise settles from its outcome (run now, or its recorded marker). */
  callLocalActivity(
    request: Omit<LocalActivityRequest, 'seq' | 'activityId' | 'attempt' | 'originalScheduleTime'> & {
      activityId?: string;
    },
    scope: CancellationScope,
  ): Promise<unknown> {
    if (this.cancelledNow(scope)) {
      return Promise.reject(this.activityCancelled(request.activityType, request.activityId ?? 'local'));
    }
    // Nothing runs after the workflow closed: its commands are dropped.
    if (this.closed) return new Promise(() => {});
    return this.localActivities.call(
      { ...request, attempt: 1, originalScheduleTime: this.now },
      {
        onCancel: (cancel) =>
          scope.onCancel(() =>
            cancel(this.activityCancelled(request.activityType, request.activityId ?? 'local')),
          ),
        retryAfter: (backoffMs) => this.startTimer(backoffMs, scope).promise,
      },
    );
  }

  private activityCancelled(activityType: string, activityId: string): CairnFailure {
    return fromFailureInfo(
      {
        kind: 'activity',
        message: 'Activity cancelled',
        activityType,
        activityId,
        retryState: 'CancelRequested',
        cause: { kind: 'cancelled', message: 'Activity cancelled' },
      },
      this.converter,
    );
  }

  /** Starts a durable timer in the current scope. */
  startTimer(duration: Duration, scope?: CancellationScope): TimerHandle {
    const durationMs = durationToMs(duration);
    const timerScope = scope ?? CancellationScope.current();
    const seq = ++this.seqs.timer;
    let cancel = () => {};
    let started = false;
    const promise = new Promise<void>((resolve, reject) => {
      if (this.cancelledNow(timerScope)) {
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

  /** Resolves when `fn()` turns true; re-checked after every activation step. */
  waitCondition(fn: () => boolean, scope: CancellationScope): Promise<void> {
    const seq = ++this.seqs.condition;
    return new Promise<void>((resolve, reject) => {
      if (this.cancelledNow(scope)) {
        reject(new CancelledFailure('Condition cancelled'));
        return;
      }
      const unsubscribe = scope.onCancel((reason) => {
        if (this.conditions.delete(seq)) reject(reason);
      });
      // Met, the condition leaves its scope (see scheduleActivity).
      const met = () => {
        unsubscribe();
        resolve();
      };
      this.conditions.set(seq, { fn, resolve: met, scope });
    });
  }

  /** Starts a child workflow; returns promises for its start and its result. */
  startChild(
    command: Omit<Extract<Command, { type: 'StartChildWorkflowExecution' }>, 'type' | 'seq'>,
    scope: CancellationScope,
  ): { started: Promise<string>; result: Promise<unknown> } {
    const seq = ++this.seqs.child;
    if (this.cancelledNow(scope)) {
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

  /** `patched(id)`: true on new code paths; on replay, true only if the recorded task took it. */
  patched(patchId: string, deprecated: boolean): boolean {
    if (this.patchesUsed.has(patchId)) return true;
    const take = !this.isReplaying || this.patchesInTask.has(patchId);
    if (take) {
      this.patchesUsed.add(patchId);
      this.pushCommand({
        type: 'RecordMarker',
        markerName: 'patch',
        details: {
          patchId: this.converter.toPayload(patchId),
          deprecated: this.converter.toPayload(deprecated),
        },
      });
    }
    return take || deprecated;
  }

  setSignalHandler(name: string, handler: Handler | undefined): void {
    this.messages.setSignalHandler(name, handler);
  }

  setQueryHandler(name: string, handler: Handler | undefined): void {
    this.messages.setQueryHandler(name, handler);
  }

  setUpdateHandler(name: string, entry: UpdateEntry | undefined): void {
    this.messages.setUpdateHandler(name, entry);
  }

  /** True when no signal or update handler is still running. */
  allHandlersFinished(): boolean {
    return this.messages.allHandlersFinished();
  }

  /** Answers a query from the current state. A handler that issues a command is rejected. */
  query(name: string, input: Payload[]): Payload {
    return this.messages.query(name, input);
  }

  /** The updates this activation accepted or rejected for the first time (replay reads and clears it). */
  get updateDecisions(): UpdateDecision[] {
    return this.messages.updateDecisions;
  }

  // ---- activation ------------------------------------------------------------------------------

  /**
   * Applies jobs, then lets workflow code run until it is blocked on something only history can
   * settle. Returns the commands it issued.
   */
  async activate(jobs: readonly ActivationJob[]): Promise<Command[]> {
    // The start first (it registers handlers), then signals, cancellation and updates, so their
    // handlers run before resumed code reads state, then everything else.
    for (const job of jobs) {
      if (job.kind === 'resolveActivity' || job.kind === 'failActivity') this.settling.activity.add(job.seq);
      if (job.kind === 'fireTimer') this.settling.timer.add(job.seq);
    }
    try {
      for (const job of jobs) if (job.kind === 'start') this.applyJob(job);
      for (const job of jobs) if (isHandlerJob(job)) this.applyJob(job);
      for (const job of jobs) if (job.kind !== 'start' && !isHandlerJob(job)) this.applyJob(job);
    } finally {
      this.settling.activity.clear();
      this.settling.timer.clear();
    }
    await this.settle();
    // A new update whose handler the code did not register during this activation is rejected.
    this.messages.rejectUnhandledUpdates();
    return this.takeCommands();
  }

  /** Runs microtasks to a standstill, re-checking conditions until none turns true. */
  private async settle(): Promise<void> {
    for (let round = 0; round < MAX_CONDITION_ROUNDS; round++) {
      // A macrotask boundary: every microtask queued by workflow code has run once we get here.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!this.checkConditions()) return;
    }
    throw new IllegalWorkflowOperationError(
      'Workflow conditions kept changing without end within one workflow task',
    );
  }

  private checkConditions(): boolean {
    let fired = false;
    for (const [seq, condition] of this.conditions) {
      let ready = false;
      try {
        ready = this.inWorkflow(condition.fn, condition.scope);
      } catch (error) {
        this.conditions.delete(seq);
        this.failFromCode(error);
        continue;
      }
      if (ready) {
        this.conditions.delete(seq);
        condition.resolve();
        fired = true;
      }
    }
    return fired;
  }

  private applyJob(job: ActivationJob): void {
    switch (job.kind) {
      case 'start':
        this.startWorkflow(job.input);
        return;
      case 'resolveActivity':
        this.settleCompletion(this.pending.activity, job.seq, () => this.converter.fromPayload(job.result));
        return;
      case 'failActivity':
        this.settleCompletion(this.pending.activity, job.seq, undefined, job.failure);
        return;
      case 'fireTimer':
        this.settleCompletion(this.pending.timer, job.seq, () => undefined);
        return;
      case 'signal':
        this.messages.deliverSignal(job.name, job.input);
        return;
      case 'cancelWorkflow':
        this.rootScope.cancel(new CancelledFailure(job.reason ?? 'Workflow cancelled'));
        return;
      case 'update':
        this.messages.applyUpdate(job);
        return;
      case 'resolveChildStart':
        this.settleCompletion(this.pending.childStart, job.seq, () => job.runId);
        return;
      case 'failChildStart':
        this.settleCompletion(this.pending.childStart, job.seq, undefined, job.failure);
        this.settleCompletion(this.pending.childResult, job.seq, undefined, job.failure);
        return;
      case 'resolveChild':
        this.settleCompletion(this.pending.childResult, job.seq, () =>
          this.converter.fromPayload(job.result),
        );
        return;
      case 'failChild':
        this.settleCompletion(this.pending.childResult, job.seq, undefined, job.failure);
        return;
      case 'resolveExternal':
        this.settleCompletion(this.pending.external, job.seq, () => undefined, job.failure);
        return;
      case 'resolveLocalActivity':
        this.localActivities.resolve(job.outcome);
        return;
      default: {
        const unknown: never = job;
        throw new TypeError(`Unknown activation job ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Settles exactly one pending completion; a missing entry means it was already settled (or abandoned). */
  private settleCompletion(
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

  private startWorkflow(input: Payload[]): void {
    const args = input.map((payload) => this.converter.fromPayload(payload));
    const run = this.inWorkflow(() => {
      try {
        return Promise.resolve((this.workflowFn as (...a: unknown[]) => Promise<unknown>)(...args));
      } catch (error) {
        return Promise.reject(error);
      }
    });
    run.then(
      (result) =>
        this.closeWith({ type: 'CompleteWorkflowExecution', result: this.converter.toPayload(result) }),
      (error: unknown) => this.failFromCode(error),
    );
  }

  private closeWith(command: Command): void {
    if (this.closed) return;
    this.pushCommand(command);
    this.closed = true;
  }

  /** Maps what workflow code threw to a close command, or to a failed workflow task. */
  failFromCode(error: unknown): void {
    if (this.closed) return;
    if (error instanceof ContinueAsNewRequest) {
      this.closeWith({ type: 'ContinueAsNewWorkflowExecution', ...error.command });
    } else if (isCancellation(error) && this.rootScope.consideredCancelled) {
      this.closeWith({ type: 'CancelWorkflowExecution' });
    } else if (error instanceof CairnFailure) {
      this.closeWith({ type: 'FailWorkflowExecution', failure: toFailureInfo(error, this.converter) });
    } else if (this.taskFailure === undefined) {
      this.taskFailure = error;
    }
  }
}

function isHandlerJob(job: ActivationJob): boolean {
  return job.kind === 'signal' || job.kind === 'update' || job.kind === 'cancelWorkflow';
}
