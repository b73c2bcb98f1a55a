import { Client } from '../client/client.ts';
import { Connection, type WorkflowServiceApi } from '../client/connection.ts';
import { type Duration, durationToMs } from '../common/duration.ts';
import type { DataConverter } from '../common/payload.ts';
import type { Logger } from '../runtime/deps.ts';
import { createWorkerRegistry, type WorkerDefinition } from '../runtime/worker-registry.ts';
import { checkHistoryInvariants } from './invariants.ts';
import { MemoryEngine } from './memory-engine.ts';
import { replayHistory } from './replay.ts';

/** Options of `TestWorkflowEnvironment.createTimeSkipping`. */
export interface TimeSkippingOptions {
  workers?: WorkerDefinition[];
  namespace?: string;
  dataConverter?: DataConverter;
  /** Virtual start time (epoch ms). @default now */
  startTime?: number;
  logger?: Logger;
}

/** A connection whose engine runs in this process; `Worker.create` attaches workers to it. */
export class InProcessConnection extends Connection {
  constructor(
    service: WorkflowServiceApi,
    readonly engine: MemoryEngine,
  ) {
    super(service);
  }
}

/** Copies what crosses the in-process "wire", so callers never share the engine's objects. */
function isolated(service: WorkflowServiceApi): WorkflowServiceApi {
  return new Proxy(service, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => structuredClone(await value.apply(target, structuredClone(args)));
    },
  });
}

/**
 * A whole Cairn engine for tests. `createTimeSkipping` runs it in memory under a virtual clock:
 * while a client waits for a result, or during `env.sleep`, time jumps to the next due timer
 * whenever no task is pending, so a 30-day wait takes milliseconds.
 *
 * @example
 * const env = await TestWorkflowEnvironment.createTimeSkipping({ workers: [{ taskQueue: 'loans', workflows, activities }] });
 * const result = await env.client.workflow.execute(loanApplication, { taskQueue: 'loans', workflowId: 'loan-1', args: [app] });
 * await env.teardown();
 */
export class TestWorkflowEnvironment {
  readonly client: Client;
  readonly nativeConnection: InProcessConnection;
  readonly namespace: string;

  private constructor(
    readonly engine: MemoryEngine,
    options: TimeSkippingOptions,
  ) {
    this.namespace = options.namespace ?? 'default';
    this.nativeConnection = new InProcessConnection(isolated(engine.service), engine);
    this.client = new Client({
      connection: this.nativeConnection,
      namespace: this.namespace,
      dataConverter: options.dataConverter,
    });
    for (const definition of options.workers ?? []) {
      engine.addWorker(createWorkerRegistry({ dataConverter: options.dataConverter, ...definition }));
    }
  }

  static async createTimeSkipping(options: TimeSkippingOptions = {}): Promise<TestWorkflowEnvironment> {
    const engine = new MemoryEngine({ startTime: options.startTime, logger: options.logger });
    try {
      return new TestWorkflowEnvironment(engine, options);
    } catch (error) {
      await engine.shutdown();
      throw error;
    }
  }

  /** Advances virtual time by `duration`; timers fire in due order on the way. */
  async sleep(duration: Duration): Promise<void> {
    await this.engine.runner.sleep(durationToMs(duration));
  }

  /** The environment's current (virtual) time, epoch ms. */
  async currentTimeMs(): Promise<number> {
    return this.engine.clock.now();
  }

  /**
   * Replays every history this environment recorded with the registered workflow code, and checks
   * each history's invariants. Returns the problems found (empty when all is well).
   */
  async verifyHistories(): Promise<string[]> {
    const problems: string[] = [];
    for (const { state, events } of this.engine.store.allHistories()) {
      const label = `${state.workflowType} ${state.workflowId}/${state.runId}`;
      for (const problem of checkHistoryInvariants(events)) problems.push(`${label}: ${problem}`);
      const worker = this.engine.workers.get(state.taskQueue);
      if (!worker?.workflows.has(state.workflowType)) continue;
      const decoded = await worker.codec.decode(events);
      try {
        await replayHistory(
          {
            workflows: Object.fromEntries(worker.workflows),
            converter: worker.converter,
            runId: state.runId,
          },
          decoded,
        );
      } catch (error) {
        const stuck = await this.engine.store.getWorkflowTaskFailure(state.namespace, state.runId);
        // A run stuck on a failing task was meant to be (e.g. a determinism test): it must fail the same way.
        if (!stuck || stuck.eventId !== state.workflowTask?.scheduledEventId) {
          problems.push(`${label}: replay failed: ${(error as Error).message}`);
        }
      }
    }
    return problems;
  }

  /** The full history of every run, for fixtures and checks. */
  allHistories() {
    return this.engine.store.allHistories();
  }

  async teardown(): Promise<void> {
    await this.engine.shutdown();
  }
}
