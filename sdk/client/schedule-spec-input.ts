import { type Duration, durationToMs, optionalDurationToMs } from '../common/duration.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import type { CalendarSpecWire, ScheduleRange, ScheduleSpecWire } from '../common/wire/schedule.ts';

/*
 * Temporal's schedule spec shapes as a user writes them (Dates, Durations, month and weekday names,
 * loose ranges), and their conversion to and from the wire's (epoch ms, numbers).
 */

export const MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
] as const;
export type Month = (typeof MONTHS)[number];
export const DAYS_OF_WEEK = [
  'SUNDAY',
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** Values `start` to `end` (inclusive, default `start`), every `step` (default 1). */
export interface Range<Unit> {
  start: Unit;
  end?: Unit;
  step?: number;
}
/** A value, a range, or `'*'` (every value). */
export type LooseRange<Unit> = Range<Unit> | Unit | '*';

/**
 * A calendar time, Temporal's structured form: every field must match. An absent `second`,
 * `minute` or `hour` is 0; an absent day, month, year or weekday is any.
 *
 * @example
 * { hour: 9, dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY' }], comment: 'weekday mornings' }
 */
export interface CalendarSpec {
  second?: LooseRange<number> | LooseRange<number>[];
  minute?: LooseRange<number> | LooseRange<number>[];
  hour?: LooseRange<number> | LooseRange<number>[];
  dayOfMonth?: LooseRange<number> | LooseRange<number>[];
  month?: LooseRange<Month | number> | LooseRange<Month | number>[];
  year?: LooseRange<number> | LooseRange<number>[];
  dayOfWeek?: LooseRange<DayOfWeek | number> | LooseRange<DayOfWeek | number>[];
  comment?: string;
}

/** Every `every` since the Unix epoch, shifted by `offset`. */
export interface IntervalSpec {
  every: Duration;
  offset?: Duration;
}

/** When a schedule acts (Temporal's `ScheduleSpec`). */
export interface ScheduleSpec {
  cronExpressions?: string[];
  intervals?: IntervalSpec[];
  calendars?: CalendarSpec[];
  skip?: CalendarSpec[];
  startAt?: Date;
  endAt?: Date;
  jitter?: Duration;
  /** IANA time zone of cron expressions and calendars. @default 'UTC' */
  timezone?: string;
}

/** The spec as `describe` shows it: durations in ms, calendars as ranges. */
export interface ScheduleSpecDescription
  extends Omit<ScheduleSpec, 'intervals' | 'calendars' | 'skip' | 'jitter'> {
  intervals?: { every: number; offset: number }[];
  calendars?: CalendarSpecDescription[];
  skip?: CalendarSpecDescription[];
  jitter?: number;
}

export interface CalendarSpecDescription {
  second?: Range<number>[];
  minute?: Range<number>[];
  hour?: Range<number>[];
  dayOfMonth?: Range<number>[];
  month?: Range<Month>[];
  year?: Range<number>[];
  dayOfWeek?: Range<DayOfWeek>[];
  comment?: string;
}

const BOUNDS = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  year: [1970, 9999],
  dayOfWeek: [0, 6],
} as const;
type Field = keyof typeof BOUNDS;

function unit(field: Field, value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const name = value.toUpperCase();
    if (field === 'month') {
      const i = MONTHS.findIndex((m) => m === name || m.slice(0, 3) === name);
      if (i >= 0) return i + 1;
    }
    if (field === 'dayOfWeek') {
      const i = DAYS_OF_WEEK.findIndex((d) => d === name || d.slice(0, 3) === name);
      if (i >= 0) return i;
    }
    if (/^\d+$/.test(value)) return Number(value);
  }
  throw new InvalidArgumentError(`${where}.${field}: ${JSON.stringify(value)} is not a valid ${field}`);
}

function toRanges(field: Field, value: unknown, where: string): ScheduleRange[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (item === '*') return { start: BOUNDS[field][0], end: BOUNDS[field][1] };
    if (item && typeof item === 'object' && 'start' in item) {
      const range = item as Range<unknown>;
      return {
        start: unit(field, range.start, where),
        end: range.end === undefined ? undefined : unit(field, range.end, where),
        step: range.step,
      };
    }
    return { start: unit(field, item, where) };
  });
}

function calendarToWire(calendar: CalendarSpec, where: string): CalendarSpecWire {
  if (!calendar || typeof calendar !== 'object') throw new InvalidArgumentError(`${where} must be an object`);
  const wire: CalendarSpecWire = {};
  for (const field of Object.keys(BOUNDS) as Field[]) {
    if (calendar[field] !== undefined) wire[field] = toRanges(field, calendar[field], where);
  }
  if (calendar.comment !== undefined) wire.comment = calendar.comment;
  return wire;
}

function time(value: Date | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`${where} must be a valid Date`);
  return ms;
}

/** A spec as a user writes it → the wire's. */
export function specToWire(spec: ScheduleSpec | ScheduleSpecDescription): ScheduleSpecWire {
  if (!spec || typeof spec !== 'object') throw new InvalidArgumentError('schedule needs a spec');
  return {
    cronExpressions: spec.cronExpressions,
    intervals: spec.intervals?.map((interval) => ({
      everyMs: durationToMs(interval.every),
      offsetMs: optionalDurationToMs(interval.offset),
    })),
    calendars: spec.calendars?.map((c, i) => calendarToWire(c as CalendarSpec, `spec.calendars[${i}]`)),
    skip: spec.skip?.map((c, i) => calendarToWire(c as CalendarSpec, `spec.skip[${i}]`)),
    startAt: time(spec.startAt, 'spec.startAt'),
    endAt: time(spec.endAt, 'spec.endAt'),
    jitterMs: optionalDurationToMs(spec.jitter),
    timezone: spec.timezone,
  };
}

function describeRanges<U>(
  list: ScheduleRange[] | undefined,
  name: (n: number) => U,
): Range<U>[] | undefined {
  return list?.map((r) => ({ start: name(r.start), end: name(r.end ?? r.start), step: r.step ?? 1 }));
}

/** The wire's spec → what `describe` shows. */
export function specFromWire(spec: ScheduleSpecWire): ScheduleSpecDescription {
  const calendar = (c: CalendarSpecWire): CalendarSpecDescription => ({
    second: describeRanges(c.second, Number),
    minute: describeRanges(c.minute, Number),
    hour: describeRanges(c.hour, Number),
    dayOfMonth: describeRanges(c.dayOfMonth, Number),
    month: describeRanges(c.month, (n) => MONTHS[n - 1]!),
    year: describeRanges(c.year, Number),
    dayOfWeek: describeRanges(c.dayOfWeek, (n) => DAYS_OF_WEEK[n]!),
    comment: c.comment,
  });
  return {
    cronExpressions: spec.cronExpressions,
    intervals: spec.intervals?.map((i) => ({ every: i.everyMs, offset: i.offsetMs ?? 0 })),
    calendars: spec.calendars?.map(calendar),
    skip: spec.skip?.map(calendar),
    startAt: spec.startAt === undefined ? undefined : new Date(spec.startAt),
    endAt: spec.endAt === undefined ? undefined : new Date(spec.endAt),
    jitter: spec.jitterMs,
    timezone: spec.timezone,
  };
}
