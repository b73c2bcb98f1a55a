import { type Duration, durationToMs, optionalDurationToMs } from '../common/duration.ts';
import { ScheduleOverlapPolicy } from '../common/enums.ts';
import { HistoryConflictError, InvalidArgumentError } from '../common/errors.ts';
import { normalizeSearchAttributes, type SearchAttributesInput } from '../common/search-attributes.ts';
import type {
  ScheduleActionWire,
  ScheduleBody,
  ScheduleDescription as WireDescription,
  ScheduleActionResult as WireResult,
} from '../common/wire/schedule.ts';
import type { WorkflowServiceApi } from './connection.ts';
import type { PayloadPipeline } from './payload-pipeline.ts';
import {
  type ScheduleSpec,
  type ScheduleSpecDescription,
  specFromWire,
  specToWire,
} from './schedule-spec-input.ts';

type WorkflowFn = (...args: never[]) => Promise<unknown>;

/** What a schedule does: start a workflow (Temporal's `ScheduleOptionsStartWorkflowAction`). */
export interface ScheduleStartWorkflowAction {
  type: 'startWorkflow';
  workflowType: WorkflowFn | string;
  args?: readonly unknown[];
  taskQueue: string;
  /** Prefix of each run's workflow id; the scheduled time is appended. @default `${scheduleId}-workflow` */
  workflowId?: string;
  workflowExecutionTimeout?: Duration;
  workflowRunTimeout?: Duration;
  memo?: Record<string, unknown>;
  searchAttributes?: SearchAttributesInput;
}

export interface SchedulePolicies {
  /** @default ScheduleOverlapPolicy.SKIP */
  overlap?: ScheduleOverlapPolicy;
  /** How late an action may still be taken after an outage. @default '1 year' */
  catchupWindow?: Duration;
  /** Pause the schedule when a workflow it started fails or times out. @default false */
  pauseOnFailure?: boolean;
}

export interface ScheduleState {
  paused?: boolean;
  note?: string;
  /** How many more scheduled actions to take (triggers and backfills do not count). @default unlimited */
  remainingActions?: number;
}

/** The parts of a schedule `create` takes and `update` replaces. */
export interface ScheduleUpdateOptions {
  spec: ScheduleSpec | ScheduleSpecDescription;
  action: ScheduleStartWorkflowAction;
  policies?: SchedulePolicies;
  state?: ScheduleState;
}

export interface ScheduleOptions extends ScheduleUpdateOptions {
  scheduleId: string;
  memo?: Record<string, unknown>;
  searchAttributes?: SearchAttributesInput;
}

/** A workflow a schedule started. */
export interface ScheduleExecutionActionResult {
  type: 'startWorkflow';
  workflow: { workflowId: string; firstExecutionRunId: string };
}

export interface ScheduleExecutionResult {
  scheduledAt: Date;
  takenAt: Date;
  action: ScheduleExecutionActionResult;
}

/** What `describe` shows (Temporal's `ScheduleDescription`). */
export interface ScheduleDescription {
  scheduleId: string;
  spec: ScheduleSpecDescription;
  action: Omit<
    ScheduleStartWorkflowAction,
    'workflowType' | 'workflowId' | 'workflowExecutionTimeout' | 'workflowRunTimeout'
  > & {
    workflowType: string;
    workflowId: string;
    workflowExecutionTimeout?: number;
    workflowRunTimeout?: number;
  };
  policies: { overlap: ScheduleOverlapPolicy; catchupWindow: number; pauseOnFailure: boolean };
  state: { paused: boolean; note: string; remainingActions?: number };
  memo: Record<string, unknown>;
  searchAttributes: Record<string, unknown>;
  info: {
    nextActionTimes: Date[];
    recentActions: ScheduleExecutionResult[];
    runningActions: ScheduleExecutionActionResult[];
    /** Actions taken so far (Temporal's `numActionsTaken`, also given under that name). */
    numActions: number;
    numActionsTaken: number;
    numActionsMissedCatchupWindow: number;
    numActionsSkippedOverlap: number;
    createdAt: Date;
    lastUpdatedAt?: Date;
  };
}

/** What `list` yields per schedule. */
export interface ScheduleSummary {
  scheduleId: string;
  spec: ScheduleSpecDescription;
  action: { type: 'startWorkflow'; workflowType: string };
  state: { paused: boolean; note: string; remainingActions?: number };
  memo: Record<string, unknown>;
  info: { nextActionTimes: Date[]; recentActions: ScheduleExecutionResult[] };
}

/** One time range to run a schedule over after the fact. */
export interface Backfill {
  start: Date;
  end: Date;
  overlap?: ScheduleOverlapPolicy;
}

const OVERLAPS = new Set<string>(Object.values(ScheduleOverlapPolicy));

