import * as z from 'zod';
import { MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_REQUEST_ID_LENGTH } from './limits.ts';

/*
 * The scalar fields the HTTP API's bodies and paths share: ids and names (bounded), times.
 */

// Control characters break logs, headers and terminals; everything else printable is a fair id.
const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;

/** Non-empty text of at most `maxLength` characters, without control characters. */
export function boundedText(maxLength: number, description: string) {
  return z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(maxLength, { error: `must be at most ${maxLength} characters` })
    .regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' })
    .describe(description);
}

export const namespaceSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be 1–64 letters, digits, dots, underscores or hyphens' })
  .describe('Namespace: isolates tenants');
export const workflowIdSchema = boundedText(
  MAX_ID_LENGTH,
  'Workflow id, unique per namespace among running workflows',
);
export const workflowTypeSchema = boundedText(
  MAX_NAME_LENGTH,
  'Workflow type: the name of the workflow function',
);
export const taskQueueSchema = boundedText(
  MAX_NAME_LENGTH,
  'Task queue served by the worker that runs the workflow',
);
/**
 * A client's request id (Temporal's `requestId`): the client sends one per mutating request and
 * the same one on each retry of it, so the engine applies the request once.
 */
export const requestIdSchema = boundedText(
  MAX_REQUEST_ID_LENGTH,
  'Request id: resend it on a retry and the engine applies the request once',
);
export const signalNameSchema = boundedText(MAX_NAME_LENGTH, 'Signal name');

export const epochMsSchema = z.number().describe('Epoch milliseconds');
