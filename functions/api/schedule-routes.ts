import { defineRoute, type Route } from './route-definition.ts';
import * as s from './schedule-schemas.ts';
import { noQuery } from './schemas.ts';

const schedules = '/v1/namespaces/{namespace}/schedules';
const schedule = `${schedules}/{scheduleId}`;

/** The schedule routes (API.md, "Schedules"). */
export const scheduleRoutes: readonly Route[] = [
  defineRoute({
    method: 'POST',
    path: schedules,
    operationId: 'createSchedule',
    tag: 'Schedules',
    summary: 'Create a schedule; a bad cron expression, calendar or time zone is a 400 saying which',
    params: s.schedulesPath,
    query: noQuery,
    body: s.createScheduleBody,
    responses: { 204: 'The schedule exists and waits for its first action' },
    async handle(service, { params, body }) {
      await service.createSchedule(params.namespace, body);
      return {};
    },
  }),
  defineRoute({
    method: 'GET',
    path: schedules,
    operationId: 'listSchedules',
    tag: 'Schedules',
    summary: "List the namespace's schedules by id",
    params: s.schedulesPath,
    query: s.listSchedulesQuery,
    response: s.listSchedulesResponse,
    responses: { 200: 'A page of schedules' },
    async handle(service, { params, query }) {
      return { body: await service.listSchedules(params.namespace, query.pageSize, query.pageToken) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: schedule,
    operationId: 'describeSchedule',
    tag: 'Schedules',
    summary: 'Describe a schedule: next action times, recent and running actions, counts',
    params: s.schedulePath,
    query: noQuery,
    response: s.describeScheduleResponse,
    responses: { 200: 'The schedule' },
    async handle(service, { params }) {
      return { body: await service.describeSchedule(params.namespace, params.scheduleId) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${schedule}/update`,
    operationId: 'updateSchedule',
    tag: 'Schedules',
    summary: "Replace a schedule's spec, action, policies and state",
    params: s.schedulePath,
    query: noQuery,
    body: s.updateScheduleBody,
    responses: { 204: 'The schedule is changed' },
    async handle(service, { params, body }) {
      await service.updateSchedule(params.namespace, params.scheduleId, body);
      return {};
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${schedule}/patch`,
    operationId: 'patchSchedule',
    tag: 'Schedules',
    summary: 'Pause, unpause, trigger now, or backfill',
    params: s.schedulePath,
    query: noQuery,
    body: s.patchScheduleBody,
    responses: { 204: 'The change is recorded; the schedule acts on it at once' },
    async handle(service, { params, body }) {
      await service.patchSchedule(params.namespace, params.scheduleId, body);
      return {};
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: schedule,
    operationId: 'deleteSchedule',
    tag: 'Schedules',
    summary: 'Delete a schedule; the workflows it started run on',
    params: s.schedulePath,
    query: noQuery,
    responses: { 204: 'The schedule is gone' },
    async handle(service, { params }) {
      await service.deleteSchedule(params.namespace, params.scheduleId);
      return {};
    },
  }),
];
