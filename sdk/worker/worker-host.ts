import type { Connection } from '../client/connection.ts';
import type { WorkerRegistry } from '../runtime/worker-registry.ts';

/**
 * What `Worker.create` needs from its connection: an engine in this process that serves the task
 * queues of the workers attached to it. The test environment's `nativeConnection` is one; an HTTP
 * connection is not (on AWS a worker is a Lambda function). An interface rather than the testing
 * class itself, so that `cairnflow/worker`, and with it every Lambda bundle, never imports the
 * in-memory engine or the local stack.
 *
 * @example
 * class InProcessConnection extends Connection implements WorkerHost {
 *   attachWorker(registry: WorkerRegistry) { return this.engine.addWorker(registry); }
 * }
 */
export interface WorkerHost extends Connection {
  /** Starts serving `registry`'s task queue in this process; the returned function stops it. */
  attachWorker(registry: WorkerRegistry): () => void;
}

export function isWorkerHost(connection: Connection): connection is WorkerHost {
  return typeof (connection as Partial<WorkerHost>).attachWorker === 'function';
}
