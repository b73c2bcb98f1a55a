import { taskTokenBytes } from '../common/task-token.ts';

/** The run that scheduled an activity (Temporal's `WorkflowExecution`). */
export interface WorkflowExecution {
  workflowId: string;
  runId: string;
}

/**
 * What the runtime knows about an attempt when it starts it; {@link completeActivityInfo} derives
 * the rest of {@link ActivityInfo} (Temporal's names for the same facts) from it.
 */
export interface ActivityAttemptFacts {
  activityId: string;
  activityType: string;
  /** 1-based attempt number. */
  attempt: number;
  workflowId: string;
  runId: string;
  workflowType: string;
  namespace: string;
  taskQueue: string;
  /** Details of the last heartbeat of an earlier attempt (resume from there). */
  // biome-ignore lint/suspicious/noExplicitAny: Temporal types heartbeat details `any`, so `info.heartbeatDetails ?? 0` ports unchanged
  heartbeatDetails: any;
  /** When the workflow scheduled the activity (its first attempt). */
  scheduledTime: Date;
  startedTime: Date;
  /** When this attempt became due: the scheduled time for the first, the retry's due time for later ones. @default scheduledTime for the first attempt, startedTime after */
  currentAttemptScheduledTime?: Date;
  /** Stable across attempts: use it to make side effects idempotent. */
  idempotencyKey: string;
  /** Identifies the activity for async completion, as base64url text (`info.base64TaskToken`). */
  taskToken: string;
  heartbeatTimeoutMs?: number;
  startToCloseTimeoutMs?: number;
  scheduleToCloseTimeoutMs?: number;
  /** A local activity (`proxyLocalActivities`), run in the workflow task's worker. @default false */
  isLocal?: boolean;
}

/**
 * What an activity knows about the attempt it runs in: Cairn's fields and Temporal's `activity.Info`
 * names for them, so `activityInfo().workflowExecution.workflowId` ports unchanged.
 */
export interface ActivityInfo
  extends Required<Pick<ActivityAttemptFacts, 'currentAttemptScheduledTime'>>,
    Omit<ActivityAttemptFacts, 'currentAttemptScheduledTime' | 'isLocal' | 'taskToken'> {
  /**
   * Identifies the activity for async completion, as bytes (Temporal's shape):
   * `client.activity.complete(info.taskToken, result)` (the client also takes `base64TaskToken`).
   */
  taskToken: Uint8Array;
  /** The run that scheduled this activity. */
  workflowExecution: WorkflowExecution;
  /** The namespace of that run (Temporal: `workflowNamespace`); the same as `namespace`. */
  workflowNamespace: string;
  /** The namespace the activity runs in (Temporal: `activityNamespace`); the same as `namespace`. */
  activityNamespace: string;
  /** True for a local activity (`proxyLocalActivities`): run in the workflow task's worker, recorded as a marker. */
  isLocal: boolean;
  /** `scheduledTime` in epoch ms. */
  scheduledTimestampMs: number;
  /** `currentAttemptScheduledTime` in epoch ms. */
  currentAttemptScheduledTimestampMs: number;
  /** The task token as text (base64url, as the HTTP API carries it). */
  base64TaskToken: string;
}

/** Completes the facts of an attempt into the activity's info (Temporal's aliases included). */
export function completeActivityInfo(facts: ActivityAttemptFacts): ActivityInfo {
  const currentAttemptScheduledTime =
    facts.currentAttemptScheduledTime ?? (facts.attempt === 1 ? facts.scheduledTime : facts.startedTime);
  return {
    ...facts,
    currentAttemptScheduledTime,
    workflowExecution: { workflowId: facts.workflowId, runId: facts.runId },
    workflowNamespace: facts.namespace,
    activityNamespace: facts.namespace,
    isLocal: facts.isLocal ?? false,
    scheduledTimestampMs: facts.scheduledTime.getTime(),
    currentAttemptScheduledTimestampMs: currentAttemptScheduledTime.getTime(),
    taskToken: taskTokenBytes(facts.taskToken),
    base64TaskToken: facts.taskToken,
  };
}
