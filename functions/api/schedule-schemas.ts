import * as z from 'zod';
import { namespaceSchema } from '../../sdk/common/wire/fields.ts';
import {
  calendarSpecSchema,
  createScheduleRequestSchema,
  scheduleDescriptionSchema,
  scheduleIdSchema,
  schedulePageSchema,
  schedulePatchSchema,
  scheduleSpecSchema,
  updateScheduleRequestSchema,
} from '../../sdk/common/wire/schedule.ts';
import { apiSchemas, listQuery } from './schemas.ts';

/*
 * The schedule routes' parameters and bodies, named in the OpenAPI document from the wire's schemas
 * (`sdk/common/wire/schedule.ts`).
 */

function named<T extends z.ZodType>(schema: T, id: string, description: string): T {
  apiSchemas.add(schema, { id, description });
  return schema;
}

named(calendarSpecSchema, 'CalendarSpec', "Calendar times by field (Temporal's structured calendar).");
named(scheduleSpecSchema, 'ScheduleSpec', "When a schedule's actions are due.");

export const schedulesPath = z.strictObject({ namespace: namespaceSchema });
export const schedulePath = schedulesPath.extend({ scheduleId: scheduleIdSchema });

export const listSchedulesQuery = listQuery.pick({ pageToken: true, pageSize: true });

export const createScheduleBody = named(
  createScheduleRequestSchema,
  'CreateScheduleRequest',
  'A new schedule: its spec, the workflow it starts, its policies and state.',
);
export const updateScheduleBody = named(
  updateScheduleRequestSchema,
  'UpdateScheduleRequest',
  "Replaces a schedule's spec, action, policies and state.",
);
export const patchScheduleBody = named(
  schedulePatchSchema,
  'SchedulePatch',
  'Pause, unpause, trigger now, or backfill time ranges.',
);
export const describeScheduleResponse = named(
  scheduleDescriptionSchema,
  'ScheduleDescription',
  'A schedule with its next action times, recent and running actions and counts.',
);
export const listSchedulesResponse = named(schedulePageSchema, 'SchedulePage', 'A page of schedules, by id.');
