import * as z from 'zod';
import type { HistoryEvent } from '../../engine/events.ts';
import { epochMsSchema } from './fields.ts';

/**
 * One history event as the API documents it: gap-free id, commit time, type, and the fields of that
 * type. The engine's `HistoryEvent` union (sdk/engine/events.ts) is the exact shape; this schema
 * names only what every event has.
 */
export const historyEventSchema = z.looseObject({
  eventId: z.number().int(),
  eventTime: epochMsSchema,
  type: z.string(),
});
true satisfies [HistoryEvent] extends [z.output<typeof historyEventSchema>] ? true : false;

/** A page of a run's history, oldest first. */
export const historyPageSchema = z.object({
  runId: z.string(),
  events: z.array(historyEventSchema),
  nextPageToken: z.string().optional(),
});

/** A page of a run's history, oldest first, with each event typed as the engine's union. */
export type HistoryPage = Omit<z.infer<typeof historyPageSchema>, 'events'> & { events: HistoryEvent[] };
