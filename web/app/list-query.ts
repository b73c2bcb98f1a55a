import { EXECUTION_STATUSES } from '../../sdk/engine/run-state.ts';
/** The statuses a run can have, in the order the list's filters show them. */
export const STATUSES = EXECUTION_STATUSES;

/** The list's time ranges: how far back StartTime may lie. */
export const TIME_RANGES: Record<string, { label: string; ms?: number }> = {
  '': { label: 'Any time' },
  '15m': { label: 'Last 15 minutes', ms: 15 * 60_000 },
  '1h': { label: 'Last hour', ms: 3_600_000 },
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000 },
};

/** A string literal of the visibility query language (API.md): single-quoted, quotes doubled. */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The visibility query the list sends: the user's own query, AND-ed with the filters the page's
 * controls set (status, type, start time). The same language as the API's, so what a user types
 * can be pasted into `cairn workflow list --query`.
 */
export function composeQuery(
  filters: { query: string; status?: string; type: string; since: string },
  now: number,
): string {
  const parts: string[] = [];
  if (filters.query.trim()) parts.push(`(${filters.query.trim()})`);
  if (filters.status) parts.push(`ExecutionStatus = ${literal(filters.status)}`);
  if (filters.type.trim()) parts.push(`WorkflowType = ${literal(filters.type.trim())}`);
  const range = TIME_RANGES[filters.since]?.ms;
  if (range !== undefined) parts.push(`StartTime >= ${now - range}`);
  return parts.join(' AND ');
}
