/**
 * A duration in milliseconds, or a string such as `'30 seconds'`, `'10m'`, `'1 day'`, `'1.5h'`.
 *
 * @example
 * sleep('30 days'); proxyActivities({ startToCloseTimeout: '10s' });
 */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i;

/**
 * Converts a {@link Duration} to whole milliseconds; throws a `TypeError` naming the bad value.
 *
 * @example
 * durationToMs('1 day') === 86_400_000
 */
export function durationToMs(duration: Duration): number {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) {
      throw new TypeError(`Invalid duration ${duration}: expected a non-negative number of milliseconds`);
    }
    return Math.round(duration);
  }
  if (typeof duration !== 'string') {
    throw new TypeError(`Invalid duration ${String(duration)}: expected milliseconds or a string like '10s'`);
  }
  const match = DURATION_PATTERN.exec(duration);
  const unit = match ? (match[2] || 'ms').toLowerCase() : '';
  const factor = UNIT_MS[unit];
  if (!match || factor === undefined) {
    throw new TypeError(
      `Invalid duration '${duration}': use milliseconds or a string like '30 seconds', '10m', '1 day'`,
    );
  }
  return Math.round(Number(match[1]) * factor);
}

/** Like {@link durationToMs} but passes `undefined` through. */
export function optionalDurationToMs(duration: Duration | undefined): number | undefined {
  return duration === undefined ? undefined : durationToMs(duration);
}
