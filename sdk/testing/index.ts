/**
 * `cairn/testing`: a whole engine for tests, in memory with time skipping.
 *
 * @example
 * import { TestWorkflowEnvironment } from 'cairn/testing';
 */

export type { WorkerOptions } from '../worker/worker.ts';
export { Worker } from '../worker/worker.ts';
export type { TimeSkippingOptions } from './test-env.ts';
export { InProcessConnection, TestWorkflowEnvironment } from './test-env.ts';
