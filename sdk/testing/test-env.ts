import type { LocalStack } from '../../local/stack.ts';
import type { HistoryStore } from '../backend/ports.ts';
import { Client } from '../client/client.ts';
import { Connection, type WorkflowServiceApi } from '../client/connection.ts';
import { type Duration, durationToMs } from '../common/duration.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import type { DataConverter } from '../common/payload.ts';
import { loadDataConverter } from '../common/stored-payload.ts';
import type { HistoryEvent } from '../engine/events.ts';
import type { RunState } from '../engine/run-state.ts';
import type { Logger } from '../runtime/deps.ts';
import {
  createWorkerRegistry,
  type WorkerDefinition,
  type WorkerRegistry,
} from '../runtime/worker-registry.ts';
import { resolveWorkflows, type WorkflowSources } from '../worker/worker.ts';
import type { WorkerHost } from '../worker/worker-host.ts';
import { MemoryEngine } from './memory-engine.ts';
import { storedHistories, verifyHistory } from './verify-histories.ts';

/** A worker of a test environment: its workflows as a module object, a module path or a bundle. */
export type TestWorkerDefinition = WorkerDefinition & WorkflowSources;

/** Options of `TestWorkflowEnvironment.createTimeSkipping`. */
export interface TimeSkippingOptions {
  workers?: TestWorkerDefinition[];
  namespace?: string;
  dataConverter?: DataConverter;
  /** Virtual start time (epoch ms). @default now */
  startTime?: number;
  logger?: Logger;
}

/** Options of `TestWorkflowEnvironment.createLocal`. */
export interface LocalOptions {
  /** Workers hosted for the stack's whole life. @default none: add them with `Worker.create({ connection: env.nativeConnection })` */
  workers?: TestWorkerDefinition[];
  namespace?: string;
  dataConverter?: DataConverter;
  /** Port of the HTTP API on 127.0.0.1. @default a free port */
  port?: number;
  /** Function timeout of the local Lambda host (queue visibility is six times this). @default 30 */
  functionTimeoutSeconds?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * The handlers' clock. `manual`: real time plus an offset that `env.sleep(duration)` moves forward
   * at once (then the sweeper runs, so long timers come due), for tests of 30-day timers and
   * year-long timeouts through the real handlers. `system`: real time; `env.sleep` waits for real.
   * @default 'system'
   */
  clock?: 'system' | 'manual';
}

/** A connection whose engine runs in this process; `Worker.create` attaches workers to it. */
export class InProcessConnection extends Connection implements WorkerHost {
  constructor(
    service: WorkflowServiceApi,
    readonly engine: MemoryEngine,
  ) {
    super(service);
  }

  async attachWorker(registry: WorkerRegistry): Promise<() => Promise<void>> {
    const remove = this.engine.addWorker(registry);
    return async () => remove();
  }
}

/**
 * The HTTP connection of a local-stack environment, which also hosts workers: `Worker.create` on
 * it adds the worker to the running stack as a function of its own (queues, event source mappings),
 * as `engine.addWorker` would deploy one.
 */
export class LocalStackConnection extends Connection implements WorkerHost {
  constructor(
    service: WorkflowServiceApi,
    private readonly stack: LocalStack,
    private readonly registries: Map<string, WorkerRegistry>,
  ) {
    super(service);
  }

  async prepareWorker(registry: WorkerRegistry): Promise<void> {
    const { workerHandler } = await import('../worker/create-worker.ts');
    await this.stack.registerWorker(workerHandler(registry));
  }

  async attachWorker(registry: WorkerRegistry): Promise<() => Promise<void>> {
    // Loaded on demand, as the stack is: the Lambda handler pulls in the AWS SDK.
    const { workerHandler } = await import('../worker/create-worker.ts');
    const detach = await this.stack.attachWorker(workerHandler(registry));
    this.registries.set(registry.taskQueue, registry);
    return detach;
  }
}

/**
 * Refuses options the environment does not have (Temporal's `server`, `client`, ...) with what to
 * do instead, rather than ignoring them.
 */
