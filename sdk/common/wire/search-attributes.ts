import * as z from 'zod';
import type { SearchAttributes } from '../../engine/events.ts';
import { MAX_NAME_LENGTH } from './limits.ts';
import type { SameShape } from './same-shape.ts';

const searchAttributeName = z
  .string()
  .max(MAX_NAME_LENGTH, { error: `must be at most ${MAX_NAME_LENGTH} characters` })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'search attribute names are letters, digits and underscores' });

// `SearchAttributes` (sdk/engine/events.ts) is the source: history events carry them.
const searchAttributesRecord = z.record(
  searchAttributeName,
  z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]),
);
true satisfies SameShape<z.output<typeof searchAttributesRecord>, SearchAttributes>;

/** Indexed values that list queries can filter on; dates as ISO-8601 strings. */
export const searchAttributesSchema: z.ZodType<SearchAttributes, SearchAttributes> = searchAttributesRecord;
