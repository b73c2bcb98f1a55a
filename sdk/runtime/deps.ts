import type {
  Clock,
  DeadLetterQueues,
  HistoryStore,
  ScheduleStore,
  TaskDispatch,
  WorkerInvoker,
} from '../backend/ports.ts';
import type { MetricsPort } from './metrics.ts';

/** Structured log sink of the runtime. */
export type Logger = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** What every runtime service gets: the ports, and a source of fresh ids. */
export interface RuntimeDeps {
  store: HistoryStore;
  schedules: ScheduleStore;
  dispatch: TaskDispatch;
  clock: Clock;
  invoker: WorkerInvoker;
  newId: () => string;
  logger: Logger;
  /** What the runtime reports as metrics (EMF in the cloud); each handler flushes it once per invocation. */
  metrics: MetricsPort;
  /**
   * The task queues that have a worker, when the engine knows them (the cloud and the local stack:
   * `CAIRN_WORKER_FUNCTIONS`). Starts on any other task queue are refused; undefined: not checked.
   */
  knownTaskQueues?: readonly string[];
  /** How long a closed run is kept before its items expire (the Engine's `retention`). @default 30 days */
  retentionMs?: number;
  /**
   * Where work is set aside (`cairn dlq`): SQS in the cloud and on the local stack. Undefined: the
   * engine has no queues (time skipping), so nothing is ever set aside.
   */
  deadLetters?: DeadLetterQueues;
}

export { DEFAULT_RETENTION_MS } from '../backend/retention.ts';

export const silentLogger: Logger = () => {};

/**
 * A logger writing one JSON line per entry to stderr, at or above `minimum`, with the keys the
 * cloud's Powertools lines have (`timestamp`, `level`, `message`, then the fields).
 */
export function jsonLogger(minimum: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = ['debug', 'info', 'warn', 'error'];
  return (level, message, fields) => {
    if (order.indexOf(level) < order.indexOf(minimum)) return;
    const line = { timestamp: new Date().toISOString(), level: level.toUpperCase(), message, ...fields };
    process.stderr.write(`${JSON.stringify(line)}\n`);
  };
}
