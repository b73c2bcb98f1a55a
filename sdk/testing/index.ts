/**
 * `cairnflow/testing`: a whole engine for tests, in memory with time skipping.
 *
 * @example
 * import { TestWorkflowEnvironment } from 'cairnflow/testing';
 */

export type { LogEntry, Logger, LogLevel } from '../worker/default-logger.ts';
export { DefaultLogger } from '../worker/default-logger.ts';
export { Runtime } from '../worker/runtime.ts';
export type { WorkerOptions } from '../worker/worker.ts';
export { Worker } from '../worker/worker.ts';
export type { BundleOptions, WorkflowBundle } from '../worker/workflow-bundle.ts';
export { bundleWorkflowCode } from '../worker/workflow-bundle.ts';
export { checkHistoryInvariants } from './invariants.ts';
export type { MockActivityEnvironmentOptions } from './mock-activity-environment.ts';
export { defaultActivityInfo, MockActivityEnvironment } from './mock-activity-environment.ts';
export type { ReplayOptions } from './replay.ts';
export { replayHistory } from './replay.ts';
export type { LocalOptions, TimeSkippingOptions } from './test-env.ts';
export { InProcessConnection, TestWorkflowEnvironment } from './test-env.ts';
