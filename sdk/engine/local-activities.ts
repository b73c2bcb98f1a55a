import { DeterminismViolationError } from '../common/errors.ts';
import { type FailureInfo, fromFailureInfo, type RetryState } from '../common/failures.ts';
import type { Payload, StoredPayloadConverter } from '../common/payload.ts';
import type { Command } from './commands.ts';
import type { RetryPolicyResolved } from './events.ts';

/** The marker a local activity's outcome is recorded as (`MarkerRecorded.markerName`). */
export const LOCAL_ACTIVITY_MARKER = 'LocalActivity';

/** Timeouts and retries of a local activity, resolved to milliseconds. */
export interface LocalActivityOptionsResolved {
  startToCloseMs?: number;
  scheduleToCloseMs?: number;
  scheduleToStartMs?: number;
  retry: RetryPolicyResolved;
  /** Retries due within this are slept in the worker; later ones wait on a durable timer. */
  localRetryThresholdMs: number;
  cancellationType: 'TRY_CANCEL' | 'WAIT_CANCELLATION_COMPLETED' | 'ABANDON';
}

/** A local activity the workflow called: the worker runs it before the workflow task commits. */
export interface LocalActivityRequest {
  seq: number;
  activityType: string;
  activityId: string;
  input: Payload[];
  options: LocalActivityOptionsResolved;
  /** 1-based; above 1 after a retry that waited on a timer. */
  attempt: number;
  /** Workflow time of the first attempt's call: the schedule-to-close bound counts from it. */
  originalScheduleTime: number;
}

/** What became of a local activity: its marker's content. */
export type LocalActivityOutcome = { seq: number; attempt: number } & (
  | { type: 'completed'; result: Payload }
  | { type: 'failed'; failure: FailureInfo; retryState: Exclude<RetryState, 'InProgress'> }
  /** Failed, and the next retry is further off than `localRetryThreshold`: wait on a timer. */
  | { type: 'backoff'; failure: FailureInfo; backoffMs: number }
);

/** How one call meets its cancellation scope: cancellation, and the timer a far-off retry waits on. */
export interface LocalActivityScope {
  onCancel(cancel: (reason: unknown) => void): void;
  retryAfter(backoffMs: number): Promise<void>;
}

interface Pending {
  request: LocalActivityRequest;
  scope: LocalActivityScope;
  marker: Extract<Command, { type: 'RecordMarker' }>;
  settle?: { resolve(value: unknown): void; reject(reason: unknown): void };
}

/**
 * The local activities of one run, on the workflow side (Temporal's local activity state machine,
 * simplified): each call records a marker command where it was made, and queues a request. The
 * worker runs the requests (live) or the replayer reads their recorded markers (replay); either
 * way the outcomes come back as one activation round, so live and replay see the same order.
 */
export class LocalActivities {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private queued: LocalActivityRequest[] = [];
  /** Outcomes recorded by the workflow task being replayed, by sequence number. */
  recorded = new Map<number, LocalActivityOutcome>();

  constructor(
    private readonly converter: StoredPayloadConverter,
    private readonly push: (command: Command) => void,
  ) {}

  /** Calls a local activity: resolves with its result, rejects with an `ActivityFailure`. */
  call(
    request: Omit<LocalActivityRequest, 'seq' | 'activityId'> & { activityId?: string },
    scope: LocalActivityScope,
  ): Promise<unknown> {
    const seq = ++this.seq;
    const full: LocalActivityRequest = { ...request, seq, activityId: request.activityId ?? String(seq) };
    const marker: Extract<Command, { type: 'RecordMarker' }> = {
      type: 'RecordMarker',
      markerName: LOCAL_ACTIVITY_MARKER,
      // Filled with the outcome before the task commits (see `resolve`).
      details: { seq: this.converter.toPayload(seq) },
    };
    const entry: Pending = { request: full, scope, marker };
    this.pending.set(seq, entry);
    this.push(marker);
    this.queued.push(full);
    const result = new Promise((resolve, reject) => {
      entry.settle = { resolve, reject };
    });
    scope.onCancel((reason) => {
      // The attempt in flight finishes in the worker and is recorded; the call rejects now.
      if (full.options.cancellationType === 'WAIT_CANCELLATION_COMPLETED' || !entry.settle) return;
      const { reject } = entry.settle;
      entry.settle = undefined;
      reject(reason);
    });
    return result;
  }

