/**
 * `cairnflow/testing`: a whole engine for tests, in memory with time skipping.
 *
 * @example
 * import { TestWorkflowEnvironment } from 'cairnflow/testing';
 */

export type { WorkerOptions } from '../worker/worker.ts';
export { Worker } from '../worker/worker.ts';
export { checkHistoryInvariants } from './invariants.ts';
export type { ReplayOptions } from './replay.ts';
export { replayHistory } from './replay.ts';
export type { LocalOptions, TimeSkippingOptions } from './test-env.ts';
export { InProcessConnection, TestWorkflowEnvironment } from './test-env.ts';
