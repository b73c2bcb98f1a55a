import { Cron } from 'croner';
import { durationToMs } from '../common/duration.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import type { CalendarSpecWire, ScheduleRange, ScheduleSpecWire } from '../common/wire/schedule.ts';

/*
 * When a schedule's actions are due. Pure: times in, times out. Cron expressions and calendars are
 * evaluated by croner (time zones through Intl, Vixie cron's daylight-saving rules: a fixed time in
 * the hour a spring-forward skips runs right after the gap, one in the hour a fall-back repeats runs
 * once); intervals are arithmetic on epoch milliseconds, as Temporal's are.
 */

/** One due time: `nominal` names the run (its workflow id); `actual` is when it fires (plus jitter). */
export interface DueTime {
  nominal: number;
  actual: number;
}

/** A spec made ready to answer "what is the next time after t". */
export interface CompiledSpec {
  /** The first nominal time strictly after `after`, or undefined if there is none. */
  next(after: number): DueTime | undefined;
}

// Calendar fields in croner's 7-part order, with Temporal's defaults for an absent field.
const CALENDAR_FIELDS = [
  ['second', 0, 59, '0'],
  ['minute', 0, 59, '0'],
  ['hour', 0, 23, '0'],
  ['dayOfMonth', 1, 31, '*'],
  ['month', 1, 12, '*'],
  ['dayOfWeek', 0, 6, '*'],
  ['year', 1970, 9999, '*'],
] as const;

/** Checks an IANA time zone name; throws with what is wrong. */
export function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new InvalidArgumentError(
      `Unknown time zone '${timezone}': use an IANA name such as 'Europe/Berlin' or 'UTC'`,
    );
  }
}

function rangeText(field: string, range: ScheduleRange, min: number, max: number, where: string): string {
  const end = range.end ?? range.start;
  if (range.start < min || end > max || end < range.start) {
    throw new InvalidArgumentError(
      `${where}: ${field} range ${range.start}–${end} must lie within ${min}–${max}, start ≤ end`,
    );
  }
  const step = range.step ?? 1;
  if (end === range.start) return String(range.start);
  return step === 1 ? `${range.start}-${end}` : `${range.start}-${end}/${step}`;
}

/** A calendar as croner's 7-part pattern (second minute hour day month weekday year). */
export function calendarPattern(calendar: CalendarSpecWire, where: string): string {
  return CALENDAR_FIELDS.map(([field, min, max, fallback]) => {
    const list = calendar[field];
    if (list === undefined) return fallback;
    if (list.length === 0) throw new InvalidArgumentError(`${where}: ${field} is an empty list`);
    return list.map((range) => rangeText(field, range, min, max, where)).join(',');
  }).join(' ');
}

function compileCron(pattern: string, timezone: string, where: string, domAndDow: boolean): Cron {
  try {
    const cron = new Cron(pattern, { timezone, mode: 'auto', domAndDow });
    cron.nextRun(new Date(0));
    return cron;
  } catch (error) {
    throw new InvalidArgumentError(`${where}: ${(error as Error).message}`);
  }
}

interface CronSource {
  pattern: string;
  timezone: string;
}

/**
 * A cron expression as Temporal reads it: an optional `CRON_TZ=<zone>` prefix, 5 fields (minute
 * … day of week), 6 (the same plus a year) or 7 (second … year), or a nickname (`@hourly`, …);
 * `@every <duration>[/<offset>]` is an interval.
 */
function parseCronExpression(
  text: string,
  timezone: string,
  where: string,
): CronSource | { everyMs: number; offsetMs: number } {
  let rest = text.trim();
  let zone = timezone;
  const tz = /^CRON_TZ=(\S+)\s+/.exec(rest);
  if (tz) {
    zone = tz[1]!;
    checkTimezone(zone);
    rest = rest.slice(tz[0].length);
  }
  const every = /^@every\s+(\S+?)(?:\/(\S+))?$/.exec(rest);
  if (every) {
    try {
      return { everyMs: durationToMs(every[1]!), offsetMs: every[2] ? durationToMs(every[2]) : 0 };
    } catch (error) {
      throw new InvalidArgumentError(`${where}: ${(error as Error).message}`);
    }
  }
  if (!rest) throw new InvalidArgumentError(`${where}: the expression is empty`);
  if (rest.startsWith('@')) return { pattern: rest, timezone: zone };
  const fields = rest.split(/\s+/);
  switch (fields.length) {
    case 5:
      return { pattern: `0 ${rest} *`, timezone: zone };
    case 6:
      return { pattern: `0 ${rest}`, timezone: zone };
    case 7:
      return { pattern: rest, timezone: zone };
    default:
      throw new InvalidArgumentError(
        `${where} has ${fields.length} fields; a cron expression has 5 (minute hour ` +
          'day-of-month month day-of-week), 6 (… year) or 7 (second … year)',
      );
  }
}

