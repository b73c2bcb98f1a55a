import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Logger } from './deps.ts';

/** Keys Powertools writes itself; a field of the same name goes under `detail` instead of clobbering it. */
const RESERVED = new Set(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'xray_trace_id']);

/**
 * The runtime's logger in a Lambda function: Powertools Logger, one JSON line per entry with
 * `timestamp`, `level`, `message`, `service` and the entry's fields (the run's `workflowId`, `runId`,
 * `taskQueue`, `eventId` where the call site knows them), which CloudWatch Logs Insights queries
 * field by field. `service` is the function's role (`cairn-api`, `cairn-worker`, …).
 */
export function powertoolsLogger(minimum: 'debug' | 'info' | 'warn' | 'error', service: string): Logger {
  const logger = new PowertoolsLogger({ serviceName: service, logLevel: minimum.toUpperCase() as 'INFO' });
  return (level, message, fields) => {
    if (!fields) {
      logger[level](message);
      return;
    }
    const extra: Record<string, unknown> = {};
    let detail: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      if (RESERVED.has(key)) (detail ??= {})[key] = value;
      else extra[key] = value;
    }
    if (detail) extra.detail = detail;
    logger[level](message, extra);
  };
}
