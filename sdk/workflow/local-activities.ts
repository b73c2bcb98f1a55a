import { type Duration, durationToMs, optionalDurationToMs } from '../common/duration.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { currentSlot } from '../engine/current-run.ts';
import type { LocalActivityOptionsResolved } from '../engine/local-activities.ts';
import { type RetryPolicy, resolveRetryPolicy } from '../engine/retry-policy.ts';
import {
  type ActivityCancellationType,
  type ActivityInterfaceFor,
  ActivityCancellationType as CancellationTypes,
  type UntypedActivities,
} from './activities.ts';

/** Timeouts and retries of the local activities a `proxyLocalActivities` object calls (Temporal's `LocalActivityOptions`). */
export interface LocalActivityOptions {
  /** Bound of one attempt. One of this or scheduleToCloseTimeout is required. */
  startToCloseTimeout?: Duration;
  /** Bound of all attempts together, including backoff (timer-backed retries too). */
  scheduleToCloseTimeout?: Duration;
  /**
   * Bound of the wait before an attempt starts. A local activity starts at once in the workflow
   * task's worker, so it only bounds that; accepted as Temporal accepts it.
   */
  scheduleToStartTimeout?: Duration;
  retry?: RetryPolicy;
  /**
   * Retries due within this are slept in the worker, inside the workflow task; a retry due later
   * waits on a durable timer, and the next attempt runs in a later workflow task. @default 1 minute
   */
  localRetryThreshold?: Duration;
  cancellationType?: ActivityCancellationType;
  /** Fixed activity id (unique within the run). @default the call's sequence number */
  activityId?: string;
}

const KNOWN_OPTIONS = new Set([
  'startToCloseTimeout',
  'scheduleToCloseTimeout',
  'scheduleToStartTimeout',
  'retry',
  'localRetryThreshold',
  'cancellationType',
  'activityId',
]);

/** Checks local activity options and resolves durations to milliseconds. */
export function resolveLocalActivityOptions(options: LocalActivityOptions): LocalActivityOptionsResolved {
  if (!options || typeof options !== 'object')
    throw new InvalidArgumentError(
      'proxyLocalActivities needs options { startToCloseTimeout | scheduleToCloseTimeout }',
    );
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      const hint =
        key === 'taskQueue' || key === 'heartbeatTimeout'
          ? ` (a local activity runs in the workflow task's own worker and does not heartbeat; use proxyActivities for ${key})`
          : '';
      throw new InvalidArgumentError(`Unknown local activity option '${key}'${hint}`);
    }
  }
  const startToCloseMs = optionalDurationToMs(options.startToCloseTimeout);
  const scheduleToCloseMs = optionalDurationToMs(options.scheduleToCloseTimeout);
  if (startToCloseMs === undefined && scheduleToCloseMs === undefined) {
    throw new InvalidArgumentError(
      'Local activity options need startToCloseTimeout or scheduleToCloseTimeout',
    );
  }
  const cancellationType = options.cancellationType ?? 'TRY_CANCEL';
  if (!(cancellationType in CancellationTypes)) {
    throw new InvalidArgumentError(`Unknown activity cancellationType '${cancellationType}'`);
  }
  let localRetryThresholdMs: number;
  try {
    localRetryThresholdMs = durationToMs(options.localRetryThreshold ?? '1 minute');
  } catch (error) {
    throw new InvalidArgumentError(`localRetryThreshold: ${(error as Error).message}`);
  }
  return {
    startToCloseMs,
    scheduleToCloseMs,
    scheduleToStartMs: optionalDurationToMs(options.scheduleToStartTimeout),
    retry: resolveRetryPolicy(options.retry),
    localRetryThresholdMs,
    cancellationType,
  };
}

/**
 * Returns an object whose functions call local activities (Temporal's `proxyLocalActivities`): run
 * by the worker of the workflow task that calls them, before that task commits, their outcome
 * recorded in history as a marker; replay reads the marker and never runs them again. For short
 * work; `activityInfo().isLocal` is true inside them.
 *
 * @example
 * const { lookUpRate } = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '5s' });
 */
export function proxyLocalActivities<A = UntypedActivities>(
  options: LocalActivityOptions,
): ActivityInterfaceFor<A> {
  const resolved = resolveLocalActivityOptions(options);
  return new Proxy({} as ActivityInterfaceFor<A>, {
    get(_target, activityType) {
      if (typeof activityType !== 'string') return undefined;
      if (activityType === 'then') return undefined; // not a thenable
      return (...args: unknown[]) => {
        const { activator, scope } = currentSlot(`Local activity '${activityType}'`);
        return activator.callLocalActivity(
          {
            activityType,
            activityId: options.activityId,
            input: args.map((arg) => activator.converter.toPayload(arg)),
            options: resolved,
          },
          scope,
        );
      };
    },
  });
}
