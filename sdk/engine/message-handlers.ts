import { QueryRejectedError } from '../common/errors.ts';
import {
  ApplicationFailure,
  type CairnFailure,
  type FailureInfo,
  toFailureInfo,
} from '../common/failures.ts';
import type { Payload, StoredPayloadConverter } from '../common/payload.ts';
import type { ActivationJob } from './activation-job.ts';
import type { Command } from './commands.ts';

export type Handler = (...args: unknown[]) => unknown;

export interface UpdateEntry {
  handler: Handler;
  validator?: Handler;
}

/** The outcome of an update request that this activation saw for the first time. */
export type UpdateDecision =
  | { updateId: string; accepted: true }
  | { updateId: string; accepted: false; failure: FailureInfo };

/** What the handlers need of the run's activator. */
export interface HandlerHost {
  readonly converter: StoredPayloadConverter;
  /** Runs `fn` as workflow code of this run. */
  inWorkflow<T>(fn: () => T): T;
  /** Maps what workflow code threw to a close command or a failed workflow task. */
  failFromCode(error: unknown): void;
  pushCommand(command: Command): void;
  /** How many commands the current activation has issued so far. */
  commandCount(): number;
}

/**
 * A run's message handlers (signals, queries, updates) as its workflow code registers them: a
 * signal or update that arrives before its handler waits for it, a running handler counts
 * against `allHandlersFinished`, and each new update's acceptance or rejection is recorded for the
 * workflow task to commit. The activator applies the jobs; this is what they do to handlers.
 */
export class MessageHandlers {
  private readonly signalHandlers = new Map<string, Handler>();
  private readonly bufferedSignals: { name: string; args: unknown[] }[] = [];
  private readonly queryHandlers = new Map<string, Handler>();
  private readonly updateHandlers = new Map<string, UpdateEntry>();
  private readonly bufferedUpdates: Extract<ActivationJob, { kind: 'update' }>[] = [];
  private runningHandlers = 0;
  readonly updateDecisions: UpdateDecision[] = [];

  constructor(private readonly host: HandlerHost) {}

  setSignalHandler(name: string, handler: Handler | undefined): void {
    if (handler === undefined) {
      this.signalHandlers.delete(name);
      return;
    }
    this.signalHandlers.set(name, handler);
    for (let i = 0; i < this.bufferedSignals.length; ) {
      const signal = this.bufferedSignals[i]!;
      if (signal.name === name) {
        this.bufferedSignals.splice(i, 1);
        this.invokeHandler(handler, signal.args);
      } else i++;
    }
  }

  setQueryHandler(name: string, handler: Handler | undefined): void {
    if (handler === undefined) this.queryHandlers.delete(name);
    else this.queryHandlers.set(name, handler);
  }

  setUpdateHandler(name: string, entry: UpdateEntry | undefined): void {
    if (entry === undefined) {
      this.updateHandlers.delete(name);
      return;
    }
    this.updateHandlers.set(name, entry);
    const waiting = this.bufferedUpdates.filter((job) => job.name === name);
    for (const job of waiting) {
      this.bufferedUpdates.splice(this.bufferedUpdates.indexOf(job), 1);
      this.applyUpdate(job);
    }
  }

  /** True when no signal or update handler is still running. */
  allHandlersFinished(): boolean {
    return this.runningHandlers === 0;
  }

  /** Runs the signal's handler, or keeps the signal until one is registered. */
  deliverSignal(name: string, input: Payload[]): void {
    const args = input.map((payload) => this.host.converter.fromPayload(payload));
    const handler = this.signalHandlers.get(name);
    if (handler) this.invokeHandler(handler, args);
    else this.bufferedSignals.push({ name, args });
  }

  private invokeHandler(handler: Handler, args: unknown[]): Promise<unknown> {
    this.runningHandlers++;
    const result = this.host.inWorkflow(() => {
      try {
        return Promise.resolve(handler(...args));
      } catch (error) {
        return Promise.reject(error);
      }
    });
    const done = result.finally(() => {
      this.runningHandlers--;
    });
    done.catch((error: unknown) => this.host.failFromCode(error));
    return result;
  }

  /** Validates and runs an update, or keeps it until its handler is registered. */
  applyUpdate(job: Extract<ActivationJob, { kind: 'update' }>): void {
    const entry = this.updateHandlers.get(job.name);
    if (!entry) {
      this.bufferedUpdates.push(job);
      return;
    }
    const args = job.input.map((payload) => this.host.converter.fromPayload(payload));
    if (!job.alreadyAccepted && entry.validator) {
      try {
        this.host.inWorkflow(() => entry.validator!(...args));
      } catch (error) {
        this.rejectUpdate(job.updateId, ApplicationFailure.fromError(error));
        return;
      }
    }
    if (!job.alreadyAccepted) this.updateDecisions.push({ updateId: job.updateId, accepted: true });
    this.host.pushCommand({
      type: 'AcceptWorkflowUpdate',
      updateId: job.updateId,
      updateName: job.name,
      input: job.input,
    });
    this.runningHandlers++;
    const result = this.host.inWorkflow(() => {
      try {
        return Promise.resolve(entry.handler(...args));
      } catch (error) {
        return Promise.reject(error);
      }
    });
    result
      .then(
        (value) => ({ result: this.host.converter.toPayload(value) }),
        (error: unknown) => ({ failure: toFailureInfo(error, this.host.converter) }),
      )
      .then((outcome) => {
        this.runningHandlers--;
        this.host.pushCommand({ type: 'CompleteWorkflowUpdate', updateId: job.updateId, outcome });
      });
  }

  /** Rejects each new update still waiting for a handler: the activation ended without one registered. */
  rejectUnhandledUpdates(): void {
    for (const job of this.bufferedUpdates.filter((update) => !update.alreadyAccepted)) {
      this.bufferedUpdates.splice(this.bufferedUpdates.indexOf(job), 1);
      this.rejectUpdate(
        job.updateId,
        ApplicationFailure.nonRetryable(`No update handler for '${job.name}'`, 'UnknownUpdate'),
      );
    }
  }

  private rejectUpdate(updateId: string, failure: CairnFailure): void {
    this.updateDecisions.push({
      updateId,
      accepted: false,
      failure: toFailureInfo(failure, this.host.converter),
    });
  }

  /** Answers a query from the current state. A handler that issues a command is rejected. */
  query(name: string, input: Payload[]): Payload {
    const handler = this.queryHandlers.get(name);
    if (!handler) {
      const known = [...this.queryHandlers.keys()].join(', ') || 'none';
      throw new QueryRejectedError(`Workflow has no query handler for '${name}' (registered: ${known})`);
    }
    const before = this.host.commandCount();
    const args = input.map((payload) => this.host.converter.fromPayload(payload));
    let value: unknown;
    try {
      value = this.host.inWorkflow(() => handler(...args));
    } catch (error) {
      throw new QueryRejectedError(`Query '${name}' failed: ${(error as Error).message ?? String(error)}`);
    }
    if (this.host.commandCount() !== before || value instanceof Promise) {
      throw new QueryRejectedError(
        `Query '${name}' tried to ${value instanceof Promise ? 'await' : 'issue a command'}: queries must be synchronous and read-only`,
      );
    }
    return this.host.converter.toPayload(value);
  }
}
