import { EventEmitter } from 'node:events';
import type { ActivityAttemptFacts, ActivityInfo } from '../activity/activity-info.ts';
import { Context } from '../activity/context.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import { CancelledFailure } from '../common/failures.ts';
import { taskTokenText } from '../common/task-token.ts';
import { installedLogger } from '../runtime/installed-logger.ts';
import type { Logger } from '../worker/default-logger.ts';

/** Options of {@link MockActivityEnvironment} (its second argument), as in Temporal. */
export interface MockActivityEnvironmentOptions {
  /** Receives the activity's `log` entries. @default the logger of `Runtime.install`, else none */
  logger?: Logger;
}

/** The info a mocked activity sees unless the test says otherwise. */
export const defaultActivityInfo: ActivityInfo = Object.freeze(
  completeFacts({
    activityId: 'test',
    activityType: 'unknown',
    attempt: 1,
    workflowId: 'test',
    runId: 'dead-beef',
    workflowType: 'test',
    namespace: 'default',
    taskQueue: 'test',
    heartbeatDetails: undefined,
    scheduledTime: new Date(0),
    startedTime: new Date(0),
    idempotencyKey: 'default/dead-beef/1',
    taskToken: 'test',
    startToCloseTimeoutMs: 1000,
    scheduleToCloseTimeoutMs: 1000,
  }),
);

function completeFacts(facts: ActivityAttemptFacts): ActivityInfo {
  return new Context(facts, new AbortController().signal, {
    heartbeat: () => {},
    sleep: async () => {},
    log: () => {},
  }).info;
}

/** Temporal's field names win over Cairn's when a test gives both ways of saying the same thing. */
function factsOf(info: Partial<ActivityInfo>): ActivityAttemptFacts {
  const merged = { ...defaultActivityInfo, ...info };
  return {
    ...merged,
    workflowId: info.workflowExecution?.workflowId ?? merged.workflowId,
    runId: info.workflowExecution?.runId ?? merged.runId,
    namespace: info.activityNamespace ?? info.workflowNamespace ?? merged.namespace,
    scheduledTime:
      info.scheduledTimestampMs !== undefined ? new Date(info.scheduledTimestampMs) : merged.scheduledTime,
    currentAttemptScheduledTime:
      info.currentAttemptScheduledTimestampMs !== undefined
        ? new Date(info.currentAttemptScheduledTimestampMs)
        : info.currentAttemptScheduledTime,
    taskToken:
      info.base64TaskToken ??
      (info.taskToken !== undefined ? taskTokenText(info.taskToken) : merged.base64TaskToken),
  };
}

const LEVELS = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/**
 * Runs one activity function with an activity context, without a workflow or an engine: its
 * heartbeats are `'heartbeat'` events, `cancel(reason)` aborts its cancellation signal with a
 * `CancelledFailure`, and `Context.current().sleep` waits in real time (rejecting on cancel).
 *
 * @example
 * const env = new MockActivityEnvironment({ attempt: 2 });
 * env.on('heartbeat', (details) => seen.push(details));
 * const result = await env.run(processBatch, 'batch-1');
 */
export class MockActivityEnvironment extends EventEmitter {
  readonly context: Context;
  private readonly controller = new AbortController();

  constructor(info?: Partial<ActivityInfo>, options: MockActivityEnvironmentOptions = {}) {
    super();
    for (const key of Object.keys(options)) {
      if (key !== 'logger') {
        throw new InvalidArgumentError(
          `MockActivityEnvironment: option '${key}' is not supported by Cairn (interceptors and metrics do not exist here); pass only logger`,
        );
      }
    }
    const logger = options.logger;
    this.context = new Context(factsOf(info ?? {}), this.controller.signal, {
      heartbeat: (details) => {
        this.emit('heartbeat', details);
      },
      sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
          if (signal.aborted) return reject(signal.reason);
          const timer = setTimeout(resolve, ms);
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              reject(signal.reason);
            },
            { once: true },
          );
        }),
      log: (level, message, attrs) => {
        const fields = { activityType: this.context.info.activityType, attrs };
        if (logger) logger.log(LEVELS[level], message, fields);
        else installedLogger()?.(level, message, fields);
      },
    });
  }

  /** Cancels the activity: its cancellation signal aborts with `CancelledFailure(reason)`. */
  cancel(reason = 'CANCELLED'): void {
    if (!this.controller.signal.aborted) this.controller.abort(new CancelledFailure(reason));
  }

  /** Runs `fn(...args)` as the activity of this environment. */
  run<P extends unknown[], R>(fn: (...args: P) => R, ...args: P): Promise<Awaited<R>> {
    return this.context.run(async (): Promise<Awaited<R>> => await fn(...args));
  }
}
