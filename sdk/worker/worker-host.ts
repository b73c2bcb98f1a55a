import type { Connection } from '../client/connection.ts';
import type { WorkerRegistry } from '../runtime/worker-registry.ts';

/**
 * What `Worker.create` needs from its connection: an engine that serves the task queues of the
 * workers attached to it. The test environments' `nativeConnection` is one (the in-memory engine,
 * or the local stack, which hosts the worker as a function of its own); a plain HTTP connection is
 * not (on AWS a worker is a Lambda function). An interface rather than the testing
 * class itself, so that `cairnflow/worker`, and with it every Lambda bundle, never imports the
 * in-memory engine or the local stack.
 *
 * @example
 * class InProcessConnection extends Connection implements WorkerHost {
 *   async attachWorker(registry: WorkerRegistry) { const remove = this.engine.addWorker(registry); return async () => remove(); }
 * }
 */
export interface WorkerHost extends Connection {
  /**
   * Called by `Worker.create`: the task queue takes work from now on (tasks wait until the worker
   * runs), as a Temporal task queue does before its worker polls.
   */
  prepareWorker?(registry: WorkerRegistry): Promise<void>;
  /** Starts serving `registry`'s task queue; the returned function stops it. */
  attachWorker(registry: WorkerRegistry): Promise<() => Promise<void>>;
}

export function isWorkerHost(connection: Connection): connection is WorkerHost {
  return typeof (connection as Partial<WorkerHost>).attachWorker === 'function';
}
