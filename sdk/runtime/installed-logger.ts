import type { Logger } from './deps.ts';

/**
 * The one slot for the process-wide logger that `Runtime.install({ logger })` sets (Temporal's
 * worker runtime). It lives here, below the worker package, so that every engine service in this
 * process (the time-skipping engine, the local stack's handlers, a Lambda worker) logs through it.
 */
let installed: Logger | undefined;

export function installLogger(logger: Logger | undefined): void {
  installed = logger;
}

/** The installed logger, if any. */
export function installedLogger(): Logger | undefined {
  return installed;
}

/**
 * A logger that writes to the installed logger when there is one (looked up at each entry, so an
 * install after the engine started still counts), else to `fallback`.
 */
export function deferToInstalled(fallback: Logger): Logger {
  return (level, message, fields) => (installed ?? fallback)(level, message, fields);
}
