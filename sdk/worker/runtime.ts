import { InvalidArgumentError } from '../common/errors.ts';
import type { Logger as EngineLogger } from '../runtime/deps.ts';
import { installLogger } from '../runtime/installed-logger.ts';
import { DefaultLogger, type Logger, type LogLevel } from './default-logger.ts';

/** Options of `Runtime.install`, as in Temporal's worker. */
export interface RuntimeOptions {
  /**
   * Where everything this process's Cairn code logs goes: activity `log`, workflow `log` (outside
   * replay), and the engine's own warnings (failed tasks, dead letters). @default a DefaultLogger('INFO')
   */
  logger?: Logger;
  /**
   * Temporal's Core telemetry. Cairn has no Core: its engine logs through `logger` already, so only
   * `logging` (forwarding to `logger`) is accepted; metrics and tracing are refused.
   */
  telemetryOptions?: { logging?: { forward?: { level?: LogLevel } } };
}

const LEVELS: Record<Parameters<EngineLogger>[0], LogLevel> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};

function check(options: RuntimeOptions): void {
  const known = new Set(['logger', 'telemetryOptions']);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new InvalidArgumentError(
        `Runtime.install: '${key}' is not supported by Cairn (a worker is a Lambda function or a test engine in this process); pass only logger`,
      );
    }
  }
  const telemetry = options.telemetryOptions ?? {};
  for (const key of Object.keys(telemetry)) {
    if (key !== 'logging') {
      throw new InvalidArgumentError(
        `Runtime.install: telemetryOptions.${key} is not supported by Cairn; it has no Core runtime. Use the Engine construct's CloudWatch metrics and alarms instead`,
      );
    }
  }
}

/**
 * The process-wide worker runtime: which logger Cairn's worker-side code writes to. As in
 * Temporal, install it once, before creating workers or test environments.
 *
 * @example
 * Runtime.install({ logger: new DefaultLogger('WARN') });
 * const env = await TestWorkflowEnvironment.createTimeSkipping();
 */
export class Runtime {
  private static current: Runtime | undefined;

  private constructor(readonly logger: Logger) {}

  /** Installs the runtime; throws if one is installed already (as Temporal's does). */
  static install(options: RuntimeOptions = {}): Runtime {
    check(options);
    if (Runtime.current) {
      throw new InvalidArgumentError(
        'Runtime.install was called twice in this process; install it once, before creating workers (Runtime.instance() returns it)',
      );
    }
    const runtime = new Runtime(options.logger ?? new DefaultLogger('INFO'));
    const logger = runtime.logger;
    installLogger((level, message, fields) => logger.log(LEVELS[level], message, fields));
    Runtime.current = runtime;
    return runtime;
  }

  /** The installed runtime, installing the default one if none is. */
  static instance(): Runtime {
    return Runtime.current ?? Runtime.install();
  }

  /** Uninstalls this runtime: logging goes back to Cairn's default (JSON lines at CAIRN_LOG_LEVEL). */
  async shutdown(): Promise<void> {
    if (Runtime.current !== this) return;
    installLogger(undefined);
    Runtime.current = undefined;
  }
}
