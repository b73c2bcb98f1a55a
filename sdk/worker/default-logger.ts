/** Severity of a log entry, lowest first (Temporal's names). */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Structured fields of a log entry. */
export type LogMetadata = Record<string, unknown>;

/** One log entry, as a {@link DefaultLogger}'s log function receives it. */
export interface LogEntry {
  level: LogLevel;
  message: string;
  /** Wall-clock time of the entry, nanoseconds since the epoch. */
  timestampNanos: bigint;
  meta?: LogMetadata;
}

/**
 * What `Runtime.install({ logger })` takes: Temporal's logger interface, so a logger written for
 * Temporal (a winston or pino adapter) plugs in unchanged.
 */
export interface Logger {
  log(level: LogLevel, message: string, meta?: LogMetadata): void;
  trace(message: string, meta?: LogMetadata): void;
  debug(message: string, meta?: LogMetadata): void;
  info(message: string, meta?: LogMetadata): void;
  warn(message: string, meta?: LogMetadata): void;
  error(message: string, meta?: LogMetadata): void;
}

const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/** Writes `2026-01-01T00:00:00.000Z [WARN] message { ...meta }` to stderr. */
function writeToStderr(entry: LogEntry): void {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta && Object.keys(entry.meta).length ? ` ${JSON.stringify(entry.meta)}` : '';
  process.stderr.write(`${time} [${entry.level}] ${entry.message}${meta}\n`);
}

/**
 * A logger that drops entries below `level` and hands the rest to `logFunction` (stderr by default).
 *
 * @example
 * Runtime.install({ logger: new DefaultLogger('WARN') });
 * // or collect entries in a test:
 * const entries: LogEntry[] = [];
 * Runtime.install({ logger: new DefaultLogger('DEBUG', (entry) => entries.push(entry)) });
 */
export class DefaultLogger implements Logger {
  constructor(
    readonly level: LogLevel = 'INFO',
    private readonly logFunction: (entry: LogEntry) => void = writeToStderr,
  ) {
    if (!(level in SEVERITY)) {
      throw new TypeError(`Unknown log level '${level}': use one of ${Object.keys(SEVERITY).join(', ')}`);
    }
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (SEVERITY[level] < SEVERITY[this.level]) return;
    const timestampNanos = BigInt(Date.now()) * 1_000_000n;
    this.logFunction(
      meta === undefined ? { level, message, timestampNanos } : { level, message, timestampNanos, meta },
    );
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
