import type { ScheduleOverlapPolicy } from '../../common/enums.ts';
import {
  HistoryConflictError,
  InvalidArgumentError,
  ScheduleNotFoundError,
  UnknownTaskQueueError,
} from '../../common/errors.ts';
import {
  type CreateScheduleRequest,
  type ScheduleBody,
  type ScheduleDescription,
  type SchedulePage,
  type SchedulePatch,
  type ScheduleServiceApi,
  type ScheduleSummary,
  scheduleBodySchema,
  type UpdateScheduleRequest,
} from '../../common/wire/schedule.ts';
import type { ScheduleRecord } from '../../engine/schedule-record.ts';
import { type CompiledSpec, compileSpec, nextTimes } from '../../engine/schedule-spec.ts';
import { MAX_COMMIT_ATTEMPTS } from '../commit.ts';
import type { RuntimeDeps } from '../deps.ts';
import { nextWake, scheduleTickItem } from './schedule-tick.ts';

/** Actions one backfill request may ask for. */
const MAX_BACKFILL_ACTIONS = 1000;
/** How late a wake may be before describe sends its tick again (the sweeper's minute, and margin). */
const OVERDUE_MS = 5 * 60_000;

/** Checks what a schedule body says before anything is stored; throws `InvalidArgumentError` naming what is wrong. */
function checkBody(deps: RuntimeDeps, scheduleId: string, body: ScheduleBody): CompiledSpec {
  // In-process callers skip the API's parse: check the same schema here.
  const parsed = scheduleBodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidArgumentError(`Schedule ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const spec = compileSpec(body.spec, scheduleId);
  const known = deps.knownTaskQueues;
  if (known && !known.includes(body.action.taskQueue))
    throw new UnknownTaskQueueError(body.action.taskQueue, known);
  return spec;
}

function describe(record: ScheduleRecord, now: number): ScheduleDescription {
  const spec = compileSpec(record.body.spec, record.scheduleId);
  const limit = record.body.state.remainingActions;
  const count = Math.min(10, limit ?? 10);
  return {
    scheduleId: record.scheduleId,
    ...record.body,
    memo: record.memo,
    searchAttributes: record.searchAttributes,
    info: {
      nextActionTimes: nextTimes(spec, Math.max(record.processedUntil, now), count).map((t) => t.actual),
      recentActions: record.recent,
      runningActions: record.running.map(({ workflowId, firstExecutionRunId }) => ({
        workflowId,
        firstExecutionRunId,
      })),
      numActions: record.numActions,
      numActionsMissedCatchupWindow: record.numActionsMissedCatchupWindow,
      numActionsSkippedOverlap: record.numActionsSkippedOverlap,
      bufferedActions: record.buffer.length,
      createdAt: record.createdAt,
      lastUpdatedAt: record.lastUpdatedAt,
    },
    conflictToken: String(record.version),
  };
}

function summary(record: ScheduleRecord, now: number): ScheduleSummary {
  const full = describe(record, now);
  return {
    scheduleId: full.scheduleId,
    spec: full.spec,
    action: { type: 'startWorkflow', workflowType: full.action.workflowType },
    state: full.state,
    memo: full.memo,
    searchAttributes: full.searchAttributes,
    info: { nextActionTimes: full.info.nextActionTimes, recentActions: full.info.recentActions },
  };
}

/**
 * The schedule operations of the API (`client.schedule`): each writes the schedule conditionally,
 * then pokes it, so the change takes effect on a tick of its own, through the same path as a
 * scheduled fire.
 */
export class ScheduleService implements ScheduleServiceApi {
  constructor(private readonly scheduleDeps: RuntimeDeps) {}

  async createSchedule(namespace: string, request: CreateScheduleRequest): Promise<void> {
    const { scheduleId, memo, searchAttributes, ...body } = request;
    const spec = checkBody(this.scheduleDeps, scheduleId, body);
    const now = this.scheduleDeps.clock.now();
    const record: ScheduleRecord = {
      namespace,
      scheduleId,
      version: 0,
      body,
      memo,
      searchAttributes,
      createdAt: now,
      processedUntil: now,
      buffer: [],
      running: [],
      recent: [],
      numActions: 0,
      numActionsMissedCatchupWindow: 0,
      numActionsSkippedOverlap: 0,
    };
    const at = nextWake(record, spec);
    record.wake = at === undefined ? undefined : { token: this.scheduleDeps.newId(), at };
    await this.scheduleDeps.schedules.putSchedule(record);
    if (record.wake)
      await this.scheduleDeps.dispatch.dispatch([
        scheduleTickItem(namespace, scheduleId, record.wake.token, at),
      ]);
  }

  private async get(namespace: string, scheduleId: string): Promise<ScheduleRecord> {
    const record = await this.scheduleDeps.schedules.getSchedule(namespace, scheduleId);
    if (!record)
      throw new ScheduleNotFoundError(
        `Schedule ${scheduleId} not found in namespace ${namespace}`,
        scheduleId,
      );
    return record;
  }

  async describeSchedule(namespace: string, scheduleId: string): Promise<ScheduleDescription> {
    const record = await this.get(namespace, scheduleId);
    const now = this.scheduleDeps.clock.now();
    // A wake long past its time lost its tick (a crash between a write and its send): send it again.
    if (record.wake && record.wake.at < now - OVERDUE_MS)
      await this.scheduleDeps.dispatch.dispatch([scheduleTickItem(namespace, scheduleId, record.wake.token)]);
    return describe(record, now);
  }

  /** Reads, changes and conditionally writes a schedule, then pokes it. */
  private async change(
    namespace: string,
    scheduleId: string,
    edit: (record: ScheduleRecord, now: number) => void,
  ): Promise<void> {
    for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
      const record = await this.get(namespace, scheduleId);
      const now = this.scheduleDeps.clock.now();
      const expected = record.version;
      edit(record, now);
      record.lastUpdatedAt = now;
      try {
        await this.scheduleDeps.schedules.putSchedule(record, expected);
      } catch (error) {
        if (error instanceof HistoryConflictError) continue;
        throw error;
      }
      await this.scheduleDeps.dispatch.dispatch([scheduleTickItem(namespace, scheduleId)]);
      return;
    }
    throw new HistoryConflictError(`Schedule ${scheduleId} kept changing; try again`);
  }

  async updateSchedule(namespace: string, scheduleId: string, request: UpdateScheduleRequest): Promise<void> {
    const { conflictToken, ...body } = request;
    checkBody(this.scheduleDeps, scheduleId, body);
    await this.change(namespace, scheduleId, (record, now) => {
      if (conflictToken !== undefined && conflictToken !== String(record.version))
        throw new HistoryConflictError(
          `Schedule ${scheduleId} changed since it was described; describe it again`,
        );
      record.body = body;
      // The new spec applies from now on: it does not catch up on times the old one never had, nor
      // (an unpause) on what a pause skipped.
      record.processedUntil = Math.max(record.processedUntil, now);
    });
  }

  async patchSchedule(namespace: string, scheduleId: string, patch: SchedulePatch): Promise<void> {
    const { spec } = await this.get(namespace, scheduleId).then((record) => ({
      spec: compileSpec(record.body.spec, scheduleId),
    }));
    const backfill: { nominal: number; overlap?: ScheduleOverlapPolicy }[] = [];
    if (patch.type === 'backfill') {
      for (const range of patch.backfills) {
        if (range.end < range.start)
          throw new InvalidArgumentError(
            `backfill: end ${new Date(range.end).toISOString()} is before start`,
          );
        // Temporal's range: after start, up to and including end.
        let from = range.start;
        for (;;) {
          const due = spec.next(from);
          if (!due || due.nominal > range.end) break;
          if (backfill.length >= MAX_BACKFILL_ACTIONS)
            throw new InvalidArgumentError(
              `backfill asks for more than ${MAX_BACKFILL_ACTIONS} actions; split it into smaller ranges`,
            );
          backfill.push({ nominal: due.nominal, overlap: range.overlap });
          from = due.nominal;
        }
      }
    }
    await this.change(namespace, scheduleId, (record, now) => {
      const { state, policies } = record.body;
      switch (patch.type) {
        case 'pause':
          state.paused = true;
          state.note = patch.note ?? 'Paused';
          return;
        case 'unpause':
          if (state.paused) record.processedUntil = Math.max(record.processedUntil, now);
          state.paused = false;
          state.note = patch.note ?? 'Unpaused';
          return;
        case 'trigger':
          record.buffer.push({
            nominal: now,
            actual: now,
            overlap: patch.overlap ?? policies.overlap,
            manual: true,
          });
          return;
        case 'backfill':
          for (const item of backfill) {
            record.buffer.push({
              nominal: item.nominal,
              actual: now,
              overlap: item.overlap ?? policies.overlap,
              manual: true,
            });
          }
          return;
      }
    });
  }

  async deleteSchedule(namespace: string, scheduleId: string): Promise<void> {
    if (!(await this.scheduleDeps.schedules.deleteSchedule(namespace, scheduleId)))
      throw new ScheduleNotFoundError(
        `Schedule ${scheduleId} not found in namespace ${namespace}`,
        scheduleId,
      );
  }

  async listSchedules(namespace: string, pageSize = 100, pageToken?: string): Promise<SchedulePage> {
    const page = await this.scheduleDeps.schedules.listSchedules(namespace, pageSize, pageToken);
    const now = this.scheduleDeps.clock.now();
    return {
      schedules: page.schedules.map((record) => summary(record, now)),
      nextPageToken: page.nextPageToken,
    };
  }
}
