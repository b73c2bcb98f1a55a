/**
 * `cairnflow/worker`: binding workflows and activities to a task queue.
 *
 * @example
 * import { Worker } from 'cairnflow/worker';
 */
export type { WorkerDefinition } from '../runtime/worker-registry.ts';
export type { WorkerEvent, WorkerHandler, WorkerResult } from './create-worker.ts';
export { createWorker } from './create-worker.ts';
export type { LogEntry, Logger, LogLevel, LogMetadata } from './default-logger.ts';
export { DefaultLogger } from './default-logger.ts';
export type { RuntimeOptions } from './runtime.ts';
export { Runtime } from './runtime.ts';
export type { WorkerOptions } from './worker.ts';
export { Worker } from './worker.ts';
export type { BundleOptions, WorkflowBundle } from './workflow-bundle.ts';
export { bundleWorkflowCode } from './workflow-bundle.ts';
