import { type Duration, durationToMs } from '../common/duration.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import type { FailureInfo, RetryState } from '../common/failures.ts';
import type { RetryPolicyResolved } from './events.ts';

/**
 * How an activity (or workflow) is retried, as in Temporal.
 *
 * @example
 * proxyActivities({ startToCloseTimeout: '10s', retry: { maximumAttempts: 3, initialInterval: '1s' } })
 */
export interface RetryPolicy {
  /** Delay before the first retry. @default 1 second */
  initialInterval?: Duration;
  /** Each retry waits this much longer than the last. @default 2 */
  backoffCoefficient?: number;
  /** Upper bound of the delay. @default 100 × initialInterval */
  maximumInterval?: Duration;
  /** Attempts in total, counting the first; 0 = unlimited. @default 0 */
  maximumAttempts?: number;
  /** Failure types (`ApplicationFailure.type` or error name) that are never retried. @default [] */
  nonRetryableErrorTypes?: string[];
}

/** Fills the defaults of a retry policy and checks its values. */
export function resolveRetryPolicy(policy: RetryPolicy = {}): RetryPolicyResolved {
  const initialIntervalMs = durationToMs(policy.initialInterval ?? 1000);
  const backoffCoefficient = policy.backoffCoefficient ?? 2;
  const maximumIntervalMs = durationToMs(policy.maximumInterval ?? initialIntervalMs * 100);
  const maximumAttempts = policy.maximumAttempts ?? 0;
  if (initialIntervalMs <= 0) throw new InvalidArgumentError('retry.initialInterval must be greater than 0');
  if (!(backoffCoefficient >= 1))
    throw new InvalidArgumentError('retry.backoffCoefficient must be at least 1');
  if (maximumIntervalMs < initialIntervalMs) {
    throw new InvalidArgumentError('retry.maximumInterval must not be less than retry.initialInterval');
  }
  if (!Number.isInteger(maximumAttempts) || maximumAttempts < 0) {
    throw new InvalidArgumentError('retry.maximumAttempts must be a whole number ≥ 0 (0 = unlimited)');
  }
  return {
    initialIntervalMs,
    backoffCoefficient,
    maximumIntervalMs,
    maximumAttempts,
    nonRetryableErrorTypes: [...(policy.nonRetryableErrorTypes ?? [])],
  };
}

/** The retry decision after a failed attempt. */
export type RetryDecision =
  | { retryState: 'InProgress'; delayMs: number }
  | { retryState: Exclude<RetryState, 'InProgress'> };

/**
 * Decides whether attempt `attempt` (1-based) that failed with `failure` is retried and after how
 * long. `deadline` (epoch ms) is the schedule-to-close bound: no retry starts past it.
 */
export function nextRetry(
  policy: RetryPolicyResolved,
  attempt: number,
  failure: FailureInfo,
  now: number,
  deadline?: number,
): RetryDecision {
  if (failure.nonRetryable) return { retryState: 'NonRetryableFailure' };
  const type = failure.type ?? (failure.kind === 'timeout' ? 'TimeoutFailure' : undefined);
  if (type !== undefined && policy.nonRetryableErrorTypes.includes(type))
    return { retryState: 'NonRetryableFailure' };
  if (policy.maximumAttempts > 0 && attempt >= policy.maximumAttempts)
    return { retryState: 'MaximumAttemptsReached' };
  const delayMs = Math.min(
    policy.initialIntervalMs * policy.backoffCoefficient ** (attempt - 1),
    policy.maximumIntervalMs,
  );
  if (deadline !== undefined && now + delayMs >= deadline) return { retryState: 'Timeout' };
  return { retryState: 'InProgress', delayMs: Math.round(delayMs) };
}