function overlapOf(value: unknown, where: string): ScheduleOverlapPolicy | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !OVERLAPS.has(value))
    throw new InvalidArgumentError(`${where} must be one of ${[...OVERLAPS].join(', ')}`);
  return value as ScheduleOverlapPolicy;
}

const result = (r: WireResult): ScheduleExecutionResult => ({
  scheduledAt: new Date(r.scheduledAt),
  takenAt: new Date(r.takenAt),
  action: {
    type: 'startWorkflow',
    workflow: { workflowId: r.workflowId, firstExecutionRunId: r.firstExecutionRunId },
  },
});

/** Speaks one schedule's operations; `client.schedule.getHandle(id)` or `create` give one. */
export class ScheduleHandle {
  constructor(
    private readonly client: ScheduleClient,
    readonly scheduleId: string,
  ) {}

  describe(): Promise<ScheduleDescription> {
    return this.client.describe(this.scheduleId);
  }

  /**
   * Replaces the schedule's spec, action, policies and state with what `updateFn` makes of its
   * description; a concurrent change makes it describe and ask `updateFn` again.
   */
  async update(updateFn: (previous: ScheduleDescription) => ScheduleUpdateOptions): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const previous = await this.describe();
      const conflictToken = this.client.conflictTokens.get(previous);
      const body = await this.client.body(this.scheduleId, updateFn(previous));
      try {
        await this.client.service.updateSchedule(this.client.namespace, this.scheduleId, {
          ...body,
          conflictToken,
        });
        return;
      } catch (error) {
        if (!(error instanceof HistoryConflictError) || attempt >= 3) throw error;
      }
    }
  }

  async delete(): Promise<void> {
    await this.client.service.deleteSchedule(this.client.namespace, this.scheduleId);
  }

  /** Takes the action now, with `overlap` (default: the schedule's), paused or not. */
  async trigger(overlap?: ScheduleOverlapPolicy): Promise<void> {
    await this.client.service.patchSchedule(this.client.namespace, this.scheduleId, {
      type: 'trigger',
      overlap: overlapOf(overlap, 'trigger overlap'),
    });
  }

  /** Takes every action the spec calls for in each range (after `start`, up to and including `end`). */
  async backfill(options: Backfill | Backfill[]): Promise<void> {
    const list = Array.isArray(options) ? options : [options];
    const backfills = list.map((b, i) => {
      const start = b?.start instanceof Date ? b.start.getTime() : Number.NaN;
      const end = b?.end instanceof Date ? b.end.getTime() : Number.NaN;
      if (Number.isNaN(start) || Number.isNaN(end))
        throw new InvalidArgumentError(`backfill[${i}] needs start and end Dates`);
      return { start, end, overlap: overlapOf(b.overlap, `backfill[${i}].overlap`) };
    });
    await this.client.service.patchSchedule(this.client.namespace, this.scheduleId, {
      type: 'backfill',
      backfills,
    });
  }

  async pause(note?: string): Promise<void> {
    await this.client.service.patchSchedule(this.client.namespace, this.scheduleId, { type: 'pause', note });
  }

  async unpause(note?: string): Promise<void> {
    await this.client.service.patchSchedule(this.client.namespace, this.scheduleId, {
      type: 'unpause',
      note,
    });
  }
}

/**
 * `client.schedule`: Temporal's schedules.
 *
 * @example
 * const handle = await client.schedule.create({
 *   scheduleId: 'nightly-report',
 *   spec: { cronExpressions: ['0 2 * * *'], timezone: 'Europe/Berlin' },
 *   action: { type: 'startWorkflow', workflowType: report, taskQueue: 'reports', workflowId: 'report' },
 * });
 */
export class ScheduleClient {
  /** The version each description was read at, for `update`'s conflict check. */
  readonly conflictTokens = new WeakMap<ScheduleDescription, string>();

  constructor(
    readonly service: WorkflowServiceApi,
    readonly namespace: string,
    private readonly payloads: PayloadPipeline,
  ) {}

  /** Creates a schedule; throws `ScheduleAlreadyRunning` if the id is taken. */
  async create(options: ScheduleOptions): Promise<ScheduleHandle> {
    if (!options || typeof options.scheduleId !== 'string' || !options.scheduleId)
      throw new InvalidArgumentError('schedule.create needs a scheduleId');
    const body = await this.body(options.scheduleId, options);
    await this.service.createSchedule(this.namespace, {
      scheduleId: options.scheduleId,
      ...body,
      memo: await this.payloads.encodeMap(options.memo),
      searchAttributes: options.searchAttributes && normalizeSearchAttributes(options.searchAttributes),
    });
    return this.getHandle(options.scheduleId);
  }

  getHandle(scheduleId: string): ScheduleHandle {
    return new ScheduleHandle(this, scheduleId);
  }