function checkOptions(factory: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint =
      key === 'server'
        ? 'there is no separate test server: the engine runs in this process (or on the embedded AWS stack)'
        : key === 'client'
          ? 'pass dataConverter and namespace directly'
          : 'no such option';
    throw new InvalidArgumentError(
      `TestWorkflowEnvironment.${factory}: '${key}' is not supported (${hint}); the options are ${known.join(', ')}`,
    );
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

/** What differs between the in-memory and the local-stack environment. */
interface Backend {
  store: HistoryStore;
  /** A worker that registers `workflowType` on `taskQueue`, if one is attached. */
  workerFor(taskQueue: string, workflowType: string): WorkerRegistry | undefined;
  sleep(ms: number): Promise<void>;
  now(): number;
  teardown(): Promise<void>;
}

/**
 * The options with each `payloadConverterPath` (the environment's and its workers') and each
 * worker's `workflowsPath` or bundle loaded.
 */
async function withLoadedConverters<
  O extends { dataConverter?: DataConverter; workers?: TestWorkerDefinition[] },
>(options: O): Promise<Omit<O, 'workers'> & { workers?: WorkerDefinition[] }> {
  const dataConverter = await loadDataConverter(options.dataConverter);
  const workers =
    options.workers &&
    (await Promise.all(
      options.workers.map(async (worker) => {
        const resolved = await resolveWorkflows(worker);
        const own = await loadDataConverter(resolved.dataConverter);
        return own ? { ...resolved, dataConverter: own } : resolved;
      }),
    ));
  return { ...options, dataConverter, workers };
}

/**
 * A whole Cairn engine for tests. `createTimeSkipping` runs it in memory under a virtual clock:
 * while a client waits for a result, or during `env.sleep`, time jumps to the next due timer
 * whenever no task is pending, so a 30-day wait takes milliseconds. `createLocal` runs the same
 * workers on the embedded AWS stack (DynamoDB Local, the SQS emulator, the real Lambda handlers)
 * in real time.
 *
 * @example
 * const env = await TestWorkflowEnvironment.createTimeSkipping({ workers: [{ taskQueue: 'loans', workflows, activities }] });
 * const result = await env.client.workflow.execute(loanApplication, { taskQueue: 'loans', workflowId: 'loan-1', args: [app] });
 * await env.teardown();
 */
export class TestWorkflowEnvironment {
  readonly client: Client;
  readonly namespace: string;

  private constructor(
    private readonly backend: Backend,
    readonly connection: InProcessConnection | LocalStackConnection,
    options: { namespace?: string; dataConverter?: DataConverter },
    private readonly memory?: MemoryEngine,
    /** The embedded AWS stack of a `createLocal` environment. */
    readonly localStack?: LocalStack,
  ) {
    this.namespace = options.namespace ?? 'default';
    this.client = new Client({ connection, namespace: this.namespace, dataConverter: options.dataConverter });
  }

  static async createTimeSkipping(given: TimeSkippingOptions = {}): Promise<TestWorkflowEnvironment> {
    checkOptions('createTimeSkipping', given, [
      'workers',
      'namespace',
      'dataConverter',
      'startTime',
      'logger',
    ]);
    const options = await withLoadedConverters(given);
    const engine = new MemoryEngine({ startTime: options.startTime, logger: options.logger });
    try {
      for (const definition of options.workers ?? []) {
        engine.addWorker(createWorkerRegistry({ dataConverter: options.dataConverter, ...definition }));
      }
      const backend: Backend = {
        store: engine.store,
        workerFor: (taskQueue, workflowType) => engine.pool.forWorkflowType(taskQueue, workflowType),
        sleep: (ms) => engine.runner.sleep(ms),
        now: () => engine.clock.now(),
        teardown: () => engine.shutdown(),
      };
      const connection = new InProcessConnection(isolated(engine.service), engine);
      return new TestWorkflowEnvironment(backend, connection, options, engine);
    } catch (error) {
      await engine.shutdown();
      throw error;
    }
  }

  /**
   * The same environment on the embedded AWS stack, on 127.0.0.1: the workers run inside the local
   * Lambda host, driven through DynamoDB streams and SQS, and the client speaks HTTP.
   */
  static async createLocal(given: LocalOptions = {}): Promise<TestWorkflowEnvironment> {
    checkOptions('createLocal', given, [
      'workers',
      'namespace',
      'dataConverter',
      'port',
      'functionTimeoutSeconds',
      'logLevel',
      'clock',
    ]);
    const options = await withLoadedConverters(given);
    // Loaded on demand: the in-memory environment must not pull in the AWS SDK and the emulators.
    const { startLocalStack } = await import('../../local/stack.ts');
    const definitions = (options.workers ?? []).map((definition) => ({
      dataConverter: options.dataConverter,
      ...definition,
    }));
    const stack = await startLocalStack({
      workers: definitions,
      port: options.port,
      functionTimeoutSeconds: options.functionTimeoutSeconds,
      logLevel: options.logLevel,
      clock: options.clock,
    });
    const registries = new Map(
      definitions.map((definition) => [definition.taskQueue, createWorkerRegistry(definition)]),
    );
    const backend: Backend = {
      store: stack.runtime.store,
      workerFor: (taskQueue) => registries.get(taskQueue),
      sleep: async (ms) => {
        if (stack.clock.mode === 'system') return new Promise((resolve) => setTimeout(resolve, ms));
        stack.clock.advance(ms);
        await stack.sweep();
      },
      now: () => stack.clock.now(),
      teardown: () => stack.stop(),
    };
    const http = Connection.lazy({ address: stack.endpoint });
    return new TestWorkflowEnvironment(
      backend,
      new LocalStackConnection(http.service, stack, registries),
      options,
      undefined,
      stack,
    );
  }

  /** Base URL of the HTTP API (local-stack environments). */
  get endpoint(): string {
    if (!this.localStack) throw new InvalidArgumentError('A time-skipping environment has no HTTP endpoint');
    return this.localStack.endpoint;
  }

  /** The in-memory engine (time-skipping environments only). */
  get engine(): MemoryEngine {
    if (!this.memory)
      throw new InvalidArgumentError('This environment runs on the local stack, not in memory');
    return this.memory;
  }

  /**
   * The connection `Worker.create` attaches workers to: in-process ones in a time-skipping
   * environment, functions of the stack in a local one (one worker per task queue there).
   */
  get nativeConnection(): InProcessConnection | LocalStackConnection {
    return this.connection as InProcessConnection | LocalStackConnection;
  }

  /**
   * Advances time by `duration`: virtually (timers fire in due order on the way); on the local stack
   * really, or with `clock: 'manual'` at once (then the sweeper runs; what came due fires as the
   * handlers get to it, not in order on the way).
   */
  async sleep(duration: Duration): Promise<void> {
    await this.backend.sleep(durationToMs(duration));
  }

  /** The environment's current time (virtual in a time-skipping environment), epoch ms. */
  async currentTimeMs(): Promise<number> {
    return this.backend.now();
  }

  /** Every run of this environment's namespace with its full (stored) history. */
  async histories(): Promise<{ state: RunState; events: HistoryEvent[] }[]> {
    return storedHistories(this.backend.store, this.namespace);
  }

  /** Every run's full history in the in-memory store (time-skipping environments). */
  allHistories(): { state: RunState; events: HistoryEvent[] }[] {
    return this.engine.store.allHistories();
  }

  /**
   * Replays every history this environment recorded with the registered workflow code, and checks
   * each history's invariants. Returns the problems found (empty when all is well).
   */
  async verifyHistories(): Promise<string[]> {
    const problems: string[] = [];
    for (const run of await this.histories()) {
      const worker = this.backend.workerFor(run.state.taskQueue, run.state.workflowType);
      problems.push(...(await verifyHistory(this.backend.store, run, worker)));
    }
    return problems;
  }

  async teardown(): Promise<void> {
    await this.backend.teardown();
  }
}
