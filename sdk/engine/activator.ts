import type { Duration } from '../common/duration.ts';
import { CairnFailure, CancelledFailure, isCancellation, toFailureInfo } from '../common/failures.ts';
import type { Payload, StoredPayloadConverter } from '../common/payload.ts';
import { type ActivationJob, inActivationOrder } from './activation-job.ts';
import { CancellationScope } from './cancellation-scope.ts';
import {
  activityCancelled,
  CommandCompletions,
  type ScheduleActivityInput,
  type StartChildInput,
  type TimerHandle,
} from './command-completions.ts';
import type { Command } from './commands.ts';
import { Conditions } from './conditions.ts';
import { ContinueAsNewRequest } from './continue-as-new.ts';
import { runInSlot } from './current-run.ts';
import { installGlobalOverrides } from './global-overrides.ts';
import { LocalActivities, type LocalActivityRequest } from './local-activities.ts';
import { type Handler, MessageHandlers, type UpdateDecision, type UpdateEntry } from './message-handlers.ts';
import { seededRandom, uuid4From } from './prng.ts';
import type { WorkflowInfo } from './workflow-info.ts';

/** A workflow function as registered with a worker. */
export type WorkflowFunction = (...args: never[]) => Promise<unknown>;

export type { UpdateDecision };

/**
 * The per-run machinery workflow code talks to: it records the commands workflow code issues,
 * applies each activation's jobs (to the pending completions, the handlers, the local activities,
 * the root scope), runs the code to a standstill, and turns how the workflow function ended into
 * its close command. Deterministic by construction: its only inputs are the jobs and the clock
 * value replay gives it.
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
  /** Patch ids recorded by the workflow task being replayed (or every id, when not replaying). */
  patchesInTask = new Set<string>();
  private readonly patchesUsed = new Set<string>();
  /** Signal, query and update handlers, and the messages waiting for one. */
  private readonly messages: MessageHandlers;
  /** Local activities: run by the workflow task's worker, recorded as markers. */
  readonly localActivities: LocalActivities;
  /** Activities, timers, children and external signals/cancels, each awaiting its history event. */
  private readonly completions: CommandCompletions;
  private readonly conditions: Conditions;

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
    const pushCommand = (command: Command) => this.pushCommand(command);
    this.localActivities = new LocalActivities(converter, pushCommand);
    this.completions = new CommandCompletions(converter, pushCommand);
    this.conditions = new Conditions({
      inWorkflow: (fn, scope) => this.inWorkflow(fn, scope),
      failFromCode: (error) => this.failFromCode(error),
    });
    this.messages = new MessageHandlers({
      converter,
      inWorkflow: (fn) => this.inWorkflow(fn),
      failFromCode: (error) => this.failFromCode(error),
      pushCommand,
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

  /** Schedules an activity; the promise settles from its history events. */
  scheduleActivity(command: ScheduleActivityInput, scope: CancellationScope): Promise<unknown> {
    return this.completions.scheduleActivity(command, scope);
  }

  /** Calls a local activity; the promise settles from its outcome (run now, or its recorded marker). */
  callLocalActivity(
    request: Omit<LocalActivityRequest, 'seq' | 'activityId' | 'attempt' | 'originalScheduleTime'> & {
      activityId?: string;
    },
    scope: CancellationScope,
  ): Promise<unknown> {
    const cancelled = () =>
      activityCancelled(request.activityType, request.activityId ?? 'local', this.converter);
    if (scope.consideredCancelled) return Promise.reject(cancelled());
    // Nothing runs after the workflow closed: its commands are dropped.
    if (this.closed) return new Promise(() => {});
    return this.localActivities.call(
      { ...request, attempt: 1, originalScheduleTime: this.now },
      {
        onCancel: (cancel) => scope.onCancel(() => cancel(cancelled())),
        retryAfter: (backoffMs) => this.startTimer(backoffMs, scope).promise,
      },
    );
  }

  /** Starts a durable timer in the given scope (the current one by default). */
  startTimer(duration: Duration, scope?: CancellationScope): TimerHandle {
    return this.completions.startTimer(duration, scope);
  }

  /** Resolves when `fn()` turns true; re-checked after every activation step. */
  waitCondition(fn: () => boolean, scope: CancellationScope): Promise<void> {
    return this.conditions.wait(fn, scope);
  }

  /** Starts a child workflow; returns promises for its start and its result. */
  startChild(
    command: StartChildInput,
    scope: CancellationScope,
  ): { started: Promise<string>; result: Promise<unknown> } {
    return this.completions.startChild(command, scope);
  }

  /** Signals another workflow (a child only, if `childOnly`); settles once the signal was delivered. */
  signalExternal(...args: Parameters<CommandCompletions['signalExternal']>): Promise<void> {
    return this.completions.signalExternal(...args);
  }

  /** Asks another workflow (a child only, if `childOnly`) to cancel; settles once it was asked. */
  requestCancelExternal(...args: Parameters<CommandCompletions['requestCancelExternal']>): Promise<void> {
    return this.completions.requestCancelExternal(...args);
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
    this.completions.whileSettling(jobs, () => {
      for (const job of inActivationOrder(jobs)) this.applyJob(job);
    });
    await this.conditions.settle();
    // A new update whose handler the code did not register during this activation is rejected.
    this.messages.rejectUnhandledUpdates();
    return this.takeCommands();
  }

  private applyJob(job: ActivationJob): void {
    switch (job.kind) {
      case 'start':
        this.startWorkflow(job.input);
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
      case 'resolveLocalActivity':
        this.localActivities.resolve(job.outcome);
        return;
      case 'resolveActivity':
      case 'failActivity':
      case 'fireTimer':
      case 'resolveChildStart':
      case 'failChildStart':
      case 'resolveChild':
      case 'failChild':
      case 'resolveExternal':
        this.completions.apply(job);
        return;
      default: {
        const unknown: never = job;
        throw new TypeError(`Unknown activation job ${JSON.stringify(unknown)}`);
      }
    }
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