  /** Lists the namespace's schedules by id. */
  async *list(options: { pageSize?: number } = {}): AsyncIterable<ScheduleSummary> {
    if ((options as { query?: unknown }).query !== undefined)
      throw new InvalidArgumentError(
        'schedule.list does not filter by a query yet: list all and filter the summaries',
      );
    let pageToken: string | undefined;
    do {
      const page = await this.service.listSchedules(this.namespace, options.pageSize ?? 100, pageToken);
      for (const s of page.schedules) {
        yield {
          scheduleId: s.scheduleId,
          spec: specFromWire(s.spec),
          action: s.action,
          state: s.state,
          memo: await this.payloads.decodeMap(s.memo ?? {}),
          info: {
            nextActionTimes: s.info.nextActionTimes.map((t) => new Date(t)),
            recentActions: s.info.recentActions.map(result),
          },
        };
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  async describe(scheduleId: string): Promise<ScheduleDescription> {
    const wire: WireDescription = await this.service.describeSchedule(this.namespace, scheduleId);
    const { action, info } = wire;
    const description: ScheduleDescription = {
      scheduleId: wire.scheduleId,
      spec: specFromWire(wire.spec),
      action: {
        type: 'startWorkflow',
        workflowType: action.workflowType,
        workflowId: action.workflowId,
        taskQueue: action.taskQueue,
        args: await Promise.all(action.input.map((p) => this.payloads.decode(p))),
        workflowExecutionTimeout: action.workflowExecutionTimeoutMs,
        workflowRunTimeout: action.workflowRunTimeoutMs,
        memo: action.memo && (await this.payloads.decodeMap(action.memo)),
        searchAttributes: action.searchAttributes,
      },
      policies: {
        overlap: wire.policies.overlap,
        catchupWindow: wire.policies.catchupWindowMs,
        pauseOnFailure: wire.policies.pauseOnFailure,
      },
      state: wire.state,
      memo: await this.payloads.decodeMap(wire.memo ?? {}),
      searchAttributes: wire.searchAttributes ?? {},
      info: {
        nextActionTimes: info.nextActionTimes.map((t) => new Date(t)),
        recentActions: info.recentActions.map(result),
        runningActions: info.runningActions.map((workflow) => ({ type: 'startWorkflow', workflow })),
        numActions: info.numActions,
        numActionsTaken: info.numActions,
        numActionsMissedCatchupWindow: info.numActionsMissedCatchupWindow,
        numActionsSkippedOverlap: info.numActionsSkippedOverlap,
        createdAt: new Date(info.createdAt),
        lastUpdatedAt: info.lastUpdatedAt === undefined ? undefined : new Date(info.lastUpdatedAt),
      },
    };
    this.conflictTokens.set(description, wire.conflictToken);
    return description;
  }

  /** The wire's schedule body for what a user wrote; bad values throw `InvalidArgumentError`. */
  async body(scheduleId: string, options: ScheduleUpdateOptions): Promise<ScheduleBody> {
    const { action, policies = {}, state = {} } = options;
    if (action?.type !== 'startWorkflow')
      throw new InvalidArgumentError("schedule needs an action of type 'startWorkflow'");
    const workflowType =
      typeof action.workflowType === 'string' ? action.workflowType : action.workflowType?.name;
    if (!workflowType) throw new InvalidArgumentError('schedule action needs a workflowType');
    if (typeof action.taskQueue !== 'string' || !action.taskQueue)
      throw new InvalidArgumentError('schedule action needs a taskQueue');
    const wireAction: ScheduleActionWire = {
      type: 'startWorkflow',
      workflowType,
      workflowId: action.workflowId ?? `${scheduleId}-workflow`,
      taskQueue: action.taskQueue,
      input: await this.payloads.encode(action.args ?? []),
      workflowExecutionTimeoutMs: optionalDurationToMs(action.workflowExecutionTimeout),
      workflowRunTimeoutMs: optionalDurationToMs(action.workflowRunTimeout),
      memo: await this.payloads.encodeMap(action.memo),
      searchAttributes: action.searchAttributes && normalizeSearchAttributes(action.searchAttributes),
    };
    const remaining = state.remainingActions;
    if (remaining !== undefined && (!Number.isInteger(remaining) || remaining < 0))
      throw new InvalidArgumentError('state.remainingActions must be a whole number ≥ 0');
    return {
      spec: specToWire(options.spec),
      action: wireAction,
      policies: {
        overlap: overlapOf(policies.overlap, 'policies.overlap') ?? 'SKIP',
        catchupWindowMs:
          policies.catchupWindow === undefined ? 365 * 86_400_000 : durationToMs(policies.catchupWindow),
        pauseOnFailure: policies.pauseOnFailure ?? false,
      },
      state: { paused: state.paused ?? false, note: state.note ?? '', remainingActions: remaining },
    };
  }
}
