import * as z from 'zod';
import type { Payload } from '../payload.ts';
import { MAX_NAME_LENGTH } from './limits.ts';
import type { SameShape } from './same-shape.ts';

// `Payload` (sdk/common/payload.ts) is the source: workflow code uses it and must not load zod.
const payloadObject = z.strictObject({ metadata: z.record(z.string(), z.string()), data: z.string() });
true satisfies SameShape<z.output<typeof payloadObject>, Payload>;

/** A serialized value: metadata (at least `encoding`) and data as text (JSON text, or base64). */
export const payloadSchema: z.ZodType<Payload, Payload> = payloadObject;

/** Arguments of a workflow, signal, query or update: one payload each. */
export const payloadsSchema = z.array(payloadSchema);

/** Unindexed values a start attaches to the run, shown by describe. */
export const memoSchema = z
  .record(z.string().max(MAX_NAME_LENGTH), payloadSchema)
  .describe('Unindexed values shown by describe');
