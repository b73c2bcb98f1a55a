import * as z from 'zod';
import { ScheduleOverlapPolicy } from '../enums.ts';
import {
  boundedText,
  epochMsSchema,
  taskQueueSchema,
  workflowIdSchema,
  workflowTypeSchema,
} from './fields.ts';
import { MAX_ID_LENGTH } from './limits.ts';
import { memoSchema, payloadsSchema } from './payload.ts';
import { searchAttributesSchema } from './search-attributes.ts';

/*
 * Schedules on the wire (API.md, "Schedules"): Temporal's shapes with times as epoch milliseconds
 * and durations as milliseconds; the client turns Dates, Duration strings and month or weekday names
 * into these.
 */

export const scheduleIdSchema = boundedText(MAX_ID_LENGTH, 'Schedule id, unique per namespace');

/** Values `start` to `end` (inclusive, default `start`) every `step` (default 1). */
export const scheduleRangeSchema = z.strictObject({
  start: z.number().int().min(0),
  end: z.number().int().min(0).optional(),
  step: z.number().int().positive().optional(),
});
export type ScheduleRange = z.infer<typeof scheduleRangeSchema>;

const ranges = (what: string) => z.array(scheduleRangeSchema).optional().describe(what);

/**
 * Calendar times by field, all fields matching (Temporal's structured calendar). An absent field
 * takes Temporal's default: second, minute and hour 0; every day of the month, month, year and day
 * of the week.
 */
export const calendarSpecSchema = z.strictObject({
  second: ranges('0–59, default 0'),
  minute: ranges('0–59, default 0'),
  hour: ranges('0–23, default 0'),
  dayOfMonth: ranges('1–31, default all'),
  month: ranges('1–12, default all'),
  year: ranges('e.g. 2027, default all'),
  dayOfWeek: ranges('0–6, Sunday = 0, default all'),
  comment: z.string().max(1000).optional(),
});
export type CalendarSpecWire = z.infer<typeof calendarSpecSchema>;

/** Every `everyMs` since the Unix epoch, shifted by `offsetMs`. */
export const intervalSpecSchema = z.strictObject({
  everyMs: z.number().int().positive(),
  offsetMs: z.number().int().min(0).optional(),
});
export type IntervalSpecWire = z.infer<typeof intervalSpecSchema>;

/** When a schedule's actions are due: the union of its cron expressions, intervals and calendars, less `skip`. */
export const scheduleSpecSchema = z.strictObject({
  cronExpressions: z
    .array(z.string().max(1000))
    .optional()
    .describe("Cron expressions: 5 fields, Temporal's 6 (with year) or 7 (second … year), or @hourly-style"),
  intervals: z.array(intervalSpecSchema).optional(),
  calendars: z.array(calendarSpecSchema).optional(),
  skip: z.array(calendarSpecSchema).optional().describe('Times matching any of these are left out'),
  startAt: epochMsSchema.optional().describe('No action before this time'),
  endAt: epochMsSchema.optional().describe('No action after this time'),
  jitterMs: z.number().int().min(0).optional().describe('Each action is delayed by up to this much'),
  timezone: z.string().max(100).optional().describe('IANA time zone of cron expressions and calendars'),
});
export type ScheduleSpecWire = z.infer<typeof scheduleSpecSchema>;

/** The action a schedule takes: start a workflow, its id being `workflowId` plus the scheduled time. */
export const scheduleActionSchema = z.strictObject({
  type: z.literal('startWorkflow'),
  workflowType: workflowTypeSchema,
  workflowId: workflowIdSchema.describe("Prefix of each run's workflow id; the scheduled time is appended"),
  taskQueue: taskQueueSchema,
  input: payloadsSchema.default([]),
  workflowExecutionTimeoutMs: z.number().int().positive().optional(),
  workflowRunTimeoutMs: z.number().int().positive().optional(),
  memo: memoSchema.optional(),
  searchAttributes: searchAttributesSchema.optional(),
});
export type ScheduleActionWire = z.output<typeof scheduleActionSchema>;

export const overlapPolicySchema = z.enum(ScheduleOverlapPolicy);

export const schedulePoliciesSchema = z.strictObject({
  overlap: overlapPolicySchema.default('SKIP'),
  catchupWindowMs: z
    .number()
    .int()
    .min(10_000, { error: 'must be at least 10 seconds' })
    .default(365 * 86_400_000)
    .describe('How late an action may still be taken after an outage (default 1 year, as Temporal)'),
  pauseOnFailure: z.boolean().default(false),
});
export type SchedulePoliciesWire = z.output<typeof schedulePoliciesSchema>;

export const scheduleStateSchema = z.strictObject({
  paused: z.boolean().default(false),
  note: z.string().max(10_000).default(''),
  remainingActions: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('How many more scheduled actions to take; absent: no limit'),
});
export type ScheduleStateWire = z.output<typeof scheduleStateSchema>;

