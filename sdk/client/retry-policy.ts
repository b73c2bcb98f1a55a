import { InvalidArgumentError } from '../common/errors.ts';

/**
 * How the client retries a request that failed for a reason that may pass: throttling (429, the
 * API's `Throttled`), a transient engine error (`HistoryConflict`, `Timeout`: nothing was written),
 * or the gateway's own 5xx and an unreachable endpoint (a Lambda throttled or timed out, a dropped
 * connection). The shape is the AWS SDK's standard retry mode: capped exponential backoff with
 * full jitter, a longer base for throttling, and a bounded number of attempts.
 *
 * @example
 * new Client({ endpoint, retry: { maxAttempts: 8 } });
 * new Client({ endpoint, retry: { maxAttempts: 1 } }); // no retries
 */
export interface RetryOptions {
  /** Attempts in all, the first included; 1 turns retries off. @default 5 */
  maxAttempts?: number;
  /** Backoff base after a transient engine error (`HistoryConflict`, `Timeout`). @default 100 (ms, the AWS SDK's) */
  baseDelayMs?: number;
  /** Backoff base after throttling or a gateway 5xx (a throttled Lambda). @default 500 (ms, the AWS SDK's) */
  throttlingBaseDelayMs?: number;
  /** Longest pause between two attempts, also the cap on a server's `Retry-After`. @default 20_000 (ms) */
  maxDelayMs?: number;
}

/** Why a failed attempt may be sent again. */
export type RetryReason =
  /** Refused before it ran (429, `Throttled`): always safe to send again. */
  | 'throttled'
  /** The engine says nothing was written (`retryable` in its error body): always safe. */
  | 'transient'
  /** No answer from the engine itself (gateway 5xx, network): safe only for an idempotent request. */
  | 'unknown';

export class RetryPolicy {
  readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly throttlingBaseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: RetryOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.throttlingBaseDelayMs = options.throttlingBaseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1)
      throw new InvalidArgumentError(`retry.maxAttempts must be a whole number ≥ 1, got ${this.maxAttempts}`);
    for (const [name, value] of [
      ['baseDelayMs', this.baseDelayMs],
      ['throttlingBaseDelayMs', this.throttlingBaseDelayMs],
      ['maxDelayMs', this.maxDelayMs],
    ] as const) {
      if (!(Number.isFinite(value) && value >= 0))
        throw new InvalidArgumentError(`retry.${name} must be a number of milliseconds ≥ 0, got ${value}`);
    }
  }

  /**
   * The pause before retry number `retry` (1 for the first retry): the server's `Retry-After` if it
   * sent one (never less, plus up to a quarter of it as jitter so that clients told the same thing
   * do not come back in lockstep), else full jitter over the capped exponential.
   */
  delayMs(retry: number, reason: RetryReason, retryAfterMs?: number, random: () => number = Math.random) {
    if (retryAfterMs !== undefined) {
      const told = Math.min(retryAfterMs, this.maxDelayMs);
      return told + random() * told * 0.25;
    }
    // A gateway's own 5xx ('unknown') is how API Gateway reports a throttled Lambda: the longer base.
    const base = reason === 'transient' ? this.baseDelayMs : this.throttlingBaseDelayMs;
    return random() * Math.min(this.maxDelayMs, base * 2 ** (retry - 1));
  }
}

/** `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
