import type { Payload, StoredPayloadConverter } from './payload.ts';

/** Why an activity or child workflow stopped being retried. */
export const RETRY_STATES = [
  'InProgress',
  'NonRetryableFailure',
  'MaximumAttemptsReached',
  'Timeout',
  'RetryPolicyNotSet',
  'CancelRequested',
] as const;
export type RetryState = (typeof RETRY_STATES)[number];

/** Which timeout fired. The one list: the HTTP API's and the task messages' schemas take it from here. */
export const TIMEOUT_TYPES = ['StartToClose', 'ScheduleToStart', 'ScheduleToClose', 'Heartbeat'] as const;
export type TimeoutType = (typeof TIMEOUT_TYPES)[number];

/** What kind of failure a {@link FailureInfo} serializes (which `CairnFailure` class it comes back as). */
export const FAILURE_KINDS = [
  'application',
  'activity',
  'child',
  'cancelled',
  'timeout',
  'terminated',
  'server',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/**
 * Base of the failures that cross the wire (stored in history, returned to clients). Each has a
 * `cause` chain. Local programming errors use `CairnError` instead.
 */
export class CairnFailure extends Error {
  override readonly cause: Error | undefined;
  constructor(message: string | undefined, cause?: Error) {
    super(message ?? '');
    this.cause = cause;
  }
}

/**
 * Temporal's name for the base of the failures, so `error instanceof TemporalFailure` ports
 * unchanged: the same class as `CairnFailure`.
 *
 * @example
 * if (error instanceof TemporalFailure) console.error(error.message, error.cause);
 */
export const TemporalFailure = CairnFailure;
export type TemporalFailure = CairnFailure;

/**
 * What kind of application failure it is, as in Temporal. `BENIGN`: an expected outcome rather
 * than a fault (a poll that found nothing yet, a declined card the workflow handles): the worker
 * logs it at debug level instead of as a warning. It is still a failure (retried by policy).
 */
export const ApplicationFailureCategory = { BENIGN: 'BENIGN' } as const;
export type ApplicationFailureCategory =
  (typeof ApplicationFailureCategory)[keyof typeof ApplicationFailureCategory];
/** The values of {@link ApplicationFailureCategory} (the wire schema takes them from here). */
export const APPLICATION_FAILURE_CATEGORIES = Object.values(ApplicationFailureCategory) as [
  ApplicationFailureCategory,
];

/** Options of {@link ApplicationFailure.create}. */
export interface ApplicationFailureOptions {
  message?: string;
  type?: string;
  nonRetryable?: boolean;
  details?: unknown[];
  cause?: Error;
  /** @default none: an ordinary failure, logged as a warning */
  category?: ApplicationFailureCategory;
}

/**
 * A failure raised by user code. `type` matches `retry.nonRetryableErrorTypes`; `nonRetryable`
 * stops retries outright.
 *
 * @example
 * throw ApplicationFailure.create({ message: 'card declined', type: 'CardDeclined', nonRetryable: true });
 */
export class ApplicationFailure extends CairnFailure {
  override readonly name = 'ApplicationFailure';
  readonly type: string | undefined;
  readonly nonRetryable: boolean;
  readonly details: unknown[] | undefined;
  readonly category: ApplicationFailureCategory | undefined;
  constructor(
    message?: string,
    type?: string,
    nonRetryable = false,
    details?: unknown[],
    cause?: Error,
    category?: ApplicationFailureCategory,
  ) {
    super(message, cause);
    this.type = type;
    this.nonRetryable = nonRetryable;
    this.details = details;
    if (category !== undefined && !APPLICATION_FAILURE_CATEGORIES.includes(category)) {
      throw new TypeError(
        `Unknown ApplicationFailure category '${category}': use ${APPLICATION_FAILURE_CATEGORIES.map((c) => `ApplicationFailureCategory.${c}`).join(', ')} or none`,
      );
    }
    this.category = category;
  }
  static create(options: ApplicationFailureOptions): ApplicationFailure {
    return new ApplicationFailure(
      options.message,
      options.type,
      options.nonRetryable ?? false,
      options.details,
      options.cause,
      options.category,
    );
  }
  static retryable(message?: string, type?: string, ...details: unknown[]): ApplicationFailure {
    return new ApplicationFailure(message, type ?? 'Error', false, details);
  }
  static nonRetryable(message?: string, type?: string, ...details: unknown[]): ApplicationFailure {
    return new ApplicationFailure(message, type ?? 'Error', true, details);
  }
  /** Wraps any thrown value as an ApplicationFailure, keeping an existing failure as is. */
  static fromError(error: unknown): CairnFailure {
    if (error instanceof CairnFailure) return error;
    if (error instanceof Error) {
      const failure = new ApplicationFailure(error.message, error.name, false);
      failure.stack = error.stack;
      return failure;
    }
    return new ApplicationFailure(String(error), 'Error', false);
  }
}

/** An activity failed for good (retries exhausted or not allowed); `cause` says why. */
export class ActivityFailure extends CairnFailure {
  override readonly name = 'ActivityFailure';
  constructor(
    message: string | undefined,
    readonly activityType: string,
    readonly activityId: string,
    readonly retryState: RetryState,
    cause?: Error,
  ) {
    super(message ?? 'Activity task failed', cause);
  }
}

/** A child workflow closed without a result; `cause` says why. */
export class ChildWorkflowFailure extends CairnFailure {
  override readonly name = 'ChildWorkflowFailure';
  constructor(
    message: string | undefined,
    readonly workflowId: string,
    readonly workflowType: string,
    readonly runId: string | undefined,
    readonly retryState: RetryState,
    cause?: Error,
  ) {
    super(message ?? 'Child workflow execution failed', cause);
  }
}

/** Work was cancelled (a cancellation scope, a workflow cancel request, an activity cancel). */
export class CancelledFailure extends CairnFailure {
  override readonly name = 'CancelledFailure';
  constructor(
    message?: string,
    readonly details: unknown[] = [],
    cause?: Error,
  ) {
    super(message ?? 'Cancelled', cause);
  }
}

/** A timeout fired; for heartbeat timeouts `lastHeartbeatDetails` holds what was last reported. */
export class TimeoutFailure extends CairnFailure {
  override readonly name = 'TimeoutFailure';
  constructor(
    message: string | undefined,
    readonly timeoutType: TimeoutType,
    readonly lastHeartbeatDetails?: unknown,
    cause?: Error,
  ) {
    super(message ?? `${timeoutType} timeout`, cause);
  }
}

/** The workflow was terminated by an operator or a parent close policy. */
export class TerminatedFailure extends CairnFailure {
  override readonly name = 'TerminatedFailure';
  constructor(message?: string, cause?: Error) {
    super(message ?? 'Terminated', cause);
  }
}

/** A failure reported by the engine itself (e.g. the workflow type is not registered). */
export class ServerFailure extends CairnFailure {
  override readonly name = 'ServerFailure';
  constructor(
    message: string | undefined,
    readonly nonRetryable: boolean,
    cause?: Error,
  ) {
    super(message, cause);
  }
}

/** The serialized form of a failure, as stored in history. */
export interface FailureInfo {
  kind: FailureKind;
  message: string;
  stack?: string;
  type?: string;
  nonRetryable?: boolean;
  details?: Payload[];
  activityType?: string;
  activityId?: string;
  workflowId?: string;
  workflowType?: string;
  runId?: string;
  retryState?: RetryState;
  timeoutType?: TimeoutType;
  /** Of an application failure: {@link ApplicationFailureCategory}. */
  category?: ApplicationFailureCategory;
  cause?: FailureInfo;
}

/** True for an application failure of category `BENIGN` (logged at debug level, not as a warning). */
export function isBenignFailure(info: FailureInfo): boolean {
  return info.kind === 'application' && info.category === ApplicationFailureCategory.BENIGN;
}

/** True for cancellation, also when wrapped in an activity or child workflow failure. */
export function isCancellation(error: unknown): boolean {
  if (error instanceof CancelledFailure) return true;
  if (error instanceof ActivityFailure || error instanceof ChildWorkflowFailure) {
    return error.cause instanceof CancelledFailure;
  }
  return false;
}

/** Serializes an error (any thrown value) into a {@link FailureInfo}. */
export function toFailureInfo(error: unknown, converter: StoredPayloadConverter): FailureInfo {
  const failure = ApplicationFailure.fromError(error);
  const info: FailureInfo = { kind: 'application', message: failure.message, stack: failure.stack };
  if (failure instanceof ApplicationFailure) {
    info.type = failure.type;
    info.nonRetryable = failure.nonRetryable;
    if (failure.details?.length) info.details = failure.details.map((d) => converter.toPayload(d));
    if (failure.category !== undefined) info.category = failure.category;
  } else if (failure instanceof ActivityFailure) {
    Object.assign(info, {
      kind: 'activity',
      activityType: failure.activityType,
      activityId: failure.activityId,
      retryState: failure.retryState,
    });
  } else if (failure instanceof ChildWorkflowFailure) {
    Object.assign(info, {
      kind: 'child',
      workflowId: failure.workflowId,
      workflowType: failure.workflowType,
      runId: failure.runId,
      retryState: failure.retryState,
    });
  } else if (failure instanceof CancelledFailure) {
    info.kind = 'cancelled';
    if (failure.details.length) info.details = failure.details.map((d) => converter.toPayload(d));
  } else if (failure instanceof TimeoutFailure) {
    info.kind = 'timeout';
    info.timeoutType = failure.timeoutType;
    if (failure.lastHeartbeatDetails !== undefined) {
      info.details = [converter.toPayload(failure.lastHeartbeatDetails)];
    }
  } else if (failure instanceof TerminatedFailure) {
    info.kind = 'terminated';
  } else if (failure instanceof ServerFailure) {
    info.kind = 'server';
    info.nonRetryable = failure.nonRetryable;
  }
  if (failure.cause !== undefined) info.cause = toFailureInfo(failure.cause, converter);
  return info;
}

/** Rebuilds the failure class hierarchy (with its cause chain) from a {@link FailureInfo}. */
export function fromFailureInfo(info: FailureInfo, converter: StoredPayloadConverter): CairnFailure {
  const cause = info.cause ? fromFailureInfo(info.cause, converter) : undefined;
  const details = (info.details ?? []).map((p) => converter.fromPayload(p));
  let failure: CairnFailure;
  switch (info.kind) {
    case 'application':
      failure = new ApplicationFailure(
        info.message,
        info.type,
        info.nonRetryable ?? false,
        details,
        cause,
        info.category,
      );
      break;
    case 'activity':
      failure = new ActivityFailure(
        info.message,
        info.activityType ?? '',
        info.activityId ?? '',
        info.retryState ?? 'NonRetryableFailure',
        cause,
      );
      break;
    case 'child':
      failure = new ChildWorkflowFailure(
        info.message,
        info.workflowId ?? '',
        info.workflowType ?? '',
        info.runId,
        info.retryState ?? 'NonRetryableFailure',
        cause,
      );
      break;
    case 'cancelled':
      failure = new CancelledFailure(info.message, details, cause);
      break;
    case 'timeout':
      failure = new TimeoutFailure(info.message, info.timeoutType ?? 'StartToClose', details[0], cause);
      break;
    case 'terminated':
      failure = new TerminatedFailure(info.message, cause);
      break;
    case 'server':
      failure = new ServerFailure(info.message, info.nonRetryable ?? false, cause);
      break;
    default: {
      const unknownKind: never = info.kind;
      throw new TypeError(`Unknown failure kind ${String(unknownKind)}`);
    }
  }
  if (info.stack) failure.stack = info.stack;
  return failure;
}