/** A schedule as created or replaced by `update`. */
export const scheduleBodySchema = z.strictObject({
  spec: scheduleSpecSchema,
  action: scheduleActionSchema,
  policies: schedulePoliciesSchema.default({
    overlap: 'SKIP',
    catchupWindowMs: 365 * 86_400_000,
    pauseOnFailure: false,
  }),
  state: scheduleStateSchema.default({ paused: false, note: '' }),
});
export type ScheduleBody = z.output<typeof scheduleBodySchema>;

export const createScheduleRequestSchema = scheduleBodySchema.extend({
  scheduleId: scheduleIdSchema,
  memo: memoSchema.optional(),
  searchAttributes: searchAttributesSchema.optional(),
});
export type CreateScheduleRequest = z.output<typeof createScheduleRequestSchema>;

/** One change to a schedule: pause, unpause, trigger now, or backfill time ranges. */
export const schedulePatchSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pause'), note: z.string().max(10_000).optional() }),
  z.strictObject({ type: z.literal('unpause'), note: z.string().max(10_000).optional() }),
  z.strictObject({ type: z.literal('trigger'), overlap: overlapPolicySchema.optional() }),
  z.strictObject({
    type: z.literal('backfill'),
    backfills: z
      .array(
        z.strictObject({
          start: epochMsSchema,
          end: epochMsSchema,
          overlap: overlapPolicySchema.optional(),
        }),
      )
      .min(1),
  }),
]);
export type SchedulePatch = z.infer<typeof schedulePatchSchema>;

/** A workflow a schedule started. */
export const scheduleActionResultSchema = z.object({
  scheduledAt: epochMsSchema.describe('The nominal time the action was due'),
  takenAt: epochMsSchema.describe('When it was taken (jitter and catch-up make it later)'),
  workflowId: z.string(),
  firstExecutionRunId: z.string(),
});
export type ScheduleActionResult = z.infer<typeof scheduleActionResultSchema>;

export const scheduleInfoSchema = z.object({
  nextActionTimes: z.array(epochMsSchema),
  recentActions: z.array(scheduleActionResultSchema).describe('The latest actions, oldest first'),
  runningActions: z.array(z.object({ workflowId: z.string(), firstExecutionRunId: z.string() })),
  numActions: z.number().int(),
  numActionsMissedCatchupWindow: z.number().int(),
  numActionsSkippedOverlap: z.number().int(),
  bufferedActions: z.number().int().describe('Actions waiting for a running one to close'),
  createdAt: epochMsSchema,
  lastUpdatedAt: epochMsSchema.optional(),
});
export type ScheduleInfo = z.infer<typeof scheduleInfoSchema>;

export const scheduleDescriptionSchema = z.object({
  scheduleId: z.string(),
  spec: scheduleSpecSchema,
  action: scheduleActionSchema,
  policies: schedulePoliciesSchema,
  state: scheduleStateSchema,
  memo: memoSchema.optional(),
  searchAttributes: searchAttributesSchema.optional(),
  info: scheduleInfoSchema,
  conflictToken: z.string().describe('Pass back to update to refuse the change if the schedule moved'),
});
export type ScheduleDescription = z.output<typeof scheduleDescriptionSchema>;

/** What `list` shows of a schedule. */
export const scheduleSummarySchema = z.object({
  scheduleId: z.string(),
  spec: scheduleSpecSchema,
  action: z.object({ type: z.literal('startWorkflow'), workflowType: z.string() }),
  state: scheduleStateSchema,
  memo: memoSchema.optional(),
  searchAttributes: searchAttributesSchema.optional(),
  info: scheduleInfoSchema.pick({ nextActionTimes: true, recentActions: true }),
});
export type ScheduleSummary = z.output<typeof scheduleSummarySchema>;

export const schedulePageSchema = z.object({
  schedules: z.array(scheduleSummarySchema),
  nextPageToken: z.string().optional(),
});
export type SchedulePage = z.output<typeof schedulePageSchema>;

export const updateScheduleRequestSchema = scheduleBodySchema.extend({
  conflictToken: z
    .string()
    .optional()
    .describe('From describe: refuse the update if the schedule changed since'),
});
export type UpdateScheduleRequest = z.output<typeof updateScheduleRequestSchema>;

/** The schedule operations of the API, transport-free (see `WorkflowServiceApi`). */
export interface ScheduleServiceApi {
  createSchedule(namespace: string, request: CreateScheduleRequest): Promise<void>;
  describeSchedule(namespace: string, scheduleId: string): Promise<ScheduleDescription>;
  updateSchedule(namespace: string, scheduleId: string, request: UpdateScheduleRequest): Promise<void>;
  patchSchedule(namespace: string, scheduleId: string, patch: SchedulePatch): Promise<void>;
  deleteSchedule(namespace: string, scheduleId: string): Promise<void>;
  listSchedules(namespace: string, pageSize?: number, pageToken?: string): Promise<SchedulePage>;
}
