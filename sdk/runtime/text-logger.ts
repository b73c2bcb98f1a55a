import type { Logger } from './deps.ts';

const ORDER = ['debug', 'info', 'warn', 'error'] as const;

/** The run's keys, printed first and short, in this order; every other field follows as key=value. */
const LEADING = ['workflowId', 'runId', 'taskQueue', 'eventId'] as const;

function show(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Error) return JSON.stringify(value.message);
  return JSON.stringify(value) ?? String(value);
}

/**
 * A logger for a person at a terminal (`cairn dev` without `--json-logs`): one line per entry,
 * `HH:MM:SS.mmm LEVEL message workflowId=… runId=… key=value …`, on stderr, at or above `minimum`.
 *
 * @example
 * // 14:03:07.412 WARN  activity failed workflowId=order-1 runId=4f0c… attempt=2 type=Error
 */
export function textLogger(minimum: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  return (level, message, fields) => {
    if (ORDER.indexOf(level) < ORDER.indexOf(minimum)) return;
    const time = new Date().toISOString().slice(11, 23);
    const parts = [time, level.toUpperCase().padEnd(5), message];
    const rest = { ...fields };
    for (const key of LEADING) {
      if (rest[key] === undefined) continue;
      parts.push(`${key}=${show(rest[key])}`);
      delete rest[key];
    }
    for (const [key, value] of Object.entries(rest))
      if (value !== undefined) parts.push(`${key}=${show(value)}`);
    process.stderr.write(`${parts.join(' ')}\n`);
  };
}
