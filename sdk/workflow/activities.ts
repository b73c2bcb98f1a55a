import { type Duration, optionalDurationToMs } from '../common/duration.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { currentSlot } from '../engine/current-run.ts';
import type { ActivityOptionsResolved } from '../engine/events.ts';
import { type RetryPolicy, resolveRetryPolicy } from '../engine/retry-policy.ts';

/** What happens to an activity when its cancellation scope is cancelled. */
export const ActivityCancellationType = {
  /** Request cancellation and reject at once (default). */
  TRY_CANCEL: 'TRY_CANCEL',
  /** Request cancellation and wait until the activity reports it was cancelled (or finished). */
  WAIT_CANCELLATION_COMPLETED: 'WAIT_CANCELLATION_COMPLETED',
  /** Reject at once and do not tell the activity. */
  ABANDON: 'ABANDON',
} as const;
export type ActivityCancellationType =
  (typeof ActivityCancellationType)[keyof typeof ActivityCancellationType];

/** Timeouts, retries and routing of the activities a `proxyActivities` object calls. */
export interface ActivityOptions {
  /** Bound of one attempt. One of this or scheduleToCloseTimeout is required. */
  startToCloseTimeout?: Duration;
  /** Bound of all attempts together, including backoff. */
  scheduleToCloseTimeout?: Duration;
  /** Bound of the wait for a worker to pick up the first attempt. */
  scheduleToStartTimeout?: Duration;
  /** An attempt fails if it does not heartbeat within this interval. */
  heartbeatTimeout?: Duration;
  /** Task queue of the worker that runs the activity. @default the workflow's task queue */
  taskQueue?: string;
  retry?: RetryPolicy;
  cancellationType?: ActivityCancellationType;
  /** Fixed activity id (unique within the run). @default the activity's sequence number */
  activityId?: string;
}

/** Checks activity options and resolves durations to milliseconds. */
export function resolveActivityOptions(options: ActivityOptions): ActivityOptionsResolved {
  const startToCloseMs = optionalDurationToMs(options.startToCloseTimeout);
  const scheduleToCloseMs = optionalDurationToMs(options.scheduleToCloseTimeout);
  if (startToCloseMs === undefined && scheduleToCloseMs === undefined) {
    throw new InvalidArgumentError('Activity options need startToCloseTimeout or scheduleToCloseTimeout');
  }
  const cancellationType = options.cancellationType ?? 'TRY_CANCEL';
  if (!(cancellationType in ActivityCancellationType)) {
    throw new InvalidArgumentError(`Unknown activity cancellationType '${cancellationType}'`);
  }
  return {
    startToCloseMs,
    scheduleToCloseMs,
    scheduleToStartMs: optionalDurationToMs(options.scheduleToStartTimeout),
    heartbeatMs: optionalDurationToMs(options.heartbeatTimeout),
    retry: resolveRetryPolicy(options.retry),
    cancellationType,
  };
}

/**
 * What an untyped `proxyActivities()` offers: any activity name, any arguments, any result, as in
 * Temporal (`UntypedActivities`); pass `typeof activities` for checked calls.
 */
// biome-ignore lint/suspicious/noExplicitAny: Temporal's untyped activities take and return `any`, so untyped calls port unchanged
export type UntypedActivities = Record<string, (...args: any[]) => Promise<any>>;

/** The activities object workflow code gets: every function returns a promise of its result. */
export type ActivityInterfaceFor<A> = {
  [K in keyof A]: A[K] extends (...args: infer P) => infer R ? (...args: P) => Promise<Awaited<R>> : never;
};

/**
 * Returns an object whose functions schedule activities with the given options. Safe to call at
 * module top level: nothing is scheduled until a function is called from workflow code.
 *
 * @example
 * const { checkCredit } = proxyActivities<typeof activities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 3 } });
 */
export function proxyActivities<A = UntypedActivities>(options: ActivityOptions): ActivityInterfaceFor<A> {
  const resolved = resolveActivityOptions(options);
  return new Proxy({} as ActivityInterfaceFor<A>, {
    get(_target, activityType) {
      if (typeof activityType !== 'string') return undefined;
      if (activityType === 'then') return undefined; // not a thenable
      return (...args: unknown[]) => {
        const { activator, scope } = currentSlot(`Activity '${activityType}'`);
        return activator.scheduleActivity(
          {
            activityType,
            activityId: options.activityId,
            taskQueue: options.taskQueue ?? activator.info.taskQueue,
            input: args.map((arg) => activator.converter.toPayload(arg)),
            options: resolved,
          },
          scope,
        );
      };
    },
  });
}
