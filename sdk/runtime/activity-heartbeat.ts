import type { Clock } from '../backend/ports.ts';
import type { Payload } from '../common/payload.ts';
import type { RuntimeDeps } from './deps.ts';
import type { ActivityAttemptRef } from './task-token.ts';
import type { WorkerRegistry } from './worker-registry.ts';

/** The longest a heartbeat waits to be recorded, as Temporal's worker throttles (30 s). */
const MAX_THROTTLE_MS = 30_000;

/**
 * How often an attempt's heartbeats are recorded: 0.8 × the heartbeat timeout (so the engine's
 * heartbeat watchdog always sees one in time), at most 30 s.
 */
export function heartbeatThrottleMs(heartbeatTimeoutMs: number | undefined): number {
  return heartbeatTimeoutMs === undefined
    ? MAX_THROTTLE_MS
    : Math.min(0.8 * heartbeatTimeoutMs, MAX_THROTTLE_MS);
}

/**
 * Records an activity's heartbeats at most once per interval: the first at once, later ones at the
 * end of the interval with the latest details (the ones between are superseded), and the last one
 * always, when the attempt ends. Each record is a read and a write, so an activity that
 * heartbeats in a tight loop must not cost one per call.
 */
export class HeartbeatThrottle {
  private lastSent = Number.NEGATIVE_INFINITY;
  private pending: { details: unknown } | undefined;
  private timer: AbortController | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Pick<Clock, 'now' | 'sleep'>,
    private readonly send: (details: unknown) => Promise<void>,
  ) {}

  heartbeat(details: unknown): void {
    this.pending = { details };
    if (this.timer) return;
    const wait = this.lastSent + this.intervalMs - this.clock.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    const timer = new AbortController();
    this.timer = timer;
    this.clock.sleep(wait, { signal: timer.signal }).then(
      () => {
        this.timer = undefined;
        this.flush();
      },
      () => {},
    );
  }

  /** Delivers a heartbeat still waiting for its interval, and waits for every one to be recorded. */
  async close(): Promise<void> {
    this.timer?.abort(new Error('Activity attempt is over'));
    this.timer = undefined;
    this.flush();
    await this.sending;
  }

  private flush(): void {
    const item = this.pending;
    if (!item) return;
    this.pending = undefined;
    this.lastSent = this.clock.now();
    // Recorded in order: a later heartbeat's details never land before an earlier one's.
    this.sending = this.sending.then(() => this.send(item.details));
  }
}

/** Records a heartbeat and tells whether the activity's cancellation was requested. */
export async function recordHeartbeat(
  deps: RuntimeDeps,
  worker: Pick<WorkerRegistry, 'converter' | 'codec'> | undefined,
  attemptRef: ActivityAttemptRef,
  details: unknown,
  encoded?: Payload,
): Promise<boolean> {
  const payload =
    encoded ??
    (details === undefined || !worker
      ? undefined
      : (await worker.codec.encode([worker.converter.toPayload(details)]))[0]);
  const state = await deps.store.getRun(attemptRef.namespace, attemptRef.runId);
  const activity = state?.activities[attemptRef.scheduledEventId];
  if (!state || !activity || activity.attempt !== attemptRef.attempt) return true;
  await deps.store.recordHeartbeat(attemptRef.namespace, attemptRef.runId, attemptRef.scheduledEventId, {
    attempt: attemptRef.attempt,
    time: deps.clock.now(),
    details: payload,
  });
  return activity.cancelRequested;
}