  /** The requests queued since the last call: what the worker must run now. */
  takeRequests(): LocalActivityRequest[] {
    const requests = this.queued;
    this.queued = [];
    return requests;
  }

  /** The recorded outcome of a replayed call; a call history has no marker for is a determinism violation. */
  recordedOutcome(request: LocalActivityRequest): LocalActivityOutcome {
    const outcome = this.recorded.get(request.seq);
    if (!outcome) {
      throw new DeterminismViolationError(
        `Determinism violation: the workflow code called local activity '${request.activityType}' (seq ${request.seq}), ` +
          'but the replayed workflow task recorded no outcome for it. Was the workflow code changed while runs were open? ' +
          'Use patched() to branch between old and new code.',
        0,
        'no local activity',
        `local activity ${request.activityType}`,
      );
    }
    return outcome;
  }

  /** Applies an outcome: fills the call's marker and settles its promise (a backoff retries after a timer). */
  resolve(outcome: LocalActivityOutcome): void {
    const entry = this.pending.get(outcome.seq);
    if (!entry) return;
    this.pending.delete(outcome.seq);
    entry.marker.details = markerDetails(entry.request, outcome, this.converter);
    const settle = entry.settle;
    if (!settle) return;
    const { request } = entry;
    switch (outcome.type) {
      case 'completed':
        settle.resolve(this.converter.fromPayload(outcome.result));
        return;
      case 'failed':
        settle.reject(this.activityFailure(request, outcome.failure, outcome.retryState));
        return;
      case 'backoff':
        // A retry far off waits on a durable timer, then calls again with the next attempt.
        entry.scope
          .retryAfter(outcome.backoffMs)
          .then(() => this.call({ ...request, attempt: outcome.attempt + 1 }, entry.scope))
          .then(settle.resolve, settle.reject);
        return;
      default: {
        const unknown: never = outcome;
        throw new TypeError(`Unknown local activity outcome ${JSON.stringify(unknown)}`);
      }
    }
  }

  private activityFailure(request: LocalActivityRequest, cause: FailureInfo, retryState: RetryState) {
    return fromFailureInfo(
      {
        kind: 'activity',
        message: 'Local activity failed',
        activityType: request.activityType,
        activityId: request.activityId,
        retryState,
        cause,
      },
      this.converter,
    );
  }
}

/** A marker's details: the call and its outcome, as payloads. */
function markerDetails(
  request: LocalActivityRequest,
  outcome: LocalActivityOutcome,
  converter: StoredPayloadConverter,
): Record<string, Payload> {
  const details: Record<string, Payload> = {
    seq: converter.toPayload(request.seq),
    activityType: converter.toPayload(request.activityType),
    activityId: converter.toPayload(request.activityId),
    attempt: converter.toPayload(outcome.attempt),
    originalScheduleTime: converter.toPayload(request.originalScheduleTime),
    type: converter.toPayload(outcome.type),
  };
  if (outcome.type === 'completed') details.result = outcome.result;
  else details.failure = converter.toPayload(outcome.failure);
  if (outcome.type === 'failed') details.retryState = converter.toPayload(outcome.retryState);
  if (outcome.type === 'backoff') details.backoffMs = converter.toPayload(outcome.backoffMs);
  return details;
}

/** Reads a recorded marker back into its outcome (the inverse of `markerDetails`). */
export function outcomeFromMarker(
  details: Record<string, Payload>,
  converter: StoredPayloadConverter,
): LocalActivityOutcome {
  const read = <T>(key: string): T => {
    const payload = details[key];
    if (!payload) throw new RangeError(`Local activity marker has no '${key}'`);
    return converter.fromPayload<T>(payload);
  };
  const base = { seq: read<number>('seq'), attempt: read<number>('attempt') };
  const type = read<LocalActivityOutcome['type']>('type');
  switch (type) {
    case 'completed':
      return { ...base, type, result: details.result! };
    case 'failed':
      return { ...base, type, failure: read('failure'), retryState: read('retryState') };
    case 'backoff':
      return { ...base, type, failure: read('failure'), backoffMs: read('backoffMs') };
    default:
      throw new RangeError(`Unknown local activity marker type '${String(type)}'`);
  }
}