/** A small deterministic hash, so the same schedule and time always get the same jitter. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Bound on skipped matches looked through for one next time (a skip that never lets a time through). */
const MAX_SKIPPED = 10_000;

/**
 * Validates a spec and compiles it. `seed` (the schedule id) makes jitter deterministic. Throws
 * `InvalidArgumentError` naming the bad part: a cron expression croner cannot read, an unknown
 * time zone, a calendar range out of bounds, an interval offset not below its period.
 */
export function compileSpec(spec: ScheduleSpecWire, seed: string): CompiledSpec {
  const timezone = spec.timezone ?? 'UTC';
  checkTimezone(timezone);
  const crons: Cron[] = [];
  const intervals = (spec.intervals ?? []).map((interval, i) => {
    const offsetMs = interval.offsetMs ?? 0;
    if (offsetMs >= interval.everyMs)
      throw new InvalidArgumentError(`spec.intervals[${i}]: offset must be less than every`);
    return { everyMs: interval.everyMs, offsetMs };
  });
  (spec.cronExpressions ?? []).forEach((text, i) => {
    const where = `spec.cronExpressions[${i}] '${text}'`;
    const parsed = parseCronExpression(text, timezone, where);
    if ('everyMs' in parsed) intervals.push(parsed);
    else crons.push(compileCron(parsed.pattern, parsed.timezone, where, false));
  });
  (spec.calendars ?? []).forEach((calendar, i) => {
    const where = `spec.calendars[${i}]`;
    crons.push(compileCron(calendarPattern(calendar, where), timezone, where, true));
  });
  const skips = (spec.skip ?? []).map((calendar, i) => {
    const where = `spec.skip[${i}]`;
    return compileCron(calendarPattern(calendar, where), timezone, where, true);
  });
  if (!crons.length && !intervals.length)
    throw new InvalidArgumentError('spec needs at least one of cronExpressions, intervals or calendars');
  if (spec.startAt !== undefined && spec.endAt !== undefined && spec.endAt < spec.startAt)
    throw new InvalidArgumentError('spec.endAt is before spec.startAt');
  const jitterMs = spec.jitterMs ?? 0;

  const rawNext = (after: number): number | undefined => {
    let best: number | undefined;
    for (const cron of crons) {
      const t = cron.nextRun(new Date(after))?.getTime();
      if (t !== undefined && t > after && (best === undefined || t < best)) best = t;
    }
    for (const { everyMs, offsetMs } of intervals) {
      const t = offsetMs + (Math.floor((after - offsetMs) / everyMs) + 1) * everyMs;
      if (best === undefined || t < best) best = t;
    }
    return best;
  };
  const skipped = (t: number) => skips.some((cron) => cron.match(new Date(t)));

  return {
    next(after) {
      let from = spec.startAt !== undefined ? Math.max(after, spec.startAt - 1) : after;
      for (let i = 0; i < MAX_SKIPPED; i++) {
        const t = rawNext(from);
        if (t === undefined || (spec.endAt !== undefined && t > spec.endAt)) return undefined;
        if (!skipped(t)) {
          const jitter = jitterMs > 0 ? hash(`${seed}@${t}`) % jitterMs : 0;
          return { nominal: t, actual: t + jitter };
        }
        from = t;
      }
      return undefined;
    },
  };
}

/** The next `count` due times after `after`. */
export function nextTimes(spec: CompiledSpec, after: number, count: number): DueTime[] {
  const times: DueTime[] = [];
  let from = after;
  for (let i = 0; i < count; i++) {
    const due = spec.next(from);
    if (!due) break;
    times.push(due);
    from = due.nominal;
  }
  return times;
}

/** The workflow id of the run a schedule starts for `nominal`: the prefix plus the time, to the second (Temporal's form). */
export function scheduledWorkflowId(prefix: string, nominal: number): string {
  return `${prefix}-${new Date(nominal).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}

/**
 * How long a cron workflow's run waits for its first workflow task: until the expression's next
 * match after `now` (Temporal's cron workflows, UTC). Throws `InvalidArgumentError` for a bad expression.
 */
export function cronBackoffMs(cronSchedule: string, now: number): number {
  const where = `cronSchedule '${cronSchedule}'`;
  const parsed = parseCronExpression(cronSchedule, 'UTC', where);
  const next =
    'everyMs' in parsed
      ? parsed.offsetMs + (Math.floor((now - parsed.offsetMs) / parsed.everyMs) + 1) * parsed.everyMs
      : compileCron(parsed.pattern, parsed.timezone, where, false).nextRun(new Date(now))?.getTime();
  if (next === undefined) throw new InvalidArgumentError(`${where} never matches again`);
  return next - now;
}
