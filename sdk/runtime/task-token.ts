import type { RunRef } from '../backend/ports.ts';
import { InvalidArgumentError } from '../common/errors.ts';

/** Identifies one activity attempt, also across processes (the async-completion task token). */
export interface ActivityAttemptRef extends RunRef {
  scheduledEventId: number;
  attempt: number;
}

/** The task token of an attempt: opaque to users, `activityInfo().taskToken`. */
export function encodeTaskToken(ref: ActivityAttemptRef): string {
  return Buffer.from(
    JSON.stringify([ref.namespace, ref.workflowId, ref.runId, ref.scheduledEventId, ref.attempt]),
  ).toString('base64url');
}

/** The attempt a task token names; `InvalidArgumentError` for anything that is not one of ours. */
export function decodeTaskToken(token: string): ActivityAttemptRef {
  try {
    const [namespace, workflowId, runId, scheduledEventId, attempt] = JSON.parse(
      Buffer.from(token, 'base64url').toString(),
    );
    if (
      typeof namespace === 'string' &&
      typeof workflowId === 'string' &&
      typeof runId === 'string' &&
      Number.isInteger(scheduledEventId) &&
      Number.isInteger(attempt)
    ) {
      return { namespace, workflowId, runId, scheduledEventId, attempt };
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidArgumentError('Malformed activity task token');
}
