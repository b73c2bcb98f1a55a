import * as z from 'zod';
import { InvalidArgumentError } from '../../common/errors.ts';
import { timeoutTypeSchema } from '../../common/wire/failure-info.ts';
import type { DispatchItem } from '../ports.ts';

const ref = z.object({
  namespace: z.string().min(1),
  workflowId: z.string().min(1),
  runId: z.string().min(1),
});

const systemOp = z.discriminatedUnion('type', [
  z.object({ type: z.literal('fireTimer'), startedEventId: z.number().int() }),
  z.object({
    type: z.literal('activityTimeout'),
    scheduledEventId: z.number().int(),
    attempt: z.number().int(),
    timeoutType: timeoutTypeSchema,
    attemptStartTime: z.number().optional(),
  }),
  z.object({ type: z.literal('cancelActivity'), scheduledEventId: z.number().int() }),
  z.object({ type: z.literal('runTimeout') }),
  z.object({ type: z.literal('startChild'), initiatedEventId: z.number().int() }),
  z.object({ type: z.literal('signalExternal'), initiatedEventId: z.number().int() }),
  z.object({ type: z.literal('cancelExternal'), initiatedEventId: z.number().int() }),
  z.object({ type: z.literal('notifyParent') }),
  z.object({ type: z.literal('expireRun') }),
  z.object({
    type: z.literal('renewOpenRuns'),
    startedFrom: z.number().int(),
    startedBefore: z.number().int(),
    pageToken: z.string().optional(),
  }),
  z.object({ type: z.literal('applyParentClosePolicy') }),
  z.object({ type: z.literal('cronStart') }),
  z.object({ type: z.literal('scheduleTick'), scheduleId: z.string().min(1), token: z.string().optional() }),
]);

/** The one schema of a task message, validated where a message enters a handler. */
export const taskMessageSchema = z.object({
  task: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('workflow'),
      ref,
      taskQueue: z.string().min(1),
      scheduledEventId: z.number().int(),
      attempt: z.number().int().optional(),
      besideEager: z.boolean().optional(),
      beforeCommit: z.boolean().optional(),
    }),
    z.object({
      kind: z.literal('activity'),
      ref,
      taskQueue: z.string().min(1),
      scheduledEventId: z.number().int(),
      attempt: z.number().int().min(1),
      input: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string() })).optional(),
    }),
    z.object({ kind: z.literal('system'), ref, op: systemOp }),
  ]),
  dueTime: z.number().optional(),
});

export function encodeTaskMessage(item: DispatchItem): string {
  return JSON.stringify(item);
}

/** Parses a message body; a malformed one gets an `InvalidArgumentError` saying what is wrong. */
export function parseTaskMessage(body: string): DispatchItem {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidArgumentError('Task message is not JSON');
  }
  const parsed = taskMessageSchema.safeParse(json);
  if (!parsed.success)
    throw new InvalidArgumentError(`Malformed task message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data as DispatchItem;
}
