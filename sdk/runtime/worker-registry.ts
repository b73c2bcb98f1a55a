import { InvalidArgumentError } from '../common/errors.ts';
import type { DataConverter, StoredPayloadConverter } from '../common/payload.ts';
import { CodecChain } from '../common/payload-codec.ts';
import { checkDataConverter, storedPayloadConverter } from '../common/stored-payload.ts';
import type { WorkflowFunction } from '../engine/activator.ts';
import { OutcomeCoalescer } from './activity-outcomes.ts';
import { installNodeGuards } from './node-guards.ts';
import { WorkflowCache } from './workflow-cache.ts';

/** An activity implementation: any async (or sync) function. */
export type ActivityFunction = (...args: never[]) => unknown;

/** What one worker serves: the workflows and activities of one task queue. */
export interface WorkerDefinition {
  taskQueue: string;
  /** A module object (`import * as workflows from './workflows'`) or a record of workflow functions. */
  workflows?: object;
  activities?: object;
  dataConverter?: DataConverter;
  /** Warm workflow states kept in memory. @default 1000 */
  maxCachedWorkflows?: number;
  /**
   * Eager execution: how many of the activities one workflow task schedules on this task queue the
   * worker starts itself, in the same invocation, instead of sending them through the queue; their
   * outcomes commit with the next workflow task. 0 turns it off. @default 3
   */
  maxEagerActivities?: number;
}

/** Activities one workflow task starts eagerly when the worker does not say (Temporal's worker takes 3 too). */
export const DEFAULT_MAX_EAGER_ACTIVITIES = 3;

/** A worker definition resolved for the runtime. */
export interface WorkerRegistry {
  taskQueue: string;
  workflows: Map<string, WorkflowFunction>;
  activities: Map<string, ActivityFunction>;
  converter: StoredPayloadConverter;
  codec: CodecChain;
  cache: WorkflowCache;
  /** Activity outcomes of this worker waiting to be committed, per run. */
  outcomes: OutcomeCoalescer;
  /** Activities one workflow task may start eagerly (0: none). */
  maxEagerActivities: number;
}

function functionsOf<T>(source: object | undefined, what: string): Map<string, T> {
  const map = new Map<string, T>();
  if (source === undefined) return map;
  if (source === null || typeof source !== 'object') {
    throw new InvalidArgumentError(`${what} must be an object of functions (e.g. a module namespace)`);
  }
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'function') map.set(name, value as T);
  }
  return map;
}

/** Checks a worker definition and builds its registry. */
export function createWorkerRegistry(definition: WorkerDefinition): WorkerRegistry {
  for (const key of ['workflowsPath', 'workflowBundle'] as const) {
    if (key in definition) {
      // A Lambda handler is built synchronously at module load, and its bundle must contain the code.
      throw new InvalidArgumentError(
        `createWorker takes workflows as a module object, not ${key}: import * as workflows from './workflows' and pass workflows (Worker.create and the test environments take ${key})`,
      );
    }
  }
  if (typeof definition.taskQueue !== 'string' || definition.taskQueue.length === 0) {
    throw new InvalidArgumentError('A worker needs a non-empty taskQueue');
  }
  const workflows = functionsOf<WorkflowFunction>(definition.workflows, 'workflows');
  const activities = functionsOf<ActivityFunction>(definition.activities, 'activities');
  if (workflows.size === 0 && activities.size === 0) {
    throw new InvalidArgumentError(
      `Worker for task queue '${definition.taskQueue}' registers no workflows and no activities`,
    );
  }
  const dataConverter = definition.dataConverter;
  if (dataConverter !== undefined) checkDataConverter(dataConverter);
  if (dataConverter?.payloadConverterPath !== undefined) {
    // A Lambda handler is built synchronously at module load; loading a module is not.
    throw new InvalidArgumentError(
      `createWorker cannot load payloadConverterPath '${dataConverter.payloadConverterPath}': import the module and pass dataConverter: { payloadConverter } (Worker.create and the test environments load it)`,
    );
  }
  const maxEagerActivities = definition.maxEagerActivities ?? DEFAULT_MAX_EAGER_ACTIVITIES;
  if (!Number.isSafeInteger(maxEagerActivities) || maxEagerActivities < 0) {
    throw new InvalidArgumentError(
      `maxEagerActivities must be a whole number ≥ 0 (0 turns eager execution off), not ${String(definition.maxEagerActivities)}`,
    );
  }
  installNodeGuards();
  return {
    taskQueue: definition.taskQueue,
    workflows,
    activities,
    converter: storedPayloadConverter(dataConverter?.payloadConverter),
    codec: new CodecChain(definition.dataConverter?.payloadCodecs),
    cache: new WorkflowCache(definition.maxCachedWorkflows ?? 1000),
    outcomes: new OutcomeCoalescer(),
    maxEagerActivities,
  };
}
